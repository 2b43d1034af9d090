// The job worker: takes evaluation and optimization jobs from the queue and runs them. The
// studio's start command runs one beside the web server; more can run anywhere pointed at
// the same database. Work left behind by a dead worker is found and queued again; it then
// resumes where it stopped (finished task runs and iterations are kept).
import { db } from "../db/client.ts";
import { runOptimization } from "../loop/optimization.ts";
import { runEvaluation } from "../evaluations/run.ts";
import { spreadOverWorkers } from "../evaluations/spread.ts";
import { runTaskRunJob } from "../evaluations/task-jobs.ts";
import { claimLive } from "./lease.ts";
import { enqueue, QUEUES, stopQueue } from "./queue.ts";
import { serveQueue } from "./serve.ts";
import { setSlotCount } from "../runner/slots.ts";
import { registerWorker } from "./workers.ts";
import { shareRateLimitsInDatabase } from "./rate-limit.ts";

const SWEEP_MS = 10_000;

export interface JobWorker {
  stop(): Promise<void>;
}

/**
 * Starts taking jobs. `slots`: task runs at once over every job this worker takes (an evaluation
 * and an optimization share them).
 */
export async function startJobWorker(log: (line: string) => void, options: { slots: number }): Promise<JobWorker> {
  setSlotCount(options.slots);
  shareRateLimitsInDatabase();
  // The evaluations this worker holds put their task runs on the queue, for it and every other
  // worker on the database to take.
  spreadOverWorkers(true);
  const registration = await registerWorker(log);
  const running = new Set<Promise<unknown>>();
  const track = <T>(work: Promise<T>) => {
    running.add(work);
    void work.finally(() => running.delete(work)).catch(() => {});
    return work;
  };
  const loops = [
    await serveQueue<{ evaluationId: string }>(
      QUEUES.evaluate,
      (job) => track(logFailure(runEvaluation(job.data.evaluationId), log, `evaluation ${job.data.evaluationId}`)),
      log,
      // As many evaluations held at once as slots. An independent suite's task runs go on the
      // queue for every worker (spread.ts); a sequential suite's stream runs here, on the slots.
      { concurrency: options.slots },
    ),
    await serveQueue<{ evaluationId: string; taskRunId: string }>(
      QUEUES.taskRun,
      (job) => track(runTaskRunJob(job.data.evaluationId, job.data.taskRunId)),
      log,
      // A worker holds no more task runs than it has slots, so the rest stay for other workers (a
      // run held behind a long task would wait while another worker idles). Prefetching one more
      // per slot measured no faster in bench:scale.
      { concurrency: options.slots },
    ),
    await serveQueue<{ optimizationId: string }>(
      QUEUES.optimize,
      (job) =>
        track(logFailure(runOptimization(job.data.optimizationId), log, `optimization ${job.data.optimizationId}`)),
      log,
    ),
  ];
  const sweeper = setInterval(
    () => void requeueOrphans(log).catch((error) => log(`sweep failed: ${error.message}`)),
    SWEEP_MS,
  );
  await requeueOrphans(log);
  log(`Job worker ready: ${options.slots} slot${options.slots === 1 ? "" : "s"}.`);
  return {
    stop: async () => {
      clearInterval(sweeper);
      for (const loop of loops) loop.stop();
      spreadOverWorkers(false);
      await stopQueue();
      await registration.stop();
    },
  };
}

/** A job whose work belongs to another live claim, or has ended, is done: never retried. */
async function logFailure(work: Promise<unknown>, log: (line: string) => void, what: string): Promise<void> {
  try {
    await work;
  } catch (error) {
    log(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Evaluations and optimizations marked running whose claim is gone go back on the queue. */
async function requeueOrphans(log: (line: string) => void): Promise<void> {
  const optimizations = await db.optimization.findMany({
    where: { status: { in: ["queued", "running"] } },
    select: { id: true, status: true, workerId: true, leaseId: true, heartbeatAt: true },
  });
  for (const row of optimizations) {
    if (row.status === "running" && !claimLive(row)) {
      const id = await enqueue(
        QUEUES.optimize,
        { optimizationId: row.id },
        `resume:${row.id}:${row.heartbeatAt?.getTime() ?? 0}`,
      );
      if (id) log(`Resuming optimization ${row.id} left by ${row.workerId}.`);
    }
  }
  const evaluations = await db.evaluation.findMany({
    where: { status: "running", candidate: { iterationId: null } },
    select: { id: true, workerId: true, leaseId: true, heartbeatAt: true },
  });
  for (const row of evaluations) {
    if (!claimLive(row)) {
      const id = await enqueue(
        QUEUES.evaluate,
        { evaluationId: row.id },
        `resume:${row.id}:${row.heartbeatAt?.getTime() ?? 0}`,
      );
      if (id) log(`Resuming evaluation ${row.id} left by ${row.workerId}.`);
    }
  }
}
