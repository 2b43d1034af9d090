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
  /**
   * What the run is doing now: scoring the seed before the first iteration, an iteration, or
   * the final check of the frontier on the held-out test split after the last one.
   */
  phase: RunPhase | null;
  /** The running iteration (null in the seed and test phases, which belong to no iteration). */
  iteration: { number: number; stage: string | null; progress: IterationProgress } | null;
  running: boolean;
  /**
   * Changes whenever a candidate, evaluation or iteration of the project is added or changes
   * status (or an iteration its stage): live pages re-render from the database when it moves.
   */
  revision: string;
}

export type RunPhase =
  | { kind: "waiting" }
  | { kind: "seed" | "test"; candidateNumber: number; tasksDone: number; tasksTotal: number; tokens: number }
  | { kind: "iteration"; number: number };

export async function projectProgress(projectId: string): Promise<RunProgress> {
  const [optimization, revision] = await Promise.all([
    db.optimization.findFirst({
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
    }),
    projectRevision(projectId),
  ]);
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
            split: true,
            candidate: { select: { number: true } },
          },
        })
      : null;
  const iterationRunning = Boolean(running && iteration && iteration.status === "running");
  const phase: RunPhase | null = !running
    ? null
    : evaluation
      ? {
          kind: evaluation.split === "test" ? "test" : "seed",
          candidateNumber: evaluation.candidate.number,
          tasksDone: evaluation.passedCount + evaluation.failedCount + evaluation.errorCount,
          tasksTotal: evaluation.taskCount,
          tokens: evaluation.inputTokens + evaluation.outputTokens,
        }
      : iterationRunning
        ? { kind: "iteration", number: iteration!.number }
        : { kind: "waiting" };
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
    phase,
    iteration:
      iteration && running && !evaluation
        ? { number: iteration.number, stage: iteration.stage, progress: readProgress(iteration.progress) }
        : null,
    running,
    revision,
  };
}

/** A fingerprint of the project's candidates, evaluations and iterations (see RunProgress.revision). */
export async function projectRevision(projectId: string): Promise<string> {
  const [row] = await db.$queryRaw<{ revision: string }[]>`
    select concat_ws('|',
      (select concat_ws(':', count(*), count(*) filter (where status = 'valid'), count(*) filter (where status = 'rejected'))
        from "Candidate" where "projectId" = ${projectId}),
      (select concat_ws(':', count(*), count(*) filter (where e.status in ('done', 'failed', 'cancelled')), count(*) filter (where e.status = 'running'))
        from "Evaluation" e join "Candidate" c on c.id = e."candidateId" where c."projectId" = ${projectId}),
      (select concat_ws(':', count(*), md5(coalesce(string_agg(concat(i.status, '/', i.stage), ',' order by i.number), '')))
        from "Iteration" i where i."projectId" = ${projectId})) as revision`;
  return row.revision;
}
