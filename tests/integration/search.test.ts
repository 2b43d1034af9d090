// The search across a project's task runs, the task × candidate matrix and the task set, read
// from the real Postgres (trigram indexes of the task_run_search migration in place). Each
// filter is asserted by which task runs come back. Trace events are stored by the real writer
// (lib/traces/writer.ts) from a recorded exchange, as the runner leaves them.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { searchFiltersSchema, withoutEmpty } from "../../lib/search/filters.ts";
import { searchTaskRuns } from "../../lib/search/task-runs.ts";
import { taskMatrix } from "../../lib/tasks/matrix.ts";
import { orderRows, tallyRows } from "../../lib/tasks/matrix-order.ts";
import { findTaskRun, getTaskDetail, listTasks } from "../../lib/tasks/queries.ts";
import { fromExchange } from "../../lib/traces/build.ts";
import { firstEventDetail, getTraceEvent } from "../../lib/traces/queries.ts";
import { eventJson, insertEvents } from "../../lib/traces/writer.ts";
import { auditEvents } from "../../lib/audit/compute.ts";
import type { Prisma } from "../../lib/db/client.ts";
import type { Exchange } from "../../lib/runner/proxy/types.ts";

afterAll(disconnectDb);

const id = (name: string) => `${name}${crypto.randomBytes(6).toString("hex")}`;
let projectId: string;
let otherProjectId: string;
const runs: Record<string, string> = {};
const tasks: Record<string, string> = {};
const candidates: Record<string, string> = {};
const evaluations: Record<string, string> = {};

/** One recorded Messages call whose answer uses `tool` (a tool_use block). */
function toolExchange(tool: string): Exchange {
  return {
    operation: "messages",
    startedAt: new Date(),
    durationMs: 400,
    stream: false,
    request: { body: { model: "claude-sonnet-5-5", max_tokens: 64, messages: [] }, headers: {} },
    response: {
      status: 200,
      body: {
        id: "msg_1",
        type: "message",
        role: "assistant",
        content: [
          { type: "text", text: "Looking it up." },
          { type: "tool_use", id: "toolu_1", name: tool, input: { order: 4411 } },
        ],
        stop_reason: "tool_use",
      },
    },
    attempts: [{ status: 200, durationMs: 400 }],
    usage: { input_tokens: 10, output_tokens: 5 },
    stopReason: "tool_use",
  };
}

async function seedProject(name: string) {
  const project = await db.project.create({
    data: {
      id: id("p"),
      name,
      suite: { create: { name: "triage", grader: { type: "exact" } } },
    },
    include: { suite: true },
  });
  return project;
}

beforeAll(async () => {
  const project = await seedProject("search test");
  projectId = project.id;
  const suiteId = project.suite!.id;
  const taskRows = [
    { key: "t-refund", split: "search", input: "Please refund my parcel, it arrived 50%_broken", expected: "refunds" },
    { key: "t-password", split: "search", input: "I cannot reset my password", expected: "account" },
    { key: "t-screen", split: "test", input: "The screen stays black", expected: "technical" },
  ] as const;
  for (const [position, task] of taskRows.entries()) {
    const row = await db.task.create({ data: { suiteId, position, ...task } });
    tasks[task.key] = row.id;
  }
  for (const number of [1, 2]) {
    const row = await db.candidate.create({
      data: { projectId, number, source: `// #${number}`, sha256: `sha${number}`, origin: "seed", status: "valid" },
    });
    candidates[number] = row.id;
  }
  const evaluationRows = [
    { name: "1-search", candidate: 1, split: "search", score: 0.5 },
    { name: "2-search", candidate: 2, split: "search", score: 0.5 },
    { name: "2-test", candidate: 2, split: "test", score: 0 },
  ] as const;
  for (const evaluation of evaluationRows) {
    const row = await db.evaluation.create({
      data: {
        candidateId: candidates[evaluation.candidate],
        split: evaluation.split,
        model: "claude-sonnet-5-5",
        status: "done",
        score: evaluation.score,
        finishedAt: new Date(),
      },
    });
    evaluations[evaluation.name] = row.id;
  }
  const runRows = [
    // name, evaluation, task, status, output, score, errorKind, tokens in/out, ms, cost
    ["1-refund", "1-search", "t-refund", "passed", "refunds", 1, null, 100, 20, 900, 0.001],
    ["1-password", "1-search", "t-password", "failed", "billing", 0, null, 300, 40, 2500, 0.004],
    ["2-refund", "2-search", "t-refund", "error", null, 0, "timeout", 50, 0, 60000, 0.0005],
    ["2-password", "2-search", "t-password", "passed", "account", 1, null, 2000, 100, 1200, 0.02],
    ["2-screen", "2-test", "t-screen", "failed", "shipping: courier lost it", 0, null, 120, 10, 700, null],
  ] as const;
  for (const [name, evaluation, task, status, output, score, errorKind, input, out, ms, cost] of runRows) {
    const row = await db.taskRun.create({
      data: {
        evaluationId: evaluations[evaluation],
        taskId: tasks[task],
        status,
        output: output ?? undefined,
        score,
        errorKind,
        errorMessage: errorKind ? "took too long" : null,
        inputTokens: input,
        outputTokens: out,
        durationMs: ms,
        costUsd: cost,
      },
    });
    runs[name] = row.id;
  }
  // 1-password was stored before audits were: its tools are read from its model responses.
  await db.$transaction((tx) =>
    insertEvents(
      tx,
      `[${eventJson({ taskRunId: runs["1-password"] }, 0, fromExchange(toolExchange("lookup_order")))}]`,
    ),
  );
  // 2-password was stored as the runner stores a run: with its audit, which the tool filter reads.
  const refund = toolExchange("issue_refund");
  await db.$transaction((tx) =>
    insertEvents(tx, `[${eventJson({ taskRunId: runs["2-password"] }, 0, fromExchange(refund))}]`),
  );
  await db.taskRun.update({
    where: { id: runs["2-password"] },
    data: { audit: auditEvents([{ kind: "model_call", body: refund }]) as unknown as Prisma.InputJsonValue },
  });

  // Another project with the same words: never in this project's results.
  const other = await seedProject("other");
  otherProjectId = other.id;
  const otherTask = await db.task.create({
    data: {
      suiteId: other.suite!.id,
      key: "t-refund",
      split: "search",
      position: 0,
      input: "refund",
      expected: "refunds",
    },
  });
  const otherCandidate = await db.candidate.create({
    data: { projectId: other.id, number: 1, source: "//", sha256: "x", origin: "seed", status: "valid" },
  });
  const otherEvaluation = await db.evaluation.create({
    data: {
      candidateId: otherCandidate.id,
      split: "search",
      model: "claude-sonnet-5-5",
      status: "done",
      score: 1,
      finishedAt: new Date(),
    },
  });
  await db.taskRun.create({
    data: { evaluationId: otherEvaluation.id, taskId: otherTask.id, status: "passed", output: "refunds", score: 1 },
  });
});

/** Parses a query string the way the page and the route do, searches, and names the runs found. */
async function found(query: string): Promise<string[]> {
  const filters = searchFiltersSchema.parse(withoutEmpty(Object.fromEntries(new URLSearchParams(query))));
  const result = await searchTaskRuns(projectId, filters);
  expect(result.total).toBe(result.rows.length);
  const names = Object.fromEntries(Object.entries(runs).map(([name, runId]) => [runId, name]));
  return result.rows.map((row) => names[row.taskRunId] ?? `foreign ${row.taskRunId}`).sort();
}

describe("search across task runs", () => {
  it("with no filter, finds every task run of the project and none of another", async () => {
    expect(await found("")).toEqual(["1-password", "1-refund", "2-password", "2-refund", "2-screen"]);
  });

  it("finds text in the output, the expected answer or the input, case-insensitively", async () => {
    expect(await found("q=COURIER")).toEqual(["2-screen"]); // output only
    expect(await found("q=billing")).toEqual(["1-password"]);
    expect(await found("q=account")).toEqual(["1-password", "2-password"]); // expected of t-password
    expect(await found("q=account&in=output")).toEqual(["2-password"]);
    expect(await found("q=account&in=expected")).toEqual(["1-password", "2-password"]);
    expect(await found("q=reset my&in=input")).toEqual(["1-password", "2-password"]);
    expect(await found("q=reset my&in=output")).toEqual([]);
  });

  it("takes % and _ as the characters typed, not as wildcards", async () => {
    expect(await found("q=50%25_broken")).toEqual(["1-refund", "2-refund"]);
    expect(await found("q=5_%25")).toEqual([]);
  });

  it("filters by status, error kind and score (the grade)", async () => {
    expect(await found("status=error")).toEqual(["2-refund"]);
    expect(await found("status=failed,error")).toEqual(["1-password", "2-refund", "2-screen"]);
    expect(await found("errorKind=timeout")).toEqual(["2-refund"]);
    expect(await found("errorKind=memory")).toEqual([]);
    expect(await found("scoreMin=1")).toEqual(["1-refund", "2-password"]);
    expect(await found("scoreMax=0")).toEqual(["1-password", "2-refund", "2-screen"]);
  });

  it("filters by ranges of tokens, latency and cost", async () => {
    expect(await found("tokensMin=300")).toEqual(["1-password", "2-password"]);
    expect(await found("tokensMin=100&tokensMax=200")).toEqual(["1-refund", "2-screen"]);
    expect(await found("latencyMin=2000")).toEqual(["1-password", "2-refund"]);
    expect(await found("latencyMax=800")).toEqual(["2-screen"]);
    // An unpriced run (cost null) is in no cost range.
    expect(await found("costMin=0.001&costMax=0.01")).toEqual(["1-password", "1-refund"]);
  });

  it("filters by a tool the model called", async () => {
    expect(await found("tool=lookup_order")).toEqual(["1-password"]);
    expect(await found("tool=issue_refund")).toEqual(["2-password"]);
    expect(await found("tool=lookup")).toEqual([]);
  });

  it("filters by candidate and split, and combines filters", async () => {
    expect(await found("candidate=1")).toEqual(["1-password", "1-refund"]);
    expect(await found("candidate=%232,1&split=test")).toEqual(["2-screen"]);
    expect(await found("split=search&status=passed&q=refund")).toEqual(["1-refund"]);
  });

  it("sorts and pages", async () => {
    const filters = searchFiltersSchema.parse({ sort: "tokens.desc" });
    const result = await searchTaskRuns(projectId, filters);
    expect(result.rows.map((row) => row.tokens)).toEqual([2100, 340, 130, 120, 50]);
    const past = await searchTaskRuns(projectId, searchFiltersSchema.parse({ page: "3" }));
    expect(past).toMatchObject({ total: 5, rows: [] });
  });

  it("refuses bad input with a clear error", async () => {
    expect(searchFiltersSchema.safeParse({ status: "passed,bogus" }).success).toBe(false);
    expect(searchFiltersSchema.safeParse({ tokensMin: "lots" }).success).toBe(false);
    await expect(searchTaskRuns(projectId, searchFiltersSchema.parse({ costMin: "2", costMax: "1" }))).rejects.toThrow(
      /cost range is empty/,
    );
    await expect(searchTaskRuns("nope", {})).rejects.toThrow(/No project nope/);
  });
});

describe("task × candidate matrix", () => {
  it("has a row per task of the split and a cell per candidate's newest evaluation", async () => {
    const matrix = await taskMatrix(projectId, { split: "search", candidates: "all" });
    expect(matrix.tasks.map((task) => task.key)).toEqual(["t-refund", "t-password"]);
    expect(matrix.columns.map((column) => column.number)).toEqual([1, 2]);
    expect(matrix.cells).toBe("pe" + "fp");
    expect(matrix.scores).toEqual({}); // every score is what its cell's code says
    const chosen = await taskMatrix(projectId, { split: "search", candidates: [2] });
    expect(chosen.cells).toBe("ep");
    const test = await taskMatrix(projectId, { split: "test", candidates: [1, 2] });
    expect(test.cells).toBe("-f"); // #1 has no test evaluation
  });

  it("combines a cell's trials, and sends a score only where it says more than the cell", async () => {
    const project = await seedProject("matrix trials");
    const [a, b, c] = await Promise.all(
      ["a", "b", "c"].map((key, position) =>
        db.task.create({
          data: { suiteId: project.suite!.id, key, position, split: "search", input: key, expected: key },
        }),
      ),
    );
    const candidate = await db.candidate.create({
      data: { projectId: project.id, number: 1, source: "//", sha256: "t", origin: "seed", status: "valid" },
    });
    const evaluation = await db.evaluation.create({
      data: {
        candidateId: candidate.id,
        split: "search",
        model: "claude-sonnet-5-5",
        status: "done",
        score: 0.5,
        finishedAt: new Date(),
      },
    });
    const trials = [
      // a: two of three trials passed → failed, score 2/3; b: one partial-credit run; c: all errored.
      [a.id, 1, "passed", 1],
      [a.id, 2, "failed", 0],
      [a.id, 3, "passed", 1],
      [b.id, 1, "failed", 0.4],
      [c.id, 1, "error", null],
      [c.id, 2, "error", null],
    ] as const;
    await db.taskRun.createMany({
      data: trials.map(([taskId, trial, status, score]) => ({
        evaluationId: evaluation.id,
        taskId,
        trial,
        status,
        score,
      })),
    });
    const matrix = await taskMatrix(project.id, { split: "search", candidates: [1] });
    expect(matrix.cells).toBe("ffe");
    expect(matrix.scores).toEqual({ 0: 0.667, 1: 0.4 });
  });

  it("orders rows by disagreement and by nobody passing", async () => {
    const tallies = tallyRows({
      tasks: [
        { id: "a", key: "a" },
        { id: "b", key: "b" },
        { id: "c", key: "c" },
      ],
      columns: [{}, {}, {}] as never,
      cells: "ppp" + "fef" + "pfe",
    });
    expect(orderRows(tallies, "disagreement")).toEqual([2, 0, 1]);
    expect(orderRows(tallies, "nobody")).toEqual([1, 2, 0]);
    expect(orderRows(tallies, "suite")).toEqual([0, 1, 2]);
  });

  it("a cell leads to its task run, within the project only", async () => {
    expect(await findTaskRun(projectId, evaluations["2-search"], tasks["t-refund"])).toBe(runs["2-refund"]);
    expect(await findTaskRun(otherProjectId, evaluations["2-search"], tasks["t-refund"])).toBeNull();
  });
});

describe("task set", () => {
  it("lists the tasks with their split and outcomes, and a task's history across candidates", async () => {
    const list = await listTasks(projectId, {});
    expect(list!.rows.map((row) => [row.key, row.split, row.passed, row.failed, row.errors])).toEqual([
      ["t-refund", "search", 1, 0, 1],
      ["t-password", "search", 1, 1, 0],
      ["t-screen", "test", 0, 1, 0],
    ]);
    expect((await listTasks(projectId, { split: "test" }))!.rows.map((row) => row.key)).toEqual(["t-screen"]);
    const detail = await getTaskDetail(projectId, tasks["t-password"]);
    expect(detail!.expected).toBe("account");
    expect(detail!.history.map((row) => [row.candidateNumber, row.status, row.taskRunId])).toEqual([
      [2, "passed", runs["2-password"]],
      [1, "failed", runs["1-password"]],
    ]);
    expect(await getTaskDetail(otherProjectId, tasks["t-password"])).toBeNull();
  });
});

describe("a trace page's first event", () => {
  it("comes with the page when nothing is selected or filtered and its body is small", async () => {
    const owner = { taskRunId: runs["1-password"] };
    const detail = await firstEventDetail(owner, { kinds: null, selectedSeq: null });
    expect(detail?.event.seq).toBe(0);
    expect(detail?.event.kind).toBe("model_call");
    expect(detail?.body).toBeTruthy();
    expect(await firstEventDetail(owner, { kinds: ["exec"], selectedSeq: null })).toBeNull();
    expect(await firstEventDetail(owner, { kinds: null, selectedSeq: 0 })).toBeNull();
    // A body over the bound is not read at all.
    expect(detail!.event.bodyBytes).toBeGreaterThan(10);
    expect(await getTraceEvent(owner, 0, { onlyIfBodyAtMost: 10 })).toBeNull();
  });
});
