// Large traces: an evaluation whose task runs record over 300 MB of events (agentic traces run
// 5–20 MB a task) is stored whole, through the real writer into the real Postgres, in statements
// bounded by bytes rather than by count.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { createProject } from "../../lib/projects/create.ts";
import { prepareEvaluation, runEvaluation } from "../../lib/evaluations/run.ts";
import { streamEvent } from "../../lib/traces/build.ts";
import { TaskRunWriter } from "../../lib/traces/writer.ts";
import { TRACE_BATCH_LIMIT_BYTES, TRACE_BODY_LIMIT_BYTES } from "../../lib/traces/limits.ts";

const MB = 1_000_000;
const TASKS = 40;
const CALLS = 2; // model calls per task, each answered with REPLY_CHARS of text: 8 MB of events a task
const REPLY_CHARS = 4 * MB;
const BIG_CHARS = 9 * 1024 * 1024; // one answer past the single-event limit
const LONG = Array.from({ length: 5 }, () => 7 * MB); // one task run's events past the statement bound

let fake: FakeAnthropic;
let dir: string;

beforeAll(async () => {
  // The answer's size is asked for in the prompt, so each task decides how much it records.
  const pattern = "the quick brown fox jumps over the lazy dog; ".repeat(1000);
  fake = await startFakeAnthropic({
    respond: (request) => {
      const chars = Number(/size (\d+)/.exec(JSON.stringify(request.body.messages))?.[1] ?? 10);
      return { text: pattern.repeat(Math.ceil(chars / pattern.length)).slice(0, chars) };
    },
  });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-trace-batches-"));
});
afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  fs.rmSync(dir, { recursive: true, force: true });
});

const harness = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: { sizes: number[] } }, ctx: { model: Anthropic }) {
    let chars = 0;
    for (const size of task.input.sizes) {
      const reply = await ctx.model.messages.create({ model: "claude-sonnet-5-5", max_tokens: 64, messages: [{ role: "user", content: "size " + size }] });
      chars += reply.content.map((block) => (block.type === "text" ? block.text.length : 0)).reduce((a, b) => a + b, 0);
    }
    return chars;
  },
};
`;

describe("trace batches", () => {
  it("stores an evaluation with over 300 MB of events, every statement within the byte bound", async () => {
    const tasks = Array.from({ length: TASKS }, (_, i) => {
      const sizes = i === 7 ? [BIG_CHARS] : i === 3 ? LONG : Array.from({ length: CALLS }, () => REPLY_CHARS);
      return { id: `t${i}`, input: { sizes }, expected: sizes.reduce((a, b) => a + b, 0), split: "search" };
    });
    fs.mkdirSync(path.join(dir, "suite"));
    fs.writeFileSync(
      path.join(dir, "suite", "suite.json"),
      JSON.stringify({
        name: "big traces",
        description: "Large model answers.",
        mode: "independent",
        grader: { type: "numeric" },
      }),
    );
    fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
    fs.writeFileSync(path.join(dir, "harness.ts"), harness);
    const { seedCandidateId } = await createProject({
      suiteDir: path.join(dir, "suite"),
      harnessFile: path.join(dir, "harness.ts"),
    });
    const { evaluationId } = await prepareEvaluation(seedCandidateId, "search");

    const statements: number[] = [];
    const started = performance.now();
    const summary = await runEvaluation(evaluationId, {
      upstreamUrl: fake.url,
      apiKey: "test",
      concurrency: 2,
      onTraceStatement: (bytes) => statements.push(bytes),
    });
    const seconds = (performance.now() - started) / 1000;

    expect(summary).toMatchObject({ status: "done", tasks: TASKS, passed: TASKS, errors: 0 });
    // Every task run and every event is stored, with its true size.
    const runs = await db.taskRun.findMany({
      where: { evaluationId },
      select: { id: true, status: true, eventCount: true, task: { select: { key: true } } },
    });
    expect(runs).toHaveLength(TASKS);
    const sizes = await db.traceEvent.groupBy({
      by: ["taskRunId"],
      where: { taskRun: { evaluationId } },
      _count: { _all: true },
      _sum: { bodyBytes: true },
    });
    const byRun = new Map(sizes.map((row) => [row.taskRunId, row]));
    let total = 0;
    for (const run of runs) {
      const stored = byRun.get(run.id)!;
      expect(run.status).toBe("passed");
      expect(stored._count._all).toBe(run.eventCount);
      const calls = await db.traceEvent.count({ where: { taskRunId: run.id, kind: "model_call" } });
      const asked = tasks.find((task) => task.id === run.task.key)!.input.sizes;
      expect(calls).toBe(asked.length);
      expect(stored._sum.bodyBytes).toBeGreaterThan(asked.reduce((a, b) => a + b, 0));
      total += stored._sum.bodyBytes ?? 0;
    }
    expect(total).toBeGreaterThan(300 * MB);
    const storedBytes = await db.$queryRaw<{ bytes: bigint }[]>`
      select sum(octet_length(e.body::text))::bigint as bytes from "TraceEvent" e
      join "TaskRun" r on r.id = e."taskRunId" where r."evaluationId" = ${evaluationId}`;
    expect(Number(storedBytes[0].bytes)).toBeGreaterThan(300 * MB - 9 * MB); // the cut event keeps its head only

    // The answer past the single-event limit keeps its head and its true size, as the builder cut it.
    const big = runs.find((run) => run.task.key === "t7")!;
    const cut = await db.traceEvent.findFirstOrThrow({ where: { taskRunId: big.id, kind: "model_call" } });
    expect(cut.truncated).toBe(true);
    expect(cut.bodyBytes).toBeGreaterThan(BIG_CHARS);
    const body = cut.body as { truncated: boolean; originalBytes: number; keptBytes: number; head: string };
    expect(body).toMatchObject({ truncated: true, originalBytes: cut.bodyBytes, keptBytes: TRACE_BODY_LIMIT_BYTES });
    expect(body.head.startsWith('{"')).toBe(true);

    // Written in many statements, none past the bound (no single event here is larger than it);
    // the task run with 35 MB of events took more than one.
    const eventBytes = statements.reduce((a, b) => a + b, 0);
    expect(eventBytes).toBeGreaterThan(300 * MB);
    expect(statements.length).toBeGreaterThanOrEqual(Math.ceil(eventBytes / TRACE_BATCH_LIMIT_BYTES));
    expect(Math.max(...statements)).toBeLessThanOrEqual(TRACE_BATCH_LIMIT_BYTES);
    console.log(
      `trace batches: ${TASKS} task runs, ${(total / MB).toFixed(0)} MB of bodies in ${statements.length} statements ` +
        `(largest ${(Math.max(...statements) / MB).toFixed(1)} MB) in ${seconds.toFixed(1)} s`,
    );
  });

  it("cuts task runs that finish together into batches by bytes, and still shares a statement between them", async () => {
    fs.mkdirSync(path.join(dir, "together"));
    const keys = Array.from({ length: TASKS }, (_, i) => ({ id: `r${i}`, input: i, expected: i, split: "search" }));
    fs.writeFileSync(
      path.join(dir, "together", "suite.json"),
      JSON.stringify({
        name: "together",
        description: "Runs that end at once.",
        mode: "independent",
        grader: { type: "exact" },
      }),
    );
    fs.writeFileSync(path.join(dir, "together", "tasks.jsonl"), keys.map((task) => JSON.stringify(task)).join("\n"));
    fs.writeFileSync(
      path.join(dir, "echo.ts"),
      "export default { async run(task: { input: number }) { return task.input; } };",
    );
    const { seedCandidateId } = await createProject({
      suiteDir: path.join(dir, "together"),
      harnessFile: path.join(dir, "echo.ts"),
    });
    const { evaluationId } = await prepareEvaluation(seedCandidateId, "search");
    const pending = await db.taskRun.findMany({ where: { evaluationId }, select: { id: true } });
    expect(pending).toHaveLength(TASKS);

    const statements: number[] = [];
    const batches: number[] = [];
    const writer = new TaskRunWriter({
      onStatement: (bytes) => statements.push(bytes),
      onWritten: (count) => batches.push(count),
    });
    const text = "x".repeat(MB / 2);
    const now = new Date();
    // All at once, as when many short tasks end within the gather window: 80 MB in the queue.
    await Promise.all(
      pending.map((run) =>
        writer.add({
          id: run.id,
          status: "passed",
          output: 1,
          score: 1,
          gradeExplanation: null,
          errorKind: null,
          errorMessage: null,
          inputTokens: 0,
          outputTokens: 0,
          costUsd: 0,
          durationMs: 1,
          startedAt: now,
          finishedAt: now,
          events: Array.from({ length: 4 }, () => streamEvent("stdout", text, now)),
        }),
      ),
    );
    await writer.drain();

    expect(batches.reduce((a, b) => a + b, 0)).toBe(TASKS);
    expect(batches.length).toBeGreaterThanOrEqual(Math.ceil((TASKS * 2 * MB) / TRACE_BATCH_LIMIT_BYTES));
    expect(batches.length).toBeLessThan(TASKS / 4); // several task runs per transaction, still
    expect(Math.max(...statements)).toBeLessThanOrEqual(TRACE_BATCH_LIMIT_BYTES);
    const stored = await db.traceEvent.count({ where: { taskRun: { evaluationId } } });
    expect(stored).toBe(TASKS * 4);
    const written = await db.taskRun.count({ where: { evaluationId, status: "passed", eventCount: 4 } });
    expect(written).toBe(TASKS);
  });
});
