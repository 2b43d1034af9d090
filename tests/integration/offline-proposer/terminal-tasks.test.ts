// The terminal-tasks example end to end: it loads; its module grader scores the task folder (1
// when solved, 0 when untouched, for every kind), run by the real evaluation engine in the
// sandbox; under the offline model its plain seed only lists the folder and fails, and the
// command loop the offline proposer writes from the seed's traces solves every search task.
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

  it("under the offline model the seed runs `ls -la` once and fails; the proposer's command loop passes every search task", async () => {
    const project = await exampleProject();
    const seed = await evaluate(project.seedCandidateId, model.url);
    expect(seed).toMatchObject({ status: "done", tasks: 12, passed: 0, score: 0 });
    for (const run of await runsOf(seed.evaluationId)) {
      // The harness's own commands; the grader's are named "grader exec".
      const execs = run.events.filter((event) => event.kind === "exec" && event.name !== "grader exec");
      expect(
        execs.map((event) => event.name),
        run.task.key,
      ).toEqual(["ls -la"]);
      expect(
        run.events.filter((event) => event.kind === "model_call"),
        run.task.key,
      ).toHaveLength(1);
    }

    const { result, workspaceDir } = await proposeOffline(project.projectId, scratch);
    expect(result.stopReason).toBe("done");
    const loop = result.proposals[0];
    expect(loop).toMatchObject({ axis: "exploit", baseCandidateId: project.seedCandidateId });
    // Only the loop: the listing the seed returned is no wrapped answer of the model's.
    expect(result.proposals.map((proposal) => proposal.dir)).toEqual([
      "proposals/1/1-shell-loop",
      "proposals/1/2-shell-loop-fresh",
    ]);
    expect(loop.source).toContain("messages.push(");
    expect(loop.rationale).toMatch(
      /candidates\/\S+\/traces\/fix-01\.jsonl: the model replied `ls -la`; the harness ran `ls -la` once/,
    );
    for (const file of loop.rationale.match(/candidates\/\S+\.jsonl/g) ?? [])
      expect(fs.existsSync(path.join(workspaceDir, file)), file).toBe(true);

    const improved = await addCandidate(project.projectId, loop.source, model.url);
    expect(improved.summary).toMatchObject({ status: "done", tasks: 12, passed: 12, score: 1 });
    // The loop: explore, act on what it saw, then stop when the model says DONE.
    const runs = await runsOf(improved.summary.evaluationId);
    const fix = runs.find((run) => run.task.key === "fix-01")!;
    expect(
      fix.events.filter((event) => event.kind === "exec" && event.name !== "grader exec").map((event) => event.name),
    ).toEqual(["ls -la", expect.stringMatching(/^sed -i '\/# BUG\/s\/\^\/# \/' \S+\.sh && sh \S+\.sh$/)]);
    const calls = fix.events.filter((event) => event.kind === "model_call");
    expect(calls).toHaveLength(3);
    const lastRequest = calls[2].body as { request: { body: { messages: { content: string }[] } } };
    expect(lastRequest.request.body.messages.at(-1)!.content).toMatch(/^\$ sed -i .*\nOK\n/);
  });
});
