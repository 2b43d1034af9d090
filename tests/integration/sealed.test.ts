// The held-out split is sealed from every proposer. A project whose seed and candidates carry
// distinctive test scores (3/7, 5/7) on test tasks with distinctive ids, inputs and answers runs
// two iterations of the Claude proposer against a fake Anthropic server; the loop then scores
// the frontier on test. Nothing of the test split may reach the proposer: not in any request
// body the fake received (tool results included), not in the workspace the loop built, not in
// the workspace `studio export` writes afterwards. The search material must be there, so the
// check can fail. Also: retired default instructions move to today's default, a person's own never.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { startFakeAnthropic, type FakeAnthropic, type FakeRequest, type FakeReply } from "../fakes/anthropic-server.ts";
import { runCli, studioEnv } from "../helpers/studio.ts";
import { createProject } from "../../lib/projects/create.ts";
import { prepareEvaluation, runEvaluation } from "../../lib/evaluations/run.ts";
import { createOptimization, runOptimization } from "../../lib/loop/optimization.ts";
import { workspaceDir } from "../../lib/iterations/run.ts";
import { DEFAULT_INSTRUCTIONS, RETIRED_DEFAULTS_SHA256 } from "../../lib/instructions/defaults.ts";
import { currentInstructions, saveInstructions, UPGRADE_NOTE } from "../../lib/instructions/versions.ts";
import { sha256 } from "../../lib/runner/sandbox/compile.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-sealed-test-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");

/** Held-out material: every one of these must stay out of the proposer's reach. */
const MARKER = "vault-marker-x41";
const TEST_BASE = 212121.125; // inputs 212121.125…; answers 424242.25…
const testTasks = Array.from({ length: 7 }, (_, i) => ({
  id: `vault-q${i + 1}`,
  input: { n: TEST_BASE + i, note: MARKER },
  expected: 2 * (TEST_BASE + i),
  split: "test",
}));
const searchTasks = ["s-a", "s-b", "s-c", "s-d"].map((id, i) => ({
  id,
  input: { n: i + 1 },
  expected: 2 * (i + 1),
  split: "search",
}));

// Right on s-a..s-c, wrong on s-d (search 3/4); on big inputs right for 3 of every 7 (test 3/7).
// 212121 is a multiple of 7, so the test tasks' remainders are 0..6.
const SEED = `export default {
  async run(task: { id: string; input: { n: number } }) {
    if (task.id === "s-d") return task.input.n * 3;
    return task.input.n > 1000 && Math.floor(task.input.n) % 7 >= 3 ? 0 : task.input.n * 2;
  },
};
`;
// Right on every search task (4/4); on big inputs right for 5 of every 7 (test 5/7).
const fixed = (iteration: number) => `// iteration ${iteration}: s-d was tripled
export default {
  async run(task: { input: { n: number } }) {
    return task.input.n > 1000 && Math.floor(task.input.n) % 7 >= 5 ? 0 : task.input.n * 2;
  },
};
`;

let fake: FakeAnthropic;
let projectId: string;
let seedId: string;

function toolUse(name: string, input: unknown): FakeReply {
  return { content: [{ type: "tool_use", name, input }], stopReason: "tool_use" };
}

/** The proposer: reads the standings, greps for anything held out, writes one fix, finishes. */
function proposer(request: FakeRequest): FakeReply {
  const messages = request.body.messages as { role: string; content: unknown }[];
  const turn = messages.filter((message) => message.role === "assistant").length;
  const iteration = Number(/# Iteration (\d+)/.exec(JSON.stringify(messages[0].content))?.[1]);
  const dir = `proposals/${iteration}/fix`;
  const steps: FakeReply[] = [
    toolUse("read_file", { path: "README.md" }),
    toolUse("read_file", { path: "leaderboard.md" }),
    toolUse("read_file", { path: `candidates/${seedId}/scores.json` }),
    toolUse("read_file", { path: `candidates/${seedId}/traces/s-d.jsonl` }),
    toolUse("read_file", { path: "frontier.json" }),
    toolUse("read_file", { path: "per-task-best.json" }),
    toolUse("list_dir", { path: "tasks" }),
    toolUse("grep", { pattern: "test|vault|held|0\\.4|0\\.7|/7", ignore_case: true }),
    toolUse("write_file", { path: `${dir}/harness.ts`, content: fixed(iteration) }),
    toolUse("finish", {
      proposals: [
        {
          path: `${dir}/harness.ts`,
          hypothesis: "Doubling s-d instead of tripling it passes it.",
          axis: "exploit",
          base_candidate_id: seedId,
          rationale: `candidates/${seedId}/traces/s-d.jsonl shows 12 where 8 was expected.`,
        },
      ],
    }),
  ];
  return steps[turn] ?? { text: "Done." };
}

beforeAll(async () => {
  fake = await startFakeAnthropic({
    respond: (request) =>
      (request.body.tools ?? []).some((tool: { name: string }) => tool.name === "read_file")
        ? proposer(request)
        : { text: "unused" },
  });
  const suiteDir = path.join(scratch, "suite");
  fs.mkdirSync(suiteDir);
  fs.writeFileSync(
    path.join(suiteDir, "suite.json"),
    JSON.stringify({
      name: "Sealed doubling",
      description: "Double n.",
      mode: "independent",
      grader: { type: "numeric" },
    }),
  );
  // Test tasks between search tasks: positions in the workspace must not show the gaps.
  const tasks = [
    searchTasks[0],
    testTasks[0],
    searchTasks[1],
    ...testTasks.slice(1, 4),
    ...searchTasks.slice(2),
    ...testTasks.slice(4),
  ];
  fs.writeFileSync(path.join(suiteDir, "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(scratch, "seed.ts"), SEED);
  const created = await createProject({ suiteDir, harnessFile: path.join(scratch, "seed.ts") });
  projectId = created.projectId;
  seedId = created.seedCandidateId;
  await db.project.update({ where: { id: projectId }, data: { candidatesPerIteration: 1 } });
});

afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function evaluate(candidateId: string, split: "search" | "test") {
  const { evaluationId } = await prepareEvaluation(candidateId, split);
  return runEvaluation(evaluationId, { upstreamUrl: fake.url, apiKey: "k" });
}

/** Every file below `root`, relative, except the builder's own bookkeeping. */
function listTree(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)))
    .filter((file) => !file.startsWith(".studio"));
}

/** What a leak would look like: test ids, inputs, answers, scores (as the studio writes them), counts, evaluation ids. */
async function heldOutNeedles(): Promise<string[]> {
  const evaluations = await db.evaluation.findMany({
    where: { split: "test", candidate: { projectId } },
    select: { id: true, score: true, passedCount: true, taskCount: true, taskRuns: { select: { id: true } } },
  });
  return [
    MARKER,
    "vault-q",
    "212121",
    "424242",
    ...evaluations.flatMap((evaluation) => [
      evaluation.id,
      String(evaluation.score), // as JSON holds it
      `${evaluation.score!.toFixed(3)} (`, // as the leaderboard would show it
      `(${evaluation.passedCount}/${evaluation.taskCount})`,
      ...evaluation.taskRuns.map((run) => run.id),
    ]),
    "7 tasks",
    "held out",
  ];
}

/** Fails with the file and the needle when anything held out is in `root`; returns what was read. */
function expectSealed(root: string, needles: string[]): string {
  let all = "";
  for (const file of listTree(root)) {
    const text = fs.readFileSync(path.join(root, file), "utf8");
    all += text;
    for (const needle of needles) expect(text.includes(needle), `${file} contains ${needle}`).toBe(false);
    // The studio's own files name the held-out split once, in README.md, to say it is sealed.
    if (file.endsWith(".jsonl") || file.endsWith(".ts")) continue;
    const lines = text.split("\n").filter((line) => /\btest\b|held-out|"test"/i.test(line));
    expect(lines, file).toEqual(file === "README.md" ? [expect.stringContaining("The held-out split is sealed")] : []);
  }
  return all;
}

describe("the held-out split", () => {
  it("never reaches the proposer: not its requests, not the loop's workspace, not an export after test evaluations", async () => {
    expect(await evaluate(seedId, "search")).toMatchObject({ status: "done", score: 0.75 });
    expect(await evaluate(seedId, "test")).toMatchObject({ status: "done", passed: 3, tasks: 7 });

    const optimizationId = await createOptimization(projectId, 2, { kind: "claude" });
    const result = await runOptimization(optimizationId, { upstreamUrl: fake.url, apiKey: "k" });
    expect(result).toMatchObject({ status: "done", iterationsDone: 2 });

    // Each iteration wrote its fix, valid, scoring 4/4 on search.
    const proposed = await db.candidate.findMany({
      where: { projectId, origin: "proposer" },
      orderBy: { number: "asc" },
      select: { id: true, iterationNumber: true, status: true, evaluations: { select: { split: true, score: true } } },
    });
    expect(proposed.map((candidate) => [candidate.iterationNumber, candidate.status])).toEqual([
      [1, "valid"],
      [2, "valid"],
    ]);
    // The loop scored the frontier on test. The two fixes score 4/4 at no tokens, within noise of the seed's
    // 3/4 (their 95% intervals overlap): the selection rule keeps one fix, the cheapest, alone (5/7 on test).
    for (const candidate of proposed)
      expect(candidate.evaluations.find((evaluation) => evaluation.split === "search")?.score).toBe(1);
    const tested = proposed.filter((candidate) =>
      candidate.evaluations.some((evaluation) => evaluation.split === "test"),
    );
    expect(tested).toHaveLength(1);
    expect(tested[0].evaluations.find((evaluation) => evaluation.split === "test")?.score).toBeCloseTo(5 / 7, 10);
    const needles = await heldOutNeedles();
    expect(needles).toEqual(expect.arrayContaining(["0.429 (", "(3/7)", "0.714 (", "(5/7)"]));

    // Every request the proposer made: instructions, brief, and each tool result it read.
    const requests = fake.requests.filter((request) =>
      (request.body.tools ?? []).some((tool: { name: string }) => tool.name === "read_file"),
    );
    expect(requests).toHaveLength(2 * 10);
    // What reached the proposer (its own tool calls aside): instructions, tools, brief, tool results.
    const sent = requests
      .map(({ body }) =>
        JSON.stringify([
          body.system,
          body.tools,
          body.messages.filter((message: { role: string }) => message.role === "user"),
        ]),
      )
      .join("\n");
    expect(sent).toContain('\\"status\\":\\"failed\\"'); // scores.json came back in a tool result
    for (const needle of needles) expect(sent.includes(needle), `a proposer request contains ${needle}`).toBe(false);
    expect(sent).not.toMatch(/\btest\b/i);
    // ...while the search material did reach it, so the checks above can fail.
    expect(sent).toContain("0.750 (3/4)");
    expect(sent).toContain(`candidates/${seedId}/traces/s-d.jsonl`);
    expect(sent).toContain('\\"expected\\":8'); // the s-d trace's grade event
    expect(sent).toContain("The held-out split is sealed");

    // The loop's own workspace, and an export made after the frontier's test evaluations.
    const loopFiles = expectSealed(workspaceDir(projectId), needles);
    const out = path.join(scratch, "exported");
    const exported = await runCli(
      ["export", "--project", projectId, "--out", out],
      studioEnv({ DATABASE_URL: inject("databaseUrl") }),
    );
    expect(exported.code, exported.stderr).toBe(0);
    const exportedFiles = expectSealed(out, needles);
    for (const files of [loopFiles, exportedFiles]) {
      expect(files).toContain("0.750 (3/4)");
      expect(files).toContain('"kind":"grade"');
      expect(files).toContain('"expected":8');
    }
    expect(
      listTree(out)
        .filter((file) => file.startsWith("tasks/"))
        .sort(),
    ).toEqual(searchTasks.map((task) => `tasks/${task.id}.json`));
    const positions = searchTasks.map(
      (task) => JSON.parse(fs.readFileSync(path.join(out, "tasks", `${task.id}.json`), "utf8")).position,
    );
    expect(positions).toEqual([0, 1, 2, 3]);
    const leaderboard = fs.readFileSync(path.join(out, "leaderboard.md"), "utf8");
    expect(leaderboard).toContain("| rank | # | id | search | 95% interval | tokens/task |");
  });
});

describe("default instructions", () => {
  const retired = fs.readFileSync(
    path.resolve(import.meta.dirname, "../fixtures/instructions/retired-default-1.md"),
    "utf8",
  );
  // The default from before the proposer had a shell: sealed already, but no prototyping.
  const beforeShell = fs.readFileSync(
    path.resolve(import.meta.dirname, "../fixtures/instructions/retired-default-2.md"),
    "utf8",
  );

  async function projectWith(texts: string[]): Promise<string> {
    const created = await createProject({
      suiteDir: path.join(scratch, "suite"),
      harnessFile: path.join(scratch, "seed.ts"),
    });
    for (const [index, text] of texts.entries())
      await db.instructionVersion.create({ data: { projectId: created.projectId, version: index + 1, text } });
    return created.projectId;
  }

  it("name the held-out split only to say it is sealed", () => {
    const heldOut = DEFAULT_INSTRUCTIONS.match(/.*held-out.*/g) ?? [];
    expect(heldOut.length).toBeGreaterThan(0);
    for (const line of heldOut) expect(line).toMatch(/held-out split (is sealed|anywhere: it is sealed)/);
    expect(DEFAULT_INSTRUCTIONS).not.toMatch(/\btest\b/i);
    expect(retired).toMatch(/test split/); // the fixture is the old text
    expect(RETIRED_DEFAULTS_SHA256).toContain(sha256(retired));
    expect(beforeShell).not.toMatch(/\btest\b/i);
    expect(beforeShell).not.toContain("Prototype before you write");
    expect(DEFAULT_INSTRUCTIONS).toContain("Prototype before you write");
    expect(RETIRED_DEFAULTS_SHA256).toContain(sha256(beforeShell));
    expect(RETIRED_DEFAULTS_SHA256).not.toContain(sha256(DEFAULT_INSTRUCTIONS));
  });

  it("replace a retired default with a new version when loaded, once, and never touch a person's text", async () => {
    const old = await projectWith([retired]);
    const upgraded = await currentInstructions(old);
    expect(upgraded).toMatchObject({ version: 2, text: DEFAULT_INSTRUCTIONS });
    expect(await currentInstructions(old)).toEqual(upgraded);
    const versions = await db.instructionVersion.findMany({
      where: { projectId: old },
      orderBy: { version: "asc" },
      select: { version: true, text: true, note: true },
    });
    expect(versions).toEqual([
      { version: 1, text: retired, note: null }, // history is kept as it was
      { version: 2, text: DEFAULT_INSTRUCTIONS, note: UPGRADE_NOTE },
    ]);
    // Every earlier default moves on, the one from before the shell too.
    const shellless = await projectWith([beforeShell]);
    expect(await currentInstructions(shellless)).toMatchObject({ version: 2, text: DEFAULT_INSTRUCTIONS });
    // Loads at once make one new version, not two.
    const racing = await projectWith([retired]);
    const both = await Promise.all([currentInstructions(racing), currentInstructions(racing)]);
    expect(both.map((version) => version.version)).toEqual([2, 2]);
    expect(await db.instructionVersion.count({ where: { projectId: racing } })).toBe(2);

    // A person's own text stays, even after a retired default and even when it quotes one.
    const custom = "Read the failing traces first.\n";
    const edited = await projectWith([retired, custom]);
    expect(await currentInstructions(edited)).toMatchObject({ version: 2, text: custom });
    const quoted = await projectWith([`${retired}\nAlso: keep prompts short.\n`]);
    expect(await currentInstructions(quoted)).toMatchObject({ version: 1 });
    // Saving a retired default by hand is a person's choice, until the next load moves it on.
    const fresh = await projectWith([]);
    expect(await currentInstructions(fresh)).toMatchObject({ version: 1, text: DEFAULT_INSTRUCTIONS });
    expect(await saveInstructions(fresh, custom)).toMatchObject({ version: 2, created: true });
  });
});
