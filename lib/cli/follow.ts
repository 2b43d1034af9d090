// `studio eval --queue` and `studio optimize --queue`: the work is put on the job queue for any
// worker on the database to run (lib/jobs), and the command follows it from the database until it
// ends, printing what a local run prints. Ctrl-C asks the work to stop, as it does locally, and
// waits for the worker to stop it.
import { db } from "../db/client.ts";
import { readEvaluationSummary, type EvaluationSummary } from "../evaluations/run.ts";
import { summarize, type IterationSummary } from "../iterations/run.ts";
import { liveWorkers } from "../jobs/workers.ts";
import { enqueue, QUEUES, stopQueue } from "../jobs/queue.ts";
import { frontierMembers, type FrontierMember, type OptimizationResult } from "../loop/optimization.ts";
import { readStop } from "../loop/stop.ts";
import type { EvaluationProgress } from "../evaluations/aggregate.ts";

const LOOK_MS = 500;
const ENDED = ["done", "failed", "cancelled"];

/** Says so when no worker is up: queued work waits until one starts. */
async function warnWithoutWorkers(): Promise<void> {
  if ((await liveWorkers()).length === 0)
    process.stderr.write(
      "No job worker is up: the work waits on the queue until one starts (`studio worker`, or `studio start`).\n",
    );
}

/** Ctrl-C (and SIGTERM) while following: `onStop` once; the following goes on until the work ends. */
function onInterrupt(onStop: () => Promise<void>): () => void {
  let asked = false;
  const handler = () => {
    if (asked) return;
    asked = true;
    process.stderr.write("\nAsked the work to stop; waiting for its worker to stop it.\n");
    void onStop().catch(() => {});
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

const pause = () => new Promise((resolve) => setTimeout(resolve, LOOK_MS));

export async function followEvaluation(
  evaluationId: string,
  onProgress: (progress: EvaluationProgress) => void,
): Promise<EvaluationSummary> {
  await enqueue(QUEUES.evaluate, { evaluationId }, `evaluate:${evaluationId}`);
  await stopQueue();
  await warnWithoutWorkers();
  const release = onInterrupt(async () => {
    await db.evaluation.update({ where: { id: evaluationId }, data: { cancelRequested: true } });
  });
  try {
    for (;;) {
      const row = await db.evaluation.findUniqueOrThrow({ where: { id: evaluationId } });
      onProgress({
        done: row.passedCount + row.failedCount + row.errorCount,
        total: row.taskCount * row.trials,
        passed: row.passedCount,
        failed: row.failedCount,
        errors: row.errorCount,
        inputTokens: row.inputTokens,
        outputTokens: row.outputTokens,
      });
      if (ENDED.includes(row.status)) return readEvaluationSummary(evaluationId);
      await pause();
    }
  } finally {
    release();
  }
}

export interface OptimizationFollower {
  onStage(iteration: number, stage: string): void;
  onIteration(summary: IterationSummary, frontier: FrontierMember[]): void;
}

export async function followOptimization(
  optimizationId: string,
  follower: OptimizationFollower,
): Promise<OptimizationResult> {
  await enqueue(QUEUES.optimize, { optimizationId });
  await stopQueue();
  await warnWithoutWorkers();
  const release = onInterrupt(async () => {
    await db.optimization.update({ where: { id: optimizationId }, data: { cancelRequested: true } });
  });
  // Iterations that ended before this command started (a resumed run) were printed by the one before.
  const printed = new Set(
    (
      await db.iteration.findMany({
        where: { optimizationId, status: { in: ["done", "failed", "cancelled"] } },
        select: { id: true },
      })
    ).map((iteration) => iteration.id),
  );
  let lastStage = "";
  try {
    for (;;) {
      const optimization = await db.optimization.findUniqueOrThrow({ where: { id: optimizationId } });
      const iterations = await db.iteration.findMany({
        where: { optimizationId },
        orderBy: { number: "asc" },
        select: { id: true, number: true, status: true, stage: true },
      });
      for (const iteration of iterations) {
        if (iteration.status === "done" && !printed.has(iteration.id)) {
          printed.add(iteration.id);
          follower.onIteration(await summarize(iteration.id), await frontierMembers(optimization.projectId));
        }
      }
      const running = iterations.find((iteration) => iteration.status === "running");
      const stage = running?.stage ? `${running.number}:${running.stage}` : "";
      if (running?.stage && stage !== lastStage) follower.onStage(running.number, running.stage);
      lastStage = stage;
      if (ENDED.includes(optimization.status))
        return {
          optimizationId,
          status: optimization.status,
          stop: readStop(optimization),
          iterationsDone: optimization.iterationsDone,
          frontier: await frontierMembers(optimization.projectId),
        };
      await pause();
    }
  } finally {
    release();
  }
}
