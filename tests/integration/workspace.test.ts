// The proposer's workspace, built from a real database: a project with a seed, a child made
// "by the proposer" (it calls a fake Anthropic server, so it has tokens), a child of both
// that is evaluated later, and a candidate rejected after it ran. Checks the tree, that traces
// are raw and whole, that nothing of the test split is written (it is sealed), lineage, rankings,
// the frontier, incremental rebuilds, and `studio export` run as a person runs it.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { runCli, studioEnv } from "../helpers/studio.ts";
import { createProject } from "../../lib/projects/create.ts";
import { prepareEvaluation, runEvaluation } from "../../lib/evaluations/run.ts";
import { sha256 } from "../../lib/runner/sandbox/compile.ts";
import { buildWorkspace } from "../../lib/workspace/build.ts";
import { planPages } from "../../lib/workspace/traces.ts";

const SEARCH_KEYS = ["s-one", "s-two", "s-wrong", "s-throw", "s-big"];
const TEST_KEYS = ["heldout-zeta-7", "heldout-eta-8"];
/** In the test tasks' inputs, so in their traces (logs, model requests): must never reach a file. */
const TEST_MARKER = "withheld-marker-q9";

const suiteJson = {
  name: "Doubling workshop",
  description: "Each input holds a number n.\nAnswer with twice that number.",
  mode: "independent",
  grader: { type: "numeric" },
  timeoutMs: 20_000,
};
const searchTasks = SEARCH_KEYS.map((id, i) => ({ id, input: { n: i + 1 }, expected: 2 * (i + 1), split: "search" }));
const testTasks = TEST_KEYS.map((id, i) => ({
  id,
  input: { n: 10 + i, tag: TEST_MARKER },
  expected: 2 * (10 + i),
  split: "test",
}));
// A held-out task sits between search tasks: the workspace's positions must not show the gap.
const tasks = [searchTasks[0], testTasks[0], ...searchTasks.slice(1), testTasks[1]];

// Needs no model: right on three search tasks, wrong on s-wrong, throws on s-throw; s-big prints 300 kB.
const seedSource = `
export default {
  async run(task: { id: string; input: { n: number; tag?: string } }, ctx: { log: (value: unknown) => void }) {
    ctx.log({ task: task.id, input: task.input });
    if (task.id === "s-throw") throw new Error("seed cannot handle " + task.id);
    if (task.id === "s-big") console.log("B".repeat(300000));
    if (task.id === "s-wrong") return task.input.n * 3;
    console.log("doubling " + task.id);
    return task.input.n * 2;
  },
};
`;
// Asks the model on s-wrong and on test tasks (with their tag in the prompt): fixes s-wrong, spends tokens.
const childSource = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { id: string; input: { n: number; tag?: string } }, ctx: { model: Anthropic; log: (value: unknown) => void }) {
    ctx.log({ task: task.id, input: task.input });
    if (task.id === "s-throw") throw new Error("still cannot handle " + task.id);
    if (task.id !== "s-wrong" && !task.input.tag) return task.input.n * 2;
    const reply = await ctx.model.messages.create({ model: "claude-sonnet-5-5", max_tokens: 32, messages: [{ role: "user", content: "Double " + task.input.n + " " + (task.input.tag ?? "") }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};
`;
// Spends tokens on every task and is always wrong: dominated once evaluated.
const wastefulSource = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: { n: number } }, ctx: { model: Anthropic }) {
    await ctx.model.messages.create({ model: "claude-sonnet-5-5", max_tokens: 32, messages: [{ role: "user", content: "Double " + task.input.n }] });
    return -1;
  },
};
`;
const rejectedSource = `export default { async run(task: { input: { n: number } }) { return task.input.n * 2; } };\n`;
const REJECT_REASON = "Hard-codes the answers of the search tasks.\nRefused by review after its evaluation.";

let fake: FakeAnthropic;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-workspace-test-"));
let projectId: string;
let seed: string;
let child: string;
let wasteful: string;
let rejected: string;

beforeAll(async () => {
  fake = await startFakeAnthropic({
    respond: (request) => {
      const asked = /Double (\d+)/.exec(JSON.stringify(request.body.messages ?? []));
      return { text: asked ? `The answer is ${2 * Number(asked[1])}.` : "I do not know." };
    },
  });
  const suiteDir = writeSuite(path.join(scratch, "suite"));
  fs.writeFileSync(path.join(scratch, "seed.ts"), seedSource);
  const created = await createProject({ suiteDir, harnessFile: path.join(scratch, "seed.ts") });
  projectId = created.projectId;
  seed = created.seedCandidateId;
  child = await addCandidate(
    2,
    childSource,
    {
      origin: "proposer",
      iterationNumber: 1,
      rationale: "Ask the model where arithmetic went wrong.",
      hypothesis: "s-wrong fails because the seed triples.",
      axis: "exploit",
    },
    [seed],
  );
  wasteful = await addCandidate(3, wastefulSource, { origin: "person", rationale: "Always ask the model." }, [
    seed,
    child,
  ]);
  rejected = await addCandidate(
    4,
    rejectedSource,
    { origin: "proposer", iterationNumber: 1, hypothesis: "Answers can be looked up." },
    [child],
  );
  for (const candidate of [seed, child, rejected]) {
    await evaluate(candidate, "search");
    await evaluate(candidate, "test");
  }
  await db.candidate.update({ where: { id: rejected }, data: { status: "rejected", rejectReason: REJECT_REASON } });
});

afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

function writeSuite(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "suite.json"), JSON.stringify(suiteJson));
  fs.writeFileSync(path.join(dir, "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n") + "\n");
  fs.mkdirSync(path.join(dir, "env", "s-big", "data"), { recursive: true });
  fs.writeFileSync(path.join(dir, "env", "s-big", "data", "notes.txt"), "a file the task starts with");
  fs.writeFileSync(path.join(dir, "env", "s-big", "README"), "another");
  return dir;
}

async function addCandidate(
  number: number,
  source: string,
  data: {
    origin: "proposer" | "person";
    iterationNumber?: number;
    rationale?: string;
    hypothesis?: string;
    axis?: string;
  },
  parents: string[],
): Promise<string> {
  const candidate = await db.candidate.create({
    data: {
      projectId,
      number,
      source,
      sha256: sha256(source),
      status: "valid",
      ...data,
      parents: { create: parents.map((parentId) => ({ parentId })) },
    },
    select: { id: true },
  });
  return candidate.id;
}

async function evaluate(candidateId: string, split: "search" | "test", fresh = false, trials?: number) {
  const { evaluationId } = await prepareEvaluation(candidateId, split, { fresh, trials });
  // One lane with trials: the flaky harness counts its runs in the worker it keeps.
  const concurrency = trials ? 1 : 3;
  const summary = await runEvaluation(evaluationId, { upstreamUrl: fake.url, apiKey: "test-key", concurrency });
  expect(summary.status).toBe("done");
  return summary;
}

/** The newest finished search evaluation of a candidate, as the workspace must use it. */
async function latestSearchRuns(candidateId: string) {
  const evaluation = await db.evaluation.findFirstOrThrow({
    where: { candidateId, split: "search", status: "done" },
    orderBy: { finishedAt: "desc" },
    select: { id: true },
  });
  return db.taskRun.findMany({
    where: { evaluationId: evaluation.id },
    select: { id: true, task: { select: { key: true } } },
  });
}

/** Every file below `root` as relative posix paths, sorted. */
function listTree(root: string, skip: string[] = []): string[] {
  const out: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (skip.includes(child)) continue;
      if (entry.isDirectory()) walk(child);
      else out.push(child);
    }
  };
  walk("");
  return out.sort();
}

/** path → sha256 of the workspace's own files (not proposals/, not the manifest). */
function snapshot(root: string): Map<string, string> {
  return new Map(
    listTree(root, [".studio", "proposals"]).map((file) => [
      file,
      createHash("sha256")
        .update(fs.readFileSync(path.join(root, file)))
        .digest("hex"),
    ]),
  );
}

function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  return [...new Set([...before.keys(), ...after.keys()])]
    .filter((file) => before.get(file) !== after.get(file))
    .sort();
}

const readJson = (root: string, file: string) => JSON.parse(fs.readFileSync(path.join(root, file), "utf8"));

describe("the workspace of a project", () => {
  const ws = path.join(scratch, "workspace");

  it("lays out the tree: README, candidates with source, meta, scores and search traces, rejected apart", async () => {
    const started = performance.now();
    const stats = await buildWorkspace(projectId, ws);
    console.log(
      `workspace build (4 candidates, 15 search traces): ${Math.round(performance.now() - started)} ms, ${stats.files} files, ${stats.bytes} bytes`,
    );

    const traces = (id: string, dir = "candidates") => SEARCH_KEYS.map((key) => `${dir}/${id}/traces/${key}.jsonl`);
    const expected = [
      "README.md",
      "frontier.json",
      "leaderboard.md",
      "per-task-best.json",
      ...SEARCH_KEYS.map((key) => `tasks/${key}.json`),
      ...[seed, child, wasteful].flatMap((id) => [
        `candidates/${id}/harness.ts`,
        `candidates/${id}/meta.json`,
        `candidates/${id}/scores.json`,
      ]),
      // Beside the traces of each candidate that was evaluated on search.
      `candidates/${seed}/audit.json`,
      `candidates/${child}/audit.json`,
      `rejected/${rejected}/audit.json`,
      ...traces(seed),
      ...traces(child),
      `rejected/${rejected}/harness.ts`,
      `rejected/${rejected}/reason.md`,
      ...traces(rejected, "rejected"),
    ].sort();
    expect(listTree(ws, [".studio", "proposals"])).toEqual(expected);
    expect(fs.statSync(path.join(ws, "proposals")).isDirectory()).toBe(true);
    expect(stats).toMatchObject({
      dir: ws,
      written: expected.length,
      unchanged: 0,
      removed: 0,
      files: expected.length,
    });
    expect(stats.bytes).toBe(expected.reduce((sum, file) => sum + fs.statSync(path.join(ws, file)).size, 0));

    expect(fs.readFileSync(path.join(ws, `candidates/${child}/harness.ts`), "utf8")).toBe(childSource);
    expect(fs.readFileSync(path.join(ws, `rejected/${rejected}/harness.ts`), "utf8")).toBe(rejectedSource);
    expect(readJson(ws, "tasks/s-wrong.json")).toEqual({
      key: "s-wrong",
      split: "search",
      position: 2,
      input: { n: 3 },
      meta: null,
      files: [],
    });
    expect(readJson(ws, "tasks/s-big.json").files).toEqual(["README", "data/notes.txt"]);

    const readme = fs.readFileSync(path.join(ws, "README.md"), "utf8");
    for (const text of [
      "Doubling workshop",
      "> Each input holds a number n.\n> Answer with twice that number.",
      "mode: **independent**",
      "search split: 5 tasks",
      "The held-out split is sealed",
      "time limit: 20 s",
      "async run(task, ctx)",
      "async learn(task, feedback, ctx)",
      "ctx.exec",
      "`@anthropic-ai/sdk`",
      "There is no expected answer",
      "grader: **numeric**",
      "at least **1**",
      "candidates per iteration: 3",
      "proposals/<n>/",
      "`claude-sonnet-5-5`",
    ]) {
      expect(readme).toContain(text);
    }
    expect(readme).not.toMatch(/\btest split\b|2 tasks/);
    // Positions count within the search split: s-one is 0 and s-two 1, though a test task lies between.
    expect(SEARCH_KEYS.map((key) => readJson(ws, `tasks/${key}.json`).position)).toEqual([0, 1, 2, 3, 4]);
  });

  it("writes each search trace raw and whole: every event, full bodies, in seq order", async () => {
    let compared = 0;
    for (const [candidateId, dir] of [
      [seed, "candidates"],
      [child, "candidates"],
      [rejected, "rejected"],
    ] as const) {
      for (const run of await latestSearchRuns(candidateId)) {
        const lines = fs
          .readFileSync(path.join(ws, dir, candidateId, "traces", `${run.task.key}.jsonl`), "utf8")
          .trimEnd()
          .split("\n")
          .map((line) => JSON.parse(line));
        const events = await db.traceEvent.findMany({ where: { taskRunId: run.id }, orderBy: { seq: "asc" } });
        expect(events.length).toBeGreaterThan(1);
        expect(lines).toHaveLength(events.length);
        lines.forEach((line, index) => {
          const event = events[index];
          expect(line).toMatchObject({
            kind: event.kind,
            seq: event.seq,
            time: event.time.toISOString(),
            bodyBytes: event.bodyBytes,
          });
          expect(line.body).toEqual(event.body);
          if (event.kind === "model_call") {
            expect(line).toMatchObject({
              "gen_ai.system": "anthropic",
              "gen_ai.request.model": event.genAiRequestModel,
              "gen_ai.response.finish_reasons": event.genAiResponseFinishReasons,
              "gen_ai.usage.input_tokens": event.genAiUsageInputTokens,
              "gen_ai.usage.output_tokens": event.genAiUsageOutputTokens,
            });
          }
        });
        expect(lines.map((line) => line.seq)).toEqual(events.map((_, index) => index));
        compared++;
      }
    }
    expect(compared).toBe(15);

    // The 300 kB line the seed printed is there whole, not a preview.
    const big = fs
      .readFileSync(path.join(ws, "candidates", seed, "traces", "s-big.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    expect(
      big
        .filter((line) => line.kind === "stdout")
        .map((line) => line.body.text)
        .join(""),
    ).toContain("B".repeat(300_000));
    // A model call keeps its request and response.
    const fixed = fs
      .readFileSync(path.join(ws, "candidates", child, "traces", "s-wrong.jsonl"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
    const call = fixed.find((line) => line.kind === "model_call");
    expect(call.body.request.body.messages[0].content).toBe("Double 3 ");
    expect(call.body.response.body.content[0].text).toBe("The answer is 6.");
    expect(fixed.at(-1)).toMatchObject({ kind: "grade", body: { passed: true, expected: 6 } });
  });

  it("writes the same bytes when traces are fetched in tiny pages", async () => {
    const paged = path.join(scratch, "paged");
    await buildWorkspace(projectId, paged, { pageBytes: 1024 });
    expect(snapshot(paged)).toEqual(snapshot(ws));
  });

  it("withholds the test split: no trace, task key, input or task run of it anywhere", async () => {
    const testRuns = await db.taskRun.findMany({
      where: { task: { split: "test" }, evaluation: { candidate: { projectId } } },
      select: { id: true },
    });
    expect(testRuns.length).toBe(6); // the marker below is really in the database
    const leakedFromDb = await db.traceEvent.count({
      where: { taskRunId: { in: testRuns.map((run) => run.id) }, preview: { contains: TEST_MARKER } },
    });
    expect(leakedFromDb).toBeGreaterThan(0);

    const needles = [...TEST_KEYS, TEST_MARKER, ...testRuns.map((run) => run.id)];
    for (const file of listTree(ws)) {
      const text = fs.readFileSync(path.join(ws, file), "utf8");
      for (const needle of needles) expect(text.includes(needle), `${file} contains ${needle}`).toBe(false);
    }
    // Not even in aggregate: no test score, count or column anywhere.
    const scores = readJson(ws, `candidates/${seed}/scores.json`);
    expect(Object.keys(scores)).toEqual(["id", "number", "search", "tasks"]);
    expect(scores.tasks.map((task: { key: string }) => task.key)).toEqual(SEARCH_KEYS);
    const testEvaluations = await db.evaluation.findMany({
      where: { split: "test", candidate: { projectId } },
      select: { id: true, passedCount: true, taskCount: true },
    });
    expect(testEvaluations.length).toBe(3);
    for (const file of listTree(ws, [".studio"])) {
      const text = fs.readFileSync(path.join(ws, file), "utf8");
      for (const evaluation of testEvaluations) expect(text, file).not.toContain(evaluation.id);
      if (file.endsWith(".jsonl") || file.endsWith(".ts")) continue; // raw records and sources are not ours to word
      expect(text, file).not.toMatch(/\btest\b|\(2\/2\)|"test":/i);
    }
  });

  it("records lineage and scores per candidate", async () => {
    const meta = readJson(ws, `candidates/${child}/meta.json`);
    expect(meta).toEqual({
      id: child,
      number: 2,
      parents: [{ number: 1, id: seed }],
      iteration: 1,
      origin: "proposer",
      status: "valid",
      rationale: "Ask the model where arithmetic went wrong.",
      hypothesis: "s-wrong fails because the seed triples.",
      axis: "exploit",
      simulated: false,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      sha256: sha256(childSource),
    });
    expect(readJson(ws, `candidates/${wasteful}/meta.json`).parents).toEqual([
      { number: 1, id: seed },
      { number: 2, id: child },
    ]);
    expect(readJson(ws, `candidates/${seed}/meta.json`)).toMatchObject({
      number: 1,
      parents: [],
      origin: "seed",
      iteration: null,
    });

    const seedScores = readJson(ws, `candidates/${seed}/scores.json`);
    expect(seedScores.search).toMatchObject({
      score: 0.6,
      tasks: 5,
      passed: 3,
      failed: 1,
      errors: 1,
      inputTokens: 0,
      outputTokens: 0,
      tokensPerTask: 0,
    });
    const byKey = Object.fromEntries(seedScores.tasks.map((task: { key: string }) => [task.key, task]));
    expect(byKey["s-wrong"]).toMatchObject({ status: "failed", score: 0, trace: "traces/s-wrong.jsonl" });
    expect(byKey["s-throw"]).toMatchObject({
      status: "error",
      score: 0,
      errorKind: "throw",
      error: expect.stringContaining("seed cannot handle s-throw"),
    });
    expect(byKey["s-one"]).toMatchObject({ status: "passed", score: 1 });
    expect(byKey["s-one"].errorKind).toBeUndefined();

    const childScores = readJson(ws, `candidates/${child}/scores.json`);
    const dbChild = await db.evaluation.findFirstOrThrow({ where: { candidateId: child, split: "search" } });
    expect(childScores.search).toMatchObject({
      evaluationId: dbChild.id,
      score: 0.8,
      passed: 4,
      inputTokens: dbChild.inputTokens,
      outputTokens: dbChild.outputTokens,
    });
    expect(childScores.search.tokensPerTask).toBe(
      Math.round(((dbChild.inputTokens + dbChild.outputTokens) / 5) * 10) / 10,
    );
    expect(childScores.search.tokensPerTask).toBeGreaterThan(0);

    expect(readJson(ws, `candidates/${wasteful}/scores.json`)).toEqual({
      id: wasteful,
      number: 3,
      search: null,
      tasks: [],
    });

    // One compact line per task, so a plain grep finds failures.
    const failing = fs
      .readFileSync(path.join(ws, `candidates/${seed}/scores.json`), "utf8")
      .split("\n")
      .filter((line) => line.includes('"status":"failed"'));
    expect(failing).toHaveLength(1);
    expect(failing[0]).toContain('"key":"s-wrong"');
  });

  it("ranks the leaderboard by the selection rule, marks the frontier, and lists rejected candidates apart", async () => {
    const board = fs.readFileSync(path.join(ws, "leaderboard.md"), "utf8");
    const [ranked, rejectedPart] = board.split("## Rejected");
    const rows = ranked
      .split("\n")
      .filter((line) => /^\| (\d+|—) \| \d+ \|/.test(line))
      .map((line) => line.split(" | ").map((cell) => cell.replace(/^\| |\s*\|$/g, "")));
    // #2's 4/5 is within noise of the seed's 3/5 (their 95% intervals overlap on 5 tasks): a
    // tie, which goes to the seed, which spends no tokens.
    expect(rows.map((cells) => [cells[0], cells[1], cells[2]])).toEqual([
      ["1", "1", seed],
      ["2", "2", child],
      ["—", "3", wasteful],
    ]);
    expect(rows[1][3]).toBe("0.800 (4/5)");
    expect(rows[0][4]).toMatch(/^0\.\d{3}–0\.\d{3}$/); // the seed's interval
    expect(Number(rows[0][4].split("–")[0])).toBeLessThan(0.6);
    expect(board).not.toMatch(/\btest\b/i); // no test column, not even in aggregate
    expect(rows[0][7]).toBe("—");
    expect(rows[2][7]).toBe("#1 #2");
    expect(rows.map((cells) => cells[11])).toEqual(["★", "", ""]);
    expect(rejectedPart).toContain(`| 4 | ${rejected} | #2 | Hard-codes the answers of the search tasks. |`);
  });

  it("puts the frontier by the selection rule in frontier.json: #2 is within noise of the cheaper seed", async () => {
    const { frontier: points } = readJson(ws, "frontier.json");
    expect(points.map((point: { id: string }) => point.id)).toEqual([seed]);
    expect(points[0]).toMatchObject({ number: 1, score: 0.6, tokensPerTask: 0, dir: `candidates/${seed}/` });
  });

  it("says which candidates solve each search task, leaving rejected ones out", async () => {
    const best = readJson(ws, "per-task-best.json");
    expect(best.candidatesCompared).toBe(2);
    expect(best.unsolved).toEqual(["s-throw"]); // the rejected candidate passed it; it does not count
    const passedBy = Object.fromEntries(
      best.tasks.map((task: { key: string; passed: { number: number }[] }) => [
        task.key,
        task.passed.map((entry) => entry.number),
      ]),
    );
    expect(passedBy).toEqual({ "s-one": [1, 2], "s-two": [1, 2], "s-wrong": [2], "s-throw": [], "s-big": [1, 2] });
    expect(best.tasks.find((task: { key: string }) => task.key === "s-wrong").passed[0]).toEqual({
      number: 2,
      id: child,
    });
  });

  it("keeps a rejected candidate's source, reason and traces under rejected/", async () => {
    const reason = fs.readFileSync(path.join(ws, "rejected", rejected, "reason.md"), "utf8");
    expect(reason).toContain(`# Rejected: candidate #4 (${rejected})`);
    expect(reason).toContain(REJECT_REASON);
    expect(reason).toContain(`#2 (candidates/${child}/)`);
    expect(reason).toContain("Hypothesis: Answers can be looked up.");
    expect(reason).toContain("search score before it was rejected: 1.000 (5/5)");
    expect(fs.existsSync(path.join(ws, "candidates", rejected))).toBe(false);
  });

  it("rebuilds incrementally: nothing when nothing changed, only what a new evaluation touched, proposals/ untouched", async () => {
    const again = await buildWorkspace(projectId, ws);
    expect(again).toMatchObject({ written: 0, removed: 0, bytes: 0 });
    expect(again.unchanged).toBe(again.files);

    // proposals/<n>/ on request; what a proposer writes there survives; strays and damage are repaired.
    await buildWorkspace(projectId, ws, { iteration: 1 });
    fs.writeFileSync(path.join(ws, "proposals", "1", "harness.ts"), "// a proposal\n");
    fs.writeFileSync(path.join(ws, "candidates", seed, "notes.txt"), "not the studio's");
    fs.rmSync(path.join(ws, "candidates", seed, "traces", "s-one.jsonl"));
    fs.writeFileSync(path.join(ws, "candidates", child, "harness.ts"), "// edited by someone\n");
    const repaired = await buildWorkspace(projectId, ws);
    expect(repaired).toMatchObject({ written: 2, removed: 1 });
    expect(fs.readFileSync(path.join(ws, "candidates", child, "harness.ts"), "utf8")).toBe(childSource);
    expect(fs.existsSync(path.join(ws, "candidates", seed, "traces", "s-one.jsonl"))).toBe(true);
    expect(fs.existsSync(path.join(ws, "candidates", seed, "notes.txt"))).toBe(false);
    expect(fs.readFileSync(path.join(ws, "proposals", "1", "harness.ts"), "utf8")).toBe("// a proposal\n");

    // A first evaluation of candidate #3: its scores and traces, the leaderboard and per-task-best.
    let before = snapshot(ws);
    await evaluate(wasteful, "search");
    const afterWasteful = await buildWorkspace(projectId, ws);
    let changed = changedFiles(before, snapshot(ws));
    expect(changed).toEqual(
      [
        `candidates/${wasteful}/scores.json`,
        `candidates/${wasteful}/audit.json`,
        ...SEARCH_KEYS.map((key) => `candidates/${wasteful}/traces/${key}.jsonl`),
        "leaderboard.md",
        "per-task-best.json",
      ].sort(),
    );
    expect(afterWasteful).toMatchObject({ written: changed.length, removed: 0 });
    expect(readJson(ws, "frontier.json").frontier.map((point: { id: string }) => point.id)).toEqual([seed]); // #3 is dominated

    // A newer search evaluation of the seed replaces its traces; nothing else moves.
    before = snapshot(ws);
    const rerun = await evaluate(seed, "search", true);
    const afterRerun = await buildWorkspace(projectId, ws);
    changed = changedFiles(before, snapshot(ws));
    expect(changed).toEqual(
      [
        `candidates/${seed}/scores.json`,
        `candidates/${seed}/audit.json`,
        ...SEARCH_KEYS.map((key) => `candidates/${seed}/traces/${key}.jsonl`),
      ].sort(),
    );
    expect(afterRerun.written).toBe(changed.length);
    expect(readJson(ws, `candidates/${seed}/scores.json`).search.evaluationId).toBe(rerun.evaluationId);
    const [first] = fs.readFileSync(path.join(ws, "candidates", seed, "traces", "s-one.jsonl"), "utf8").split("\n");
    const newest = await db.traceEvent.findFirstOrThrow({
      where: { taskRun: { evaluationId: rerun.evaluationId, task: { key: "s-one" } }, seq: 0 },
    });
    expect(JSON.parse(first).time).toBe(newest.time.toISOString());

    // A candidate that no longer exists leaves no files behind.
    await db.candidate.delete({ where: { id: wasteful } });
    const afterDelete = await buildWorkspace(projectId, ws);
    expect(afterDelete.removed).toBe(4 + SEARCH_KEYS.length); // harness, meta, scores, audit and the traces
    expect(fs.existsSync(path.join(ws, "candidates", wasteful))).toBe(false);
    expect(fs.readFileSync(path.join(ws, "leaderboard.md"), "utf8")).not.toContain(wasteful);
    expect(fs.readFileSync(path.join(ws, "proposals", "1", "harness.ts"), "utf8")).toBe("// a proposal\n");
  });

  it("shows each task's trials in scores.json and flaky tasks in leaderboard.md, each trial with its own trace", async () => {
    // Wrong on every third run it makes in its worker: run one lane, trial by trial, over five
    // tasks, each task is wrong on exactly one of its three trials (s-throw throws on all).
    const flakySource = `let runs = 0;
export default {
  async run(task: { id: string; input: { n: number } }) {
    if (task.id === "s-throw") throw new Error("cannot handle " + task.id);
    return runs++ % 3 === 2 ? -1 : task.input.n * 2;
  },
};
`;
    const flaky = await addCandidate(5, flakySource, { origin: "person", rationale: "Flaky on purpose." }, [seed]);
    const summary = await evaluate(flaky, "search", false, 3);
    expect(summary).toMatchObject({ tasks: 5, trials: 3 });
    await buildWorkspace(projectId, ws);

    const scores = readJson(ws, `candidates/${flaky}/scores.json`);
    expect(scores.search.trials).toBe(3);
    const byKey = Object.fromEntries(scores.tasks.map((task: { key: string }) => [task.key, task]));
    expect(byKey["s-throw"]).toMatchObject({ passed: "0/3", score: 0 });
    const stored = await db.taskRun.findMany({
      where: { evaluationId: summary.evaluationId },
      select: { trial: true, status: true, task: { select: { key: true } } },
    });
    for (const key of ["s-one", "s-two", "s-wrong", "s-big"]) {
      const runs = stored.filter((run) => run.task.key === key);
      const passed = runs.filter((run) => run.status === "passed").length;
      expect(byKey[key].passed).toBe(`${passed}/3`);
      expect(byKey[key].score).toBeCloseTo(passed / 3, 10);
      expect(byKey[key].trials.map((trial: { trial: number; status: string }) => [trial.trial, trial.status])).toEqual(
        [1, 2, 3].map((n) => [n, runs.find((run) => run.trial === n)!.status]),
      );
    }
    // Every trial's trace is its own file, where scores.json says.
    for (const task of scores.tasks as { trials: { trace: string }[] }[])
      for (const trial of task.trials)
        expect(fs.existsSync(path.join(ws, "candidates", flaky, trial.trace)), trial.trace).toBe(true);
    expect(byKey["s-one"].trials.map((trial: { trace: string }) => trial.trace)).toEqual([
      "traces/s-one.jsonl",
      "traces/s-one.trial-2.jsonl",
      "traces/s-one.trial-3.jsonl",
    ]);

    const flakyKeys = (["s-one", "s-two", "s-wrong", "s-big"] as const).filter((key) =>
      /^[12]\/3$/.test(byKey[key].passed),
    );
    expect(flakyKeys.length).toBeGreaterThan(0);
    const line = fs
      .readFileSync(path.join(ws, "leaderboard.md"), "utf8")
      .split("\n")
      .find((row) => row.includes(flaky))!;
    for (const key of flakyKeys) expect(line).toContain(`${key} ${byKey[key].passed}`);
    expect(line).not.toContain("s-throw"); // broken on every trial: not flaky
    expect(line).toContain("5 tasks × 3 trials");
  });

  it("refuses a folder holding anything but this project's workspace, and leaves it as it was", async () => {
    const foreign = path.join(scratch, "foreign");
    fs.mkdirSync(foreign);
    fs.writeFileSync(path.join(foreign, "thesis.tex"), "precious");
    await expect(buildWorkspace(projectId, foreign)).rejects.toThrow(/not empty and is not a studio workspace/);
    expect(fs.readdirSync(foreign)).toEqual(["thesis.tex"]);

    const other = await createProject({
      suiteDir: path.join(scratch, "suite"),
      harnessFile: path.join(scratch, "seed.ts"),
    });
    await expect(buildWorkspace(other.projectId, ws)).rejects.toThrow(`holds the workspace of project ${projectId}`);
    expect(fs.existsSync(path.join(ws, "candidates", seed, "harness.ts"))).toBe(true);
    await expect(buildWorkspace("no-such-project", path.join(scratch, "nowhere"))).rejects.toThrow(
      "No project no-such-project.",
    );
  });
});

describe("planPages()", () => {
  it("cuts events into pages by bytes and count, giving an oversized event a page of its own", () => {
    const events = [
      { taskRunId: "r1", seq: 0, bytes: 40 },
      { taskRunId: "r1", seq: 1, bytes: 40 },
      { taskRunId: "r1", seq: 2, bytes: 40 },
      { taskRunId: "r2", seq: 0, bytes: 500 },
      { taskRunId: "r3", seq: 0, bytes: 10 },
      { taskRunId: "r3", seq: 1, bytes: 10 },
    ];
    expect(planPages(events, { maxBytes: 100, maxEvents: 10 })).toEqual([
      [{ taskRunId: "r1", fromSeq: 0, toSeq: 1 }],
      [{ taskRunId: "r1", fromSeq: 2, toSeq: 2 }],
      [{ taskRunId: "r2", fromSeq: 0, toSeq: 0 }],
      [{ taskRunId: "r3", fromSeq: 0, toSeq: 1 }],
    ]);
    expect(planPages(events, { maxBytes: 10_000, maxEvents: 4 })).toEqual([
      [
        { taskRunId: "r1", fromSeq: 0, toSeq: 2 },
        { taskRunId: "r2", fromSeq: 0, toSeq: 0 },
      ],
      [{ taskRunId: "r3", fromSeq: 0, toSeq: 1 }],
    ]);
    expect(planPages([], { maxBytes: 1, maxEvents: 1 })).toEqual([]);
  });
});

describe("studio export", () => {
  let databaseUrl: string;
  let admin: pg.Client;
  let dbName: string;

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: inject("databaseUrl") });
    await admin.connect();
    dbName = `studio_export_cli_${Date.now()}`;
    await admin.query(`create database ${dbName}`);
    const url = new URL(inject("databaseUrl"));
    url.pathname = `/${dbName}`;
    databaseUrl = url.toString();
  });

  afterAll(async () => {
    await admin.query(`drop database if exists ${dbName} with (force)`);
    await admin.end();
  });

  it("writes the workspace of a project evaluated from the CLI, incrementally, and says clearly what is wrong", async () => {
    const env = studioEnv({ DATABASE_URL: databaseUrl });
    const created = await runCli(
      [
        "project",
        "create",
        "--suite",
        path.join(scratch, "suite"),
        "--harness",
        path.join(scratch, "seed.ts"),
        "--json",
      ],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { projectId: id, seedCandidateId } = JSON.parse(created.stdout);
    for (const split of ["search", "test"]) {
      const evaluated = await runCli(["eval", "--project", id, "--split", split, "--json"], env);
      expect(evaluated.code, evaluated.stderr).toBe(0);
    }

    const out = path.join(scratch, "exported");
    const first = await runCli(["export", "--project", id, "--out", out], env);
    expect(first.code, first.stderr).toBe(0);
    const files = 4 + SEARCH_KEYS.length + 4 + SEARCH_KEYS.length; // top-level 4, tasks/, the seed's 4 files and traces
    expect(first.stdout.trim().split("\n")).toHaveLength(1);
    expect(first.stdout).toMatch(
      new RegExp(
        `^Workspace of project ${id} in ${out}: ${files} files \\(${files} written, 0 unchanged, 0 removed, .+ written\\) in .+\\n$`,
      ),
    );
    expect(listTree(path.join(out, "candidates", seedCandidateId, "traces"))).toEqual(
      SEARCH_KEYS.map((key) => `${key}.jsonl`).sort(),
    );
    for (const file of listTree(out)) {
      const text = fs.readFileSync(path.join(out, file), "utf8");
      for (const needle of [...TEST_KEYS, TEST_MARKER])
        expect(text.includes(needle), `${file} contains ${needle}`).toBe(false);
    }
    expect(readJson(out, `candidates/${seedCandidateId}/scores.json`)).not.toHaveProperty("test");
    expect(readJson(out, `candidates/${seedCandidateId}/scores.json`).search).toMatchObject({ tasks: 5 });

    const second = await runCli(["export", "--project", id, "--out", out, "--json"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ files, written: 0, unchanged: files, removed: 0, bytes: 0 });

    const unknown = await runCli(["export", "--project", "nope", "--out", path.join(scratch, "unused")], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("studio: No project nope.");

    const blocker = path.join(scratch, "a-file");
    fs.writeFileSync(blocker, "");
    const unwritable = await runCli(["export", "--project", id, "--out", path.join(blocker, "workspace")], env);
    expect(unwritable.code).toBe(1);
    expect(unwritable.stderr).toContain(`studio: Cannot write the workspace to ${path.join(blocker, "workspace")}`);

    const missing = await runCli(["export", "--project", id], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("export needs --project ID and --out DIR (or --otlp).");
  }, 300_000); // eight CLI runs, each a fresh process: slow on a busy machine
});
