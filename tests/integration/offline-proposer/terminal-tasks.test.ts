// The terminal-tasks example end to end: it loads; its module grader scores the task folder (1
// when solved, 0 when untouched, for every kind), run by the real evaluation engine in the
// sandbox; under the offline model its plain seed only lists the folder and fails, and three
// rounds of the offline proposer climb from there, one kind of chore at a time: the command loop
// (log searches pass), one command more or the listing up front (conversions pass), then the
// other of the two (script fixes pass).
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../helpers/db.ts";
import { startOfflineModel, type OfflineModel } from "../../../lib/offline/model.ts";
import { parseTask } from "../../../lib/offline/shell.ts";
import { studioRoot } from "../../../lib/paths.ts";
import { createProject } from "../../../lib/projects/create.ts";
import { loadSuiteFolder } from "../../../lib/suites/load.ts";
import { addCandidate, EXAMPLE, evaluate, proposeOffline, scratchDir } from "./helpers.ts";

const scratch = scratchDir("studio-terminal-tasks-");
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");

let model: OfflineModel;
beforeAll(async () => {
  model = await startOfflineModel();
});
afterAll(async () => {
  await model?.close();
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

/** The project of the example as committed, with another harness in place of the seed when given. */
async function exampleProject(harness?: string) {
  let harnessFile = path.join(EXAMPLE, "harness.ts");
  if (harness) {
    harnessFile = path.join(fs.mkdtempSync(path.join(scratch, "harness-")), "harness.ts");
    fs.writeFileSync(harnessFile, harness);
  }
  return createProject({ suiteDir: EXAMPLE, harnessFile });
}

async function runsOf(evaluationId: string) {
  return db.taskRun.findMany({
    where: { evaluationId },
    include: { task: { select: { key: true, meta: true } }, events: { orderBy: { seq: "asc" } } },
    orderBy: { task: { position: "asc" } },
  });
}

describe("the terminal-tasks example", () => {
  it("loads: three kinds of chores in the offline model's Task-line wording, each with its starting folder", async () => {
    const suite = await loadSuiteFolder(EXAMPLE);
    expect(suite.config).toMatchObject({ mode: "independent", grader: { type: "module" } });
    expect(suite.graderSource).toContain("export default async function grade");
    expect(suite.tasks.length).toBeGreaterThanOrEqual(12);
    const search = suite.tasks.filter((task) => task.split === "search");
    expect(search).toHaveLength(12);
    for (const task of suite.tasks) {
      const kind = (task.meta as { kind: string }).kind;
      // The Task line is one of RULES.md Rule 3's templates, of the kind the grader will check.
      expect(parseTask(String(task.input))?.kind, task.key).toBe(kind);
      expect(Object.keys(task.envFiles ?? {}).length, task.key).toBeGreaterThan(1);
    }
    const kinds = search.map((task) => (task.meta as { kind: string }).kind);
    for (const kind of ["fix", "log", "convert"]) expect(kinds.filter((k) => k === kind)).toHaveLength(4);
  });

  it("is what the generator writes, byte for byte (fixed seed)", () => {
    const out = path.join(scratch, "generated");
    execFileSync(
      process.execPath,
      [
        path.join(studioRoot, "node_modules/tsx/dist/cli.mjs"),
        path.join(studioRoot, "scripts/examples/terminal-tasks.ts"),
        out,
      ],
      { cwd: studioRoot },
    );
    const files = (root: string): string[] =>
      fs
        .readdirSync(root, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
        .sort();
    const generated = files(out);
    expect(generated).toEqual(
      files(EXAMPLE).filter((file) => file === "suite.json" || file === "tasks.jsonl" || file.startsWith("env/")),
    );
    for (const file of generated)
      expect(fs.readFileSync(path.join(out, file), "utf8"), file).toBe(
        fs.readFileSync(path.join(EXAMPLE, file), "utf8"),
      );
  });

  it("grades the folder: 0 when untouched, 1 when solved (another way than the offline model's), 0 when the script is rewritten", async () => {
    const untouched = await exampleProject(`export default { async run() { return "I did nothing."; } };\n`);
    const idle = await evaluate(untouched.seedCandidateId, model.url);
    expect(idle).toMatchObject({ status: "done", tasks: 12, passed: 0, errors: 0, score: 0 });
    const explanations = Object.fromEntries(
      (await runsOf(idle.evaluationId)).map((run) => [(run.task.meta as { kind: string }).kind, run.gradeExplanation]),
    );
    expect(explanations.fix).toMatch(/^sh \S+\.sh printed "FAIL/);
    expect(explanations.log).toBe("there is no answer.txt");
    expect(explanations.convert).toMatch(/^there is no \w+\.tsv$/);

    // Deletes the bug line instead of commenting it out, and uses tr, grep and cut: any way that works passes.
    const solver = `
      type Ctx = { exec(command: string): Promise<{ exitCode: number | null }> };
      type Meta = { kind: string; script?: string; file?: string; key?: string; source?: string; target?: string };
      export default {
        async run(task: { input: string; meta: Meta }, ctx: Ctx) {
          const m = task.meta;
          const command =
            m.kind === "fix" ? "sed -i '/# BUG/d' " + m.script
            : m.kind === "log" ? "grep 'status=error' " + m.file + " | tr ' ' '\\\\n' | grep '^" + m.key + "=' | cut -d= -f2- > answer.txt"
            : "tr ',' '\\\\t' < " + m.source + " > " + m.target;
          return (await ctx.exec(command)).exitCode;
        },
      };`;
    const solved = await addCandidate(untouched.projectId, solver, model.url);
    expect(solved.summary).toMatchObject({ status: "done", tasks: 12, passed: 12, score: 1 });

    const cheat = `export default { async run(task: { meta: { kind: string; script?: string } }, ctx: { exec(c: string): Promise<unknown> }) {
      if (task.meta.kind === "fix") await ctx.exec("printf 'echo OK\\\\n' > " + task.meta.script);
      return "";
    } };`;
    const cheated = await addCandidate(untouched.projectId, cheat, model.url);
    const fixes = (await runsOf(cheated.summary.evaluationId)).filter(
      (run) => (run.task.meta as { kind: string }).kind === "fix",
    );
    expect(fixes.map((run) => run.status)).toEqual(["failed", "failed", "failed", "failed"]);
    expect(fixes[0].gradeExplanation).toMatch(/lost lines it needed/);
  });

  it("under the offline model the seed runs `ls -la` once and fails; three proposer rounds pass log, then convert, then fix chores", async () => {
    const project = await exampleProject();
    const seed = await evaluate(project.seedCandidateId, model.url);
    expect(seed).toMatchObject({ status: "done", tasks: 12, passed: 0, score: 0 });
    for (const run of await runsOf(seed.evaluationId)) {
      expect(harnessCommands(run), run.task.key).toEqual(["ls -la"]);
      expect(
        run.events.filter((event) => event.kind === "model_call"),
        run.task.key,
      ).toHaveLength(1);
    }

    // Round 1: the command loop, with a small first budget (one look, one action).
    const first = await proposeOffline(project.projectId, scratch, { iteration: 1 });
    expect(first.result.stopReason).toBe("done");
    const loop = first.result.proposals[0];
    expect(loop).toMatchObject({ axis: "exploit", baseCandidateId: project.seedCandidateId });
    // Only the loop: the listing the seed returned is no wrapped answer of the model's.
    expect(first.result.proposals.map((proposal) => proposal.dir)).toEqual([
      "proposals/1/1-shell-loop",
      "proposals/1/2-shell-loop-fresh",
    ]);
    expect(loop.source).toContain("messages.push(");
    expect(loop.source).toContain("maxTurns: 2,");
    expect(loop.rationale).toMatch(
      /candidates\/\S+\/traces\/fix-01\.jsonl: the model replied `ls -la`; the harness ran `ls -la` once/,
    );
    for (const file of loop.rationale.match(/candidates\/\S+\.jsonl/g) ?? [])
      expect(fs.existsSync(path.join(first.workspaceDir, file)), file).toBe(true);
    const looped = await addCandidate(project.projectId, loop.source, model.url);
    expect(looped.summary).toMatchObject({ status: "done", tasks: 12, passed: 4 });
    expect(await passedKinds(looped.summary.evaluationId)).toEqual(["log"]);
    const runs = await runsOf(looped.summary.evaluationId);
    // A convert chore: the listing, a look at the CSV, and the loop's two commands are spent.
    expect(harnessCommands(runs.find((run) => run.task.key === "convert-01")!)).toEqual([
      "ls -la",
      "head -n 3 prices.csv",
    ]);

    // Round 2: the traces show the loop cut short after a listing: one command more, and the
    // listing up front, each alone. Either passes the conversions; neither yet the script fixes.
    const second = await proposeOffline(project.projectId, scratch, { iteration: 2 });
    expect(second.result.proposals.map((proposal) => proposal.dir)).toEqual([
      "proposals/2/1-more-turns",
      "proposals/2/2-listing-first",
      "proposals/2/3-shell-loop-more-turns-fresh",
    ]);
    const [moreTurns, listingFirst] = second.result.proposals;
    expect(moreTurns.source).toContain("maxTurns: 3,");
    expect(moreTurns.rationale).toMatch(
      /traces\/convert-01\.jsonl: the loop stopped after 2 model calls \(its limit is 2\) while the model was still at work: it ran `ls -la`, `head -n 3 prices\.csv`/,
    );
    const roomier = await addCandidate(project.projectId, moreTurns.source, model.url);
    expect(roomier.summary).toMatchObject({ status: "done", passed: 8 });
    expect(await passedKinds(roomier.summary.evaluationId)).toEqual(["convert", "log"]);
    const listed = await addCandidate(project.projectId, listingFirst.source, model.url);
    expect(listed.summary).toMatchObject({ status: "done", passed: 8 });

    // Round 3, from either of the two (they tie): the fixes still run out (listing, cat, sh,
    // fix), and the lead fix (the other of the two, or one command more) passes every chore.
    const third = await proposeOffline(project.projectId, scratch, { iteration: 3 });
    const [last] = third.result.proposals;
    expect([roomier.candidateId, listed.candidateId]).toContain(last.baseCandidateId);
    expect(last.rationale).toMatch(/traces\/fix-01\.jsonl: the loop stopped after \d model calls/);
    const done = await addCandidate(project.projectId, last.source, model.url);
    expect(done.summary).toMatchObject({ status: "done", tasks: 12, passed: 12, score: 1 });
    const fix = (await runsOf(done.summary.evaluationId)).find((run) => run.task.key === "fix-01")!;
    expect(harnessCommands(fix).slice(-3)).toEqual([
      "cat release.sh",
      "sh release.sh",
      "sed -i '/# BUG/s/^/# /' release.sh && sh release.sh",
    ]);
    // The model fixed the script after it had seen it fail: a request showed it the failure.
    const shown = fix.events
      .filter((event) => event.kind === "model_call")
      .map((event) => (event.body as { request: { body: { messages: { content: string }[] } } }).request.body)
      .map((request) => request.messages.at(-1)!.content);
    expect(shown.some((content) => /^\$ sh release\.sh\nFAIL: counted 0 of 6\n/.test(content))).toBe(true);
  });
});

/** The harness's own commands; the grader's are named "grader exec". */
function harnessCommands(run: Awaited<ReturnType<typeof runsOf>>[number]): string[] {
  return run.events
    .filter((event) => event.kind === "exec" && event.name !== "grader exec")
    .map((event) => event.name ?? "");
}

/** The kinds of chore (fix, log, convert) with every task passed, sorted. */
async function passedKinds(evaluationId: string): Promise<string[]> {
  const runs = await runsOf(evaluationId);
  const kinds = new Set(runs.map((run) => (run.task.meta as { kind: string }).kind));
  return [...kinds]
    .filter((kind) => runs.every((run) => (run.task.meta as { kind: string }).kind !== kind || run.status === "passed"))
    .sort();
}
