// What a project is doing right now, for the run controls on every open page (polled).
import { db } from "../db/client.ts";
import { readProgress, type IterationProgress } from "../iterations/progress.ts";
import { claimLive } from "../jobs/lease.ts";
import { readStop, stopInWords } from "../loop/stop.ts";
import { modelConfigured } from "../offline/upstream.ts";

export interface RunProgress {
  modelConfigured: boolean;
  optimization: {
    id: string;
    status: string;
    iterationsDone: number;
    iterationsRequested: number;
    /** Why it stopped short, in words. */
    stopReason: string | null;
    error: string | null;
    simulated: boolean;
    /** Running, but its worker is gone: it resumes when a worker picks it up. */
    stalled: boolean;
  } | null;
  iteration: { number: number; stage: string | null; progress: IterationProgress } | null;
  running: boolean;
}

export async function projectProgress(projectId: string): Promise<RunProgress> {
  const optimization = await db.optimization.findFirst({
    where: { projectId },
    orderBy: { createdAt: "desc" },
    select: {
      id: true,
      status: true,
      iterationsDone: true,
      iterationsRequested: true,
      stopKind: true,
      stopReason: true,
      error: true,
      simulated: true,
      workerId: true,
      leaseId: true,
      heartbeatAt: true,
    },
  });
  const iteration = optimization
    ? await db.iteration.findFirst({
        where: { optimizationId: optimization.id },
        orderBy: { number: "desc" },
        select: { number: true, stage: true, progress: true, status: true },
      })
    : null;
  const running = optimization ? optimization.status === "queued" || optimization.status === "running" : false;
  // Before its first iteration a run scores the seed: show that evaluation's progress.
  const evaluation =
    running && (!iteration || iteration.status !== "running")
      ? await db.evaluation.findFirst({
          where: { status: "running", candidate: { projectId } },
          orderBy: { startedAt: "desc" },
          select: {
            id: true,
            taskCount: true,
            passedCount: true,
            failedCount: true,
            errorCount: true,
            inputTokens: true,
            outputTokens: true,
            candidate: { select: { number: true } },
          },
        })
      : null;
  return {
    modelConfigured: modelConfigured(),
    optimization: optimization && {
      id: optimization.id,
      status: optimization.status,
      iterationsDone: optimization.iterationsDone,
      iterationsRequested: optimization.iterationsRequested,
      stopReason: stopInWords(readStop(optimization)),
      error: optimization.error,
      simulated: optimization.simulated,
      stalled: optimization.status === "running" && !claimLive(optimization),
    },
    iteration: evaluation
      ? {
          number: 0,
          stage: `evaluating candidate #${evaluation.candidate.number}`,
          progress: {
            candidateNumber: evaluation.candidate.number,
            tasksDone: evaluation.passedCount + evaluation.failedCount + evaluation.errorCount,
            tasksTotal: evaluation.taskCount,
            tokens: evaluation.inputTokens + evaluation.outputTokens,
          },
        }
      : iteration && running
        ? { number: iteration.number, stage: iteration.stage, progress: readProgress(iteration.progress) }
        : null,
    running,
  };
}
