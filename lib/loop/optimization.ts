// An optimization: N iterations of one project, one at a time, within its budgets; at the
// end the frontier candidates are evaluated on the held-out test split. Held by one worker
// at a time (a lease, lib/jobs/lease.ts); a worker that dies leaves it to be resumed where it stopped.
import { refuseUnpricedStart } from "../prices/budgets.ts";
import { db, type FeedbackMode, type ProposerKind } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { claimLive, claimLost, holdLease, takeLease } from "../jobs/lease.ts";
import { noSuchProject } from "../projects/queries.ts";
import { readSettings } from "../projects/settings.ts";
import { MAX_TRIALS, isTrials } from "../evaluations/trials.ts";
import { prepareEvaluation, runEvaluation } from "../evaluations/run.ts";
import { offlineUpstream } from "../offline/upstream.ts";
import { projectBudgetReached } from "./budget.ts";
import { CANCELLED, stopColumns, type Stop } from "./stop.ts";
import { projectFrontier } from "../candidates/standings.ts";
import { runIteration, type IterationSummary } from "../iterations/run.ts";

export interface OptimizeOptions {
  /** Offline: every evaluation it runs is simulated too. */
  simulated?: boolean;
  /** Trials per task of its search evaluations (the optimization's own, when asked); default: the setting. */
  trials?: number;
  upstreamUrl?: string;
  apiKey?: string | null;
  signal?: AbortSignal;
  /** `iteration` is the project-wide iteration number (as pages and the CLI show it); 0 before the first. */
  onStage?: (iteration: number, stage: string) => void;
  onIteration?: (summary: IterationSummary, frontier: FrontierMember[]) => void;
}

/**
 * Records a request to run N iterations; refuses while another is going for the project.
 * `feedback`: what its workspace holds of each task run (raw traces unless an ablation asks).
 */
export async function createOptimization(
  projectId: string,
  iterations: number,
  proposer?: { kind?: ProposerKind; command?: string | null; offline?: boolean },
  feedback: FeedbackMode = "raw",
  /** Trials per task of its search evaluations; default: the project's setting. */
  trials?: number,
): Promise<string> {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 1000)
    throw new StudioError("Iterations must be a whole number from 1 to 1000.");
  if (trials !== undefined && !isTrials(trials))
    throw new StudioError(`Trials must be a whole number from 1 to ${MAX_TRIALS}.`);
  // Offline runs use the offline proposer (no cost); their evaluations are priced as real ones.
  await refuseUnpricedStart(projectId, proposer?.offline ? undefined : { kind: proposer?.kind });
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`optimization:${projectId}`}))`;
    const project = await tx.project.findUnique({ where: { id: projectId }, select: { id: true } });
    if (!project) throw noSuchProject(projectId);
    const going = await tx.optimization.findFirst({
      where: { projectId, status: { in: ["queued", "running"] } },
      select: { id: true, workerId: true, leaseId: true, heartbeatAt: true, status: true },
    });
    if (going && !(going.status === "running" && !claimLive(going))) {
      throw new StudioError(
        `An optimization is already ${going.status} for this project (${going.id}): one at a time.`,
      );
    }
    if (going)
      await tx.optimization.update({
        where: { id: going.id },
        data: { status: "failed", error: "Superseded after its worker died.", finishedAt: new Date() },
      });
    // Offline only when asked: the offline proposer and model, and every result marked simulated.
    // Earlier simulated runs of the project never make this one simulated.
    const offline = proposer?.offline === true;
    const created = await tx.optimization.create({
      data: {
        projectId,
        iterationsRequested: iterations,
        simulated: offline,
        proposerKind: offline ? "offline" : proposer?.kind,
        proposerCommand: proposer?.command ?? null,
        feedback,
        trials: trials ?? null,
      },
    });
    return created.id;
  });
}

/** The optimization to resume for a project: running, with its worker gone. */
export async function resumableOptimization(projectId: string): Promise<string | null> {
  const row = await db.optimization.findFirst({
    where: { projectId, status: { in: ["queued", "running"] } },
    orderBy: { createdAt: "desc" },
    select: { id: true, workerId: true, leaseId: true, heartbeatAt: true },
  });
  return row && !claimLive(row) ? row.id : null;
}

export interface OptimizationResult {
  optimizationId: string;
  status: string;
  /** Why it stopped short of the iterations asked, if it did. */
  stop: Stop | null;
  iterationsDone: number;
  frontier: FrontierMember[];
}

/** A frontier candidate as people (#number) and scripts (id) name it. */
export interface FrontierMember {
  id: string;
  number: number;
}

export async function frontierMembers(projectId: string): Promise<FrontierMember[]> {
  return (await projectFrontier(projectId)).map(({ id, number }) => ({ id, number }));
}

export async function runOptimization(
  optimizationId: string,
  options: OptimizeOptions = {},
): Promise<OptimizationResult> {
  const { optimization, leaseId } = await claim(optimizationId);
  if (optimization.simulated && !options.upstreamUrl)
    options = { ...options, upstreamUrl: await offlineUpstream(), apiKey: null };
  const abort = new AbortController();
  options.signal?.addEventListener("abort", () => abort.abort(), { once: true });
  const lease = holdLease("optimization", optimizationId, leaseId, () => abort.abort());

  let stop: Stop | null = null;
  let status: "done" | "failed" | "cancelled" = "done";
  let error: string | null = null;
  try {
    // The proposer learns from traces: a candidate with no search results yet (the seed, a
    // person's edit) is evaluated first, so the first iteration has something to read.
    const trials = optimization.trials ?? undefined;
    await evaluateUnscored(
      optimization.projectId,
      { ...options, simulated: optimization.simulated, trials },
      abort.signal,
    );
    for (let done = optimization.iterationsDone; done < optimization.iterationsRequested; done++) {
      // Read before each iteration: settings saved while a run goes apply from its next iteration.
      const project = await db.project.findUniqueOrThrow({
        where: { id: optimization.projectId },
        select: { proposerKind: true, proposerCommand: true, settings: true },
      });
      stop = await projectBudgetReached(optimization.projectId, readSettings(project.settings));
      if (stop) break;
      if (abort.signal.aborted) {
        status = "cancelled";
        stop = CANCELLED;
        break;
      }
      const summary = await runIteration(optimization.projectId, {
        optimizationId,
        proposerKind: optimization.proposerKind ?? project.proposerKind,
        proposerCommand: optimization.proposerCommand ?? project.proposerCommand,
        upstreamUrl: options.upstreamUrl,
        apiKey: options.apiKey,
        simulated: optimization.simulated,
        feedback: optimization.feedback,
        trials,
        signal: abort.signal,
        onStage: (stage, number) => options.onStage?.(number, stage),
      });
      await db.optimization.update({ where: { id: optimizationId }, data: { iterationsDone: done + 1 } });
      // A proposer that failed before writing anything (a refused key, an unreachable API) would
      // fail the same way next iteration: end the run and say why.
      if (summary.candidates.length === 0 && summary.proposer.stop?.kind === "proposer_error") {
        throw new StudioError(`The proposer could not work: ${summary.proposer.stop.message}`);
      }
      if (summary.stop) {
        stop = summary.stop; // a budget reached inside the iteration ends the run too
        options.onIteration?.(summary, await frontierMembers(optimization.projectId));
        break;
      }
      options.onIteration?.(summary, await frontierMembers(optimization.projectId));
    }
    // Not past a budget: the held-out scores would be spending it cannot afford.
    if (status === "done" && !stop)
      await evaluateFrontierOnTest(
        optimization.projectId,
        { ...options, simulated: optimization.simulated, trials },
        abort.signal,
      );
  } catch (caught) {
    if (abort.signal.aborted) {
      status = "cancelled";
      stop = CANCELLED;
    } else {
      status = "failed";
      error = caught instanceof Error ? caught.message : String(caught);
    }
  }
  const finished = await db.optimization
    .update({
      where: { id: optimizationId, leaseId }, // only while this claim holds it
      data: {
        status,
        ...stopColumns(stop),
        error,
        finishedAt: new Date(),
        workerId: null,
        leaseId: null,
        heartbeatAt: null,
      },
      select: { iterationsDone: true },
    })
    .catch(claimLost("optimization", optimizationId))
    .finally(() => lease.release()); // held until the end is stored: no second claim in between
  return {
    optimizationId,
    status,
    stop,
    iterationsDone: finished.iterationsDone,
    frontier: await frontierMembers(optimization.projectId),
  };
}

/** The model the loop's evaluations run with, and select by: the project's, as it is now. */
async function projectModel(projectId: string): Promise<string> {
  return (await db.project.findUniqueOrThrow({ where: { id: projectId }, select: { model: true } })).model;
}

async function evaluateUnscored(projectId: string, options: OptimizeOptions, signal: AbortSignal): Promise<void> {
  const model = await projectModel(projectId);
  // Scored means scored by this kind of run, on this model: a real run does not learn from simulated traces.
  const unscored = await db.candidate.findMany({
    where: {
      projectId,
      status: "valid",
      iterationId: null,
      evaluations: { none: { split: "search", status: "done", simulated: options.simulated === true, model } },
    },
    orderBy: { number: "asc" },
    select: { id: true },
  });
  for (const candidate of unscored) {
    if (signal.aborted) return;
    options.onStage?.(0, "evaluating the seed");
    const { evaluationId } = await prepareEvaluation(candidate.id, "search", {
      simulated: options.simulated,
      trials: options.trials,
    });
    await runEvaluation(evaluationId, { upstreamUrl: options.upstreamUrl, apiKey: options.apiKey, signal });
  }
}

/**
 * Frontier candidates get a held-out score, so both splits can be shown side by side. Their
 * trials: the `testTrials` setting (more than the search's, as the method's authors do for
 * their winner), else the search's.
 */
async function evaluateFrontierOnTest(projectId: string, options: OptimizeOptions, signal: AbortSignal): Promise<void> {
  const model = await projectModel(projectId);
  const project = await db.project.findUniqueOrThrow({ where: { id: projectId }, select: { settings: true } });
  const settings = readSettings(project.settings);
  const trials = settings.testTrials ?? options.trials ?? settings.trials;
  for (const candidate of await projectFrontier(projectId)) {
    if (signal.aborted) return;
    const done = await db.evaluation.count({
      where: { candidateId: candidate.id, split: "test", status: "done", simulated: options.simulated === true, model },
    });
    if (done) continue;
    const { evaluationId } = await prepareEvaluation(candidate.id, "test", { simulated: options.simulated, trials });
    await runEvaluation(evaluationId, { upstreamUrl: options.upstreamUrl, apiKey: options.apiKey, signal });
  }
}

async function claim(optimizationId: string) {
  const row = await db.optimization.findUnique({ where: { id: optimizationId } });
  if (!row) throw new StudioError(`No optimization ${optimizationId}.`);
  if (row.status === "done" || row.status === "cancelled" || row.status === "failed") {
    throw new StudioError(`Optimization ${optimizationId} has already ended (${row.status}).`);
  }
  const leaseId = await takeLease("optimization", optimizationId, row);
  return { optimization: row, leaseId };
}
