// What stops an evaluation spread over the task-run queue stops it everywhere, and it ends the way
// a local run ends: a refused key fails it in words, a spent budget fails it with the budget's
// stop, a cancel cancels it. In each case the runs not yet taken stay pending, none is left held
// by a worker (a resume can take them), and nothing is stored after the evaluation finished.
// The job worker runs in this process (startJobWorker), against a database of its own.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownDatabase } from "../helpers/own-database.ts";
import { mostAtOnce } from "../helpers/overlap.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-spread-stops-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");

const HARNESS = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: number }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: "Double " + task.input }] });
    return Number(reply.content.map((block) => (block.type === "text" ? block.text : "")).join(""));
  },
};
`;

type Lib = {
  db: typeof import("../../lib/db/client.ts").db;
  disconnectDb: typeof import("../../lib/db/client.ts").disconnectDb;
  createProject: typeof import("../../lib/projects/create.ts").createProject;
  prepareEvaluation: typeof import("../../lib/evaluations/run.ts").prepareEvaluation;
  runEvaluation: typeof import("../../lib/evaluations/run.ts").runEvaluation;
  startJobWorker: typeof import("../../lib/jobs/worker.ts").startJobWorker;
  workerId: string;
};
let lib: Lib;
let stopWorker: () => Promise<void>;
let fake: FakeAnthropic;

beforeAll(async () => {
  process.env.DATABASE_URL = await ownDatabase("spread-stops");
  // Imported after DATABASE_URL points at this file's own database.
  const [client, create, run, worker, ownership] = await Promise.all([
    import("../../lib/db/client.ts"),
    import("../../lib/projects/create.ts"),
    import("../../lib/evaluations/run.ts"),
    import("../../lib/jobs/worker.ts"),
    import("../../lib/jobs/ownership.ts"),
  ]);
  lib = {
    db: client.db,
    disconnectDb: client.disconnectDb,
    createProject: create.createProject,
    prepareEvaluation: run.prepareEvaluation,
    runEvaluation: run.runEvaluation,
    startJobWorker: worker.startJobWorker,
    workerId: ownership.workerId,
  };
  // Answers only the right key, slowly enough for a cancel to land midway.
  fake = await startFakeAnthropic({
    requireApiKey: "the-right-key",
    respond: (request) => {
      const n = Number(/\d+/.exec(JSON.stringify(request.body.messages))?.[0]);
      return { text: String(2 * n), delayMs: 300, usage: { input_tokens: 40, output_tokens: 10 } };
    },
  });
  process.env.ANTHROPIC_BASE_URL = fake.url;
  const worker2 = await lib.startJobWorker(() => {}, { slots: 4 });
  stopWorker = worker2.stop;
});

afterAll(async () => {
  await stopWorker?.();
  await fake?.close();
  await lib?.disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function newEvaluation(name: string, settings: object = {}) {
  const dir = fs.mkdtempSync(path.join(scratch, "project-"));
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name, description: "Double it.", mode: "independent", grader: { type: "numeric" } }),
  );
  const tasks = Array.from({ length: 16 }, (_, i) => ({ id: `t${i}`, input: i, expected: 2 * i, split: "search" }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), HARNESS);
  const project = await lib.createProject({
    suiteDir: path.join(dir, "suite"),
    harnessFile: path.join(dir, "harness.ts"),
  });
  await lib.db.project.update({ where: { id: project.projectId }, data: { settings } });
  const { evaluationId } = await lib.prepareEvaluation(project.seedCandidateId, "search");
  return evaluationId;
}

/** After the evaluation ended: who ran what, what is left, and that nothing changes later. */
async function afterEnd(evaluationId: string) {
  const runs = await lib.db.taskRun.findMany({ where: { evaluationId } });
  const finished = runs.filter((run) => run.status !== "pending");
  // Through the queue: every run this process stored was a task-run job it took.
  for (const run of finished) expect(run.workerId).toBe(lib.workerId);
  // None is left held: a resume can take every pending one.
  expect(runs.filter((run) => run.status === "pending" && run.workerId !== null)).toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  expect(await lib.db.taskRun.count({ where: { evaluationId, status: { not: "pending" } } })).toBe(finished.length);
  return { finished: finished.length, pending: runs.length - finished.length };
}

describe("an evaluation spread over the queue", () => {
  it("runs every task on the queue when nothing stops it", async () => {
    process.env.ANTHROPIC_API_KEY = "the-right-key";
    const evaluationId = await newEvaluation("whole");
    const summary = await lib.runEvaluation(evaluationId);
    expect(summary).toMatchObject({ status: "done", passed: 16, tasks: 16 });
    expect(summary.isolation).toMatch(/bubblewrap|process/);
    expect(await afterEnd(evaluationId)).toEqual({ finished: 16, pending: 0 });
    // The worker's 4 slots were all used.
    expect(mostAtOnce(await lib.db.taskRun.findMany({ where: { evaluationId } }))).toBe(4);
  });

  it("keeps to the project's concurrency setting: no more task runs at once than it says", async () => {
    process.env.ANTHROPIC_API_KEY = "the-right-key";
    const evaluationId = await newEvaluation("window", { concurrency: 2 });
    const summary = await lib.runEvaluation(evaluationId);
    expect(summary).toMatchObject({ status: "done", passed: 16, tasks: 16 });
    expect(await afterEnd(evaluationId)).toEqual({ finished: 16, pending: 0 });
    expect(mostAtOnce(await lib.db.taskRun.findMany({ where: { evaluationId } }))).toBe(2);
  });

  it("fails in words at a refused key, with the runs not yet taken left pending", async () => {
    process.env.ANTHROPIC_API_KEY = "a-wrong-key";
    const evaluationId = await newEvaluation("refused");
    await expect(lib.runEvaluation(evaluationId)).rejects.toThrow(/invalid x-api-key|API key/i);
    const row = await lib.db.evaluation.findUniqueOrThrow({ where: { id: evaluationId } });
    expect(row.status).toBe("failed");
    expect(row.error).toMatch(/invalid x-api-key|API key/i);
    const { finished, pending } = await afterEnd(evaluationId);
    expect(finished).toBeGreaterThan(0);
    expect(pending).toBeGreaterThan(0);
  });

  it("stops at the evaluation's token budget with the budget's stop", async () => {
    process.env.ANTHROPIC_API_KEY = "the-right-key";
    // Each task's call is 50 tokens: the budget is spent after a few.
    const evaluationId = await newEvaluation("budget", { budgets: { evaluation: { tokens: 200 } } });
    const summary = await lib.runEvaluation(evaluationId);
    expect(summary.status).toBe("failed");
    expect(summary.stop?.kind).toBe("budget");
    const { finished, pending } = await afterEnd(evaluationId);
    expect(finished).toBeGreaterThanOrEqual(4);
    expect(pending).toBeGreaterThan(0);

    // A task whose call the budget refused is stored as an error naming the budget, not left pending.
    const refused = await lib.db.taskRun.count({ where: { evaluationId, status: "error" } });
    expect(
      await lib.db.taskRun.count({
        where: { evaluationId, status: "error", errorMessage: { contains: "Token budget exhausted" } },
      }),
    ).toBe(refused);

    // With the budget raised, running it again runs only what is left: the halt was for the run before.
    const { candidate } = await lib.db.evaluation.findUniqueOrThrow({
      where: { id: evaluationId },
      select: { candidate: { select: { projectId: true } } },
    });
    await lib.db.project.update({ where: { id: candidate.projectId }, data: { settings: {} } });
    const resumed = await lib.runEvaluation(evaluationId);
    expect(resumed).toMatchObject({ status: "done", passed: 16 - refused, errors: refused, tasks: 16 });
    expect(await lib.db.taskRun.count({ where: { evaluationId } })).toBe(16);
  });

  it("sends a run again whose job a worker took and died with before signing the run", async () => {
    process.env.ANTHROPIC_API_KEY = "the-right-key";
    const evaluationId = await newEvaluation("strayed");
    const started = Date.now();
    const running = lib.runEvaluation(evaluationId);
    // A worker that died right after taking the last run's job: the job is taken (as pg-boss's
    // fetch takes it) and nobody signs the run or ends the job.
    let taken: string | null = null;
    while (!taken) {
      const [job] = await lib.db.$queryRaw<{ id: string }[]>`
        update pgboss.job as j set state = 'active', started_on = now()
        from "TaskRun" as t join "Task" as k on k.id = t."taskId"
        where j.name = 'task-run' and j.state = 'created' and j.data->>'taskRunId' = t.id
          and t."evaluationId" = ${evaluationId} and k.key = 't15'
        returning j.id::text`;
      taken = job?.id ?? null;
      if (!taken) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const summary = await running;
    expect(summary).toMatchObject({ status: "done", passed: 16, tasks: 16 });
    expect(await afterEnd(evaluationId)).toEqual({ finished: 16, pending: 0 });
    // Sent again once the taken job had gone unsigned for its grace, and run from the new job.
    expect(Date.now() - started).toBeGreaterThan(5_000);
    const jobs = await lib.db.$queryRaw<{ id: string; state: string }[]>`
      select j.id::text, j.state::text from pgboss.job as j join "TaskRun" as t on j.data->>'taskRunId' = t.id
      join "Task" as k on k.id = t."taskId"
      where j.name = 'task-run' and t."evaluationId" = ${evaluationId} and k.key = 't15' order by j.created_on`;
    expect(jobs).toEqual([
      { id: taken, state: "active" },
      { id: expect.not.stringMatching(taken), state: "completed" },
    ]);
  });

  it("is cancelled midway: the runs in flight end, the rest stay pending", async () => {
    process.env.ANTHROPIC_API_KEY = "the-right-key";
    const evaluationId = await newEvaluation("cancelled");
    const running = lib.runEvaluation(evaluationId);
    for (;;) {
      const done = await lib.db.taskRun.count({ where: { evaluationId, status: { not: "pending" } } });
      if (done >= 3) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await lib.db.evaluation.update({ where: { id: evaluationId }, data: { cancelRequested: true } });
    const summary = await running;
    expect(summary.status).toBe("cancelled");
    const { finished, pending } = await afterEnd(evaluationId);
    expect(finished).toBeGreaterThanOrEqual(3);
    expect(pending).toBeGreaterThan(0);
  });
});
