// Runs never double. With a job expiry of 2 seconds, an optimization whose proposer takes about
// 10 seconds runs through the job worker: the worker keeps its job alive, so pg-boss never
// expires or retries it, the proposer runs once, nothing is spent twice, and the job completes
// once. And a second claim of a run that is going, in the same process, is refused.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownDatabase } from "../helpers/own-database.ts";
import { startFakeAnthropic, type FakeAnthropic, type FakeRequest, type FakeReply } from "../fakes/anthropic-server.ts";
import { db, disconnectDb } from "../../lib/db/client.ts";
import { createProject } from "../../lib/projects/create.ts";
import { createOptimization, runOptimization } from "../../lib/loop/optimization.ts";
import { enqueue, jobQueue, QUEUES } from "../../lib/jobs/queue.ts";
import { startJobWorker, type JobWorker } from "../../lib/jobs/worker.ts";

const EXPIRE_SECONDS = 2;
const PROPOSER_TURN_MS = 2_000;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-jobs-expiry-"));
fs.chmodSync(scratch, 0o755);
let fake: FakeAnthropic;
let worker: JobWorker | undefined;

/** A proposer request: it offers the workspace tools. Its turn is the number of assistant messages so far. */
const isProposer = (request: FakeRequest) =>
  ((request.body.tools ?? []) as { name: string }[]).some((tool) => tool.name === "read_file");
const turnOf = (request: FakeRequest) =>
  (request.body.messages as { role: string }[]).filter((message) => message.role === "assistant").length;
const proposerRuns = () => fake.requests.filter((request) => isProposer(request) && turnOf(request) === 0).length;
const taskModelRequests = () => fake.requests.filter((request) => !isProposer(request)).length;

const SEED = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: { a: number; b: number } }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "What is " + task.input.a + "+" + task.input.b + "?" }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};
`;
const PROPOSED = SEED.replace('"What is "', '"Think step by step. What is "');

function toolUse(name: string, input: unknown): FakeReply {
  return { content: [{ type: "tool_use", name, input }], stopReason: "tool_use", delayMs: PROPOSER_TURN_MS };
}

/** A slow proposer: five turns of two seconds each, then one proposal. */
function proposer(request: FakeRequest): FakeReply {
  const turn = turnOf(request);
  if (turn < 3) return toolUse("read_file", { path: "README.md" });
  if (turn === 3) return toolUse("write_file", { path: "proposals/1/steps/harness.ts", content: PROPOSED });
  if (turn === 4)
    return toolUse("finish", {
      proposals: [
        {
          path: "proposals/1/steps/harness.ts",
          hypothesis: "Working step by step is as right and costs a few more tokens.",
          axis: "explore",
          base_candidate_id: null,
          rationale: "A slow proposal, to outlive the job expiry.",
        },
      ],
    });
  return { text: "Done." };
}

function taskModel(request: FakeRequest): FakeReply {
  const sum = /What is (\d+)\+(\d+)/.exec(JSON.stringify(request.body.messages));
  return { text: sum ? `The answer is ${Number(sum[1]) + Number(sum[2])}.` : "?" };
}

beforeAll(async () => {
  // A database of this file's own: the queue is shared through it (see own-database.ts).
  process.env.DATABASE_URL = await ownDatabase("jobs_expiry");
  process.env.STUDIO_JOB_EXPIRE_SECONDS = String(EXPIRE_SECONDS);
  process.env.STUDIO_DATA_DIR = path.join(scratch, "data");
  fake = await startFakeAnthropic({
    respond: (request) => (isProposer(request) ? proposer(request) : taskModel(request)),
  });
  // The job worker runs jobs with the environment's model, as `npm start` does.
  process.env.ANTHROPIC_BASE_URL = fake.url;
  process.env.ANTHROPIC_API_KEY = "test-key";
});

afterAll(async () => {
  await worker?.stop();
  await fake?.close();
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function newProject(name: string) {
  const dir = fs.mkdtempSync(path.join(scratch, "project-"));
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name, description: "Add two numbers.", mode: "independent", grader: { type: "numeric" } }),
  );
  const tasks = [
    { id: "s0", input: { a: 2, b: 3 }, expected: 5, split: "search" },
    { id: "s1", input: { a: 4, b: 5 }, expected: 9, split: "search" },
    { id: "t0", input: { a: 6, b: 7 }, expected: 13, split: "test" },
  ];
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), SEED);
  const created = await createProject({ suiteDir: path.join(dir, "suite"), harnessFile: path.join(dir, "harness.ts") });
  await db.project.update({
    where: { id: created.projectId },
    data: { candidatesPerIteration: 1, settings: { concurrency: 1 } },
  });
  return created;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 90_000): Promise<void> {
  for (const started = Date.now(); !(await check());) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe("a job that outlives its expiry", () => {
  it("is kept alive by its worker: one proposer run, nothing spent twice, the job completed once", async () => {
    const project = await newProject("expiry");
    const optimizationId = await createOptimization(project.projectId, 1, { kind: "claude" });
    const jobId = await enqueue(QUEUES.optimize, { optimizationId });
    expect(jobId).toBeTruthy();
    const logs: string[] = [];
    worker = await startJobWorker((line) => logs.push(line), { slots: 2 });

    await waitFor("the optimization to end", async () => {
      const row = await db.optimization.findUniqueOrThrow({ where: { id: optimizationId } });
      return row.status !== "queued" && row.status !== "running";
    });
    // Long enough for a retry of an expired job to have been fetched and run (expiry + retry delay).
    await new Promise((resolve) => setTimeout(resolve, (EXPIRE_SECONDS + 6) * 1000));

    const optimization = await db.optimization.findUniqueOrThrow({ where: { id: optimizationId } });
    expect(optimization, logs.join("\n")).toMatchObject({ status: "done", iterationsDone: 1, leaseId: null });
    // The run lasted several expiry periods: pg-boss would have expired it had it not been kept alive.
    const ranMs = optimization.finishedAt!.getTime() - optimization.startedAt!.getTime();
    expect(ranMs).toBeGreaterThan(4 * EXPIRE_SECONDS * 1000);

    // One proposer run of five turns; one iteration; the seed and one proposal.
    expect(proposerRuns()).toBe(1);
    expect(fake.requests.filter(isProposer)).toHaveLength(5);
    expect(await db.iteration.count({ where: { projectId: project.projectId } })).toBe(1);
    const candidates = await db.candidate.findMany({
      where: { projectId: project.projectId },
      orderBy: { number: "asc" },
      include: { evaluations: { include: { _count: { select: { taskRuns: true } } } } },
    });
    expect(candidates.map((candidate) => [candidate.number, candidate.origin, candidate.status])).toEqual([
      [1, "seed", "valid"],
      [2, "proposer", "valid"],
    ]);
    // Each candidate evaluated once per split at most, each task run once.
    for (const candidate of candidates) {
      const splits = candidate.evaluations.map((evaluation) => evaluation.split);
      expect(new Set(splits).size).toBe(splits.length);
      for (const evaluation of candidate.evaluations) {
        expect(evaluation.status).toBe("done");
        expect(evaluation._count.taskRuns).toBe(evaluation.taskCount);
      }
    }
    // Every request the task model got is one stored model call (evaluations and the smoke run): none twice.
    const storedCalls = await db.traceEvent.count({
      where: {
        kind: "model_call",
        taskRun: {
          OR: [
            { evaluation: { candidate: { projectId: project.projectId } } },
            { check: { iteration: { projectId: project.projectId } } },
          ],
        },
      },
    });
    expect(taskModelRequests()).toBeGreaterThan(0);
    expect(taskModelRequests()).toBe(storedCalls);

    // The job: completed once, never retried; its expiry was moved on while it ran.
    const queue = await jobQueue();
    const { rows } = await queue.getDb().executeSql(
      `select state, retry_count as "retryCount", extract(epoch from expire_in)::float as "expireSeconds"
         from pgboss.job where name = $1`,
      [QUEUES.optimize],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: "completed", retryCount: 0 });
    expect(rows[0].expireSeconds).toBeGreaterThan(4 * EXPIRE_SECONDS);
    expect(logs.filter((line) => /being run by|already ended/.test(line))).toEqual([]);
  });
});

describe("a second claim of a run that is going", () => {
  it("is refused in the same process: the proposer runs once", async () => {
    await worker?.stop();
    worker = undefined;
    const project = await newProject("second-claim");
    const before = proposerRuns();
    const optimizationId = await createOptimization(project.projectId, 1, { kind: "claude" });
    const first = runOptimization(optimizationId);
    await waitFor("the proposer to start", async () => proposerRuns() > before);

    await expect(runOptimization(optimizationId)).rejects.toThrow(/is being run by/);
    expect(await first).toMatchObject({ status: "done", iterationsDone: 1 });
    expect(proposerRuns() - before).toBe(1);
    expect(await db.iteration.count({ where: { projectId: project.projectId } })).toBe(1);
    expect(await db.candidate.count({ where: { projectId: project.projectId } })).toBe(2);
  });
});
