// What a project is doing right now, for the run controls on every open page (polled).
import { db } from "../db/client.ts";
import { workerGone } from "../jobs/ownership.ts";
import { modelConfigured } from "../offline/upstream.ts";

export interface RunProgress {
  modelConfigured: boolean;
  optimization: {
    id: string;
    status: string;
    iterationsDone: number;
    iterationsRequested: number;
    stopReason: string | null;
    error: string | null;
    simulated: boolean;
    /** Running, but its worker is gone: it resumes when a worker picks it up. */
    stalled: boolean;
  } | null;
  iteration: { number: number; stage: string | null; progress: Record<string, unknown> } | null;
  running: boolean;
}

export async function projectProgress(projectId: string): Promise<RunProgress> {
  const optimization = await db.optimization.findFirst({
    where: { projectId },
    orderBy: { createdAt: "desc" },
    select: { id: true, status: true, iterationsDone: true, iterationsRequested: true, stopReason: true, error: true, simulated: true, workerId: true, heartbeatAt: true },
  });
  const iteration = optimization
    ? await db.iteration.findFirst({ where: { optimizationId: optimization.id }, orderBy: { number: "desc" }, select: { number: true, stage: true, progress: true, status: true } })
    : null;
  const running = optimization ? optimization.status === "queued" || optimization.status === "running" : false;
  return {
    modelConfigured: modelConfigured(),
    optimization: optimization && {
      id: optimization.id,
      status: optimization.status,
      iterationsDone: optimization.iterationsDone,
      iterationsRequested: optimization.iterationsRequested,
      stopReason: optimization.stopReason,
      error: optimization.error,
      simulated: optimization.simulated,
      stalled: optimization.status === "running" && workerGone(optimization.workerId, optimization.heartbeatAt),
    },
    iteration: iteration && running ? { number: iteration.number, stage: iteration.stage, progress: (iteration.progress ?? {}) as Record<string, unknown> } : null,
    running,
  };
}
