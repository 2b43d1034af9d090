// An evaluation's lifecycle: prepare it (or find the one a dead worker left), take its lease,
// run its pending task runs on the engine (lib/runner/engine.ts), store each as it ends, and
// finish with figures recomputed from the stored task runs. A run that dies midway resumes
// with only the unfinished tasks, and nothing is counted twice.
import os from "node:os";
import { db, Prisma } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { claimLive, claimLost, holdLease, takeLease } from "../jobs/lease.ts";
import { offlineUpstream } from "../offline/upstream.ts";
import { readSettings, trialsFor, type ProjectSettings } from "../projects/settings.ts";
import { MAX_TRIALS, isTrials } from "./trials.ts";
import {
  runTaskRuns,
  type EngineOptions,
  type EngineOutcome,
  type EngineSpec,
  type PendingRun,
} from "../runner/engine.ts";
import { evaluationPriceRefusal } from "../prices/budgets.ts";
import { loadPriceOverrides } from "../prices/overrides.ts";
import { readStop, stopColumns, type Stop } from "../loop/stop.ts";
import { evaluationBudgets } from "./budgets.ts";
import { exportAfterEvaluation } from "../otlp/export.ts";
import { compileEvaluationCode } from "./code.ts";
import { runSpread, spreadsOverWorkers } from "./spread.ts";
import { TaskRunWriter } from "../traces/writer.ts";
import { detectEngine, NO_ENGINE } from "../runner/containers/engine.ts";
import { containerCacheDir } from "../runner/containers/session.ts";
import { readStoredGrader } from "../suites/store.ts";
import { progressReporter, refreshAggregates, type EvaluationProgress } from "./aggregate.ts";
import { figuresOf, storedFiguresSelect, type EvaluationFigures } from "./figures.ts";

/** What `runEvaluation` returns, and `studio eval --json` prints. */
export interface EvaluationSummary extends EvaluationFigures {
  evaluationId: string;
  candidateId: string;
  split: "search" | "test";
  /** The task model it ran with. */
  model: string;
  status: string;
  isolation: string | null;
  memoryLimit: string | null;
  simulated: boolean;
  /** Why it stopped before every task ran (a budget, in words), or null. */
  stop: Stop | null;
}

export interface RunOptions extends EngineOptions {
  /** Task runs at once (independent suites). Default: project setting, else the number of cores. */
  concurrency?: number;
  /** The project's settings as an iteration read them at its start; default: read now. */
  settings?: ProjectSettings;
  onProgress?: (progress: EvaluationProgress) => void;
  /** Before each trace write statement: the bytes of JSON it carries (see TRACE_BATCH_LIMIT_BYTES). */
  onTraceStatement?: (bytes: number) => void;
  signal?: AbortSignal;
}

/**
 * The evaluation to run for a candidate and split: an unfinished one left by a dead worker
 * (resumed), or a new one with a pending task run per task and trial (`trials`, else the
 * project's setting for the split, else 1).
 */
export async function prepareEvaluation(
  candidateId: string,
  split: "search" | "test",
  options: { fresh?: boolean; simulated?: boolean; model?: string; trials?: number } = {},
): Promise<{ evaluationId: string; resumed: boolean }> {
  const candidate = await db.candidate.findUnique({
    where: { id: candidateId },
    select: {
      id: true,
      status: true,
      project: { select: { model: true, settings: true, suite: { select: { id: true } } } },
    },
  });
  if (!candidate) throw new StudioError(`No candidate ${candidateId}.`);
  if (candidate.status === "rejected")
    throw new StudioError(`Candidate ${candidateId} was rejected; it cannot be evaluated.`);
  const suiteId = candidate.project.suite?.id;
  if (!suiteId) throw new StudioError("This project has no task suite.");
  // Recorded now: the project's model may change later, under this evaluation's scores.
  const model = options.model ?? candidate.project.model;

  if (!options.fresh) {
    const unfinished = await db.evaluation.findFirst({
      where: { candidateId, split, model, status: { in: ["queued", "running"] } },
      orderBy: { createdAt: "desc" },
      select: { id: true, heartbeatAt: true, workerId: true, leaseId: true, simulated: true },
    });
    // Resumed only as the same kind of run: a real evaluation never continues a simulated one.
    if (unfinished && !claimLive(unfinished) && unfinished.simulated === (options.simulated === true))
      return { evaluationId: unfinished.id, resumed: true };
  }

  const trials = trialsFor(readSettings(candidate.project.settings), split, options.trials);
  if (!isTrials(trials)) throw new StudioError(`Trials must be a whole number from 1 to ${MAX_TRIALS}, not ${trials}.`);
  const taskCount = await db.task.count({ where: { suiteId, split } });
  if (taskCount === 0) throw new StudioError(`The suite has no ${split} tasks.`);
  const evaluation = await db.$transaction(async (tx) => {
    const created = await tx.evaluation.create({
      // Simulated only when asked (offline): the candidate's or project's past runs do not decide it.
      data: { candidateId, split, model, taskCount, trials, simulated: options.simulated === true },
    });
    // One statement whatever the suite's size (createMany took half a second for 5,000 tasks).
    // Ids are made here, cuid-shaped: "c" and 24 random hex digits.
    await tx.$executeRaw`
      insert into "TaskRun" (id, "evaluationId", "taskId", trial)
      select 'c' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 24), ${created.id}, t.id, trial
      from "Task" as t, generate_series(1, ${trials}::int) as trial
      where t."suiteId" = ${suiteId} and t.split = ${split}::"Split"`;
    return created;
  });
  return { evaluationId: evaluation.id, resumed: false };
}

/** Runs every pending task run of the evaluation and returns its summary. */
export async function runEvaluation(evaluationId: string, options: RunOptions = {}): Promise<EvaluationSummary> {
  const { evaluation, leaseId } = await claim(evaluationId);
  // Stops after the task runs in flight: when the caller aborts, a person cancels, or the claim is lost.
  const stop = new AbortController();
  options.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  if (options.signal?.aborted) stop.abort();
  // Held until the evaluation is finished and stored, so no second claim can start in between.
  const lease = holdLease("evaluation", evaluationId, leaseId, () => stop.abort());
  let summary: EvaluationSummary;
  try {
    summary = await runClaimed({ id: evaluationId, leaseId }, evaluation, options, stop.signal);
  } finally {
    lease.release();
  }
  // After the evaluation is stored and released: an export never changes how it ended.
  await exportAfterEvaluation(evaluationId);
  return summary;
}

type ClaimedEvaluation = Awaited<ReturnType<typeof claim>>["evaluation"];
/** The evaluation and the claim this run holds it by. */
type Held = { id: string; leaseId: string };

async function runClaimed(
  held: Held,
  evaluation: ClaimedEvaluation,
  options: RunOptions,
  stopSignal: AbortSignal,
): Promise<EvaluationSummary> {
  const evaluationId = evaluation.id;
  await loadPriceOverrides();
  // In a job worker, independent task runs go on the queue for every worker to share; a run given
  // a model server of its own (tests, benches) or an isolation keeps them in this process.
  const spread =
    spreadsOverWorkers() &&
    evaluation.candidate.project.suite!.mode !== "sequential" &&
    (options.upstreamUrl === undefined || evaluation.simulated) &&
    options.isolation === undefined;
  // A simulated evaluation talks to the offline model, never to a real one.
  if (evaluation.simulated && !options.upstreamUrl)
    options = { ...options, upstreamUrl: await offlineUpstream(), apiKey: null };
  const { candidate } = evaluation;
  const project = candidate.project;
  const suite = project.suite!;
  const settings = options.settings ?? readSettings(project.settings);
  const { grader, passThreshold } = readStoredGrader(suite.grader);
  // Before any call: a dollar budget over a model with no price cannot hold (lib/prices/budgets.ts).
  // The task runs stay pending, so the evaluation resumes once a price is added.
  // Container tasks need an engine; without one, say what to install and run nothing.
  if (grader.type === "verifier" && !(await detectEngine(containerCacheDir())))
    return finish(held, "failed", NO_ENGINE);
  const unpriced = evaluationPriceRefusal(evaluation.model, settings);
  if (unpriced) return finish(held, "failed", unpriced, { kind: "budget", message: unpriced });

  // Trial by trial: a stopped run leaves whole trials of the suite rather than tasks with none.
  const runs = await db.taskRun.findMany({
    where: { evaluationId, status: "pending" },
    select: {
      id: true,
      trial: true,
      task: {
        select: {
          id: true,
          key: true,
          input: true,
          expected: true,
          meta: true,
          envFiles: true,
          container: true,
          position: true,
        },
      },
    },
    orderBy: [{ trial: "asc" }, { task: { position: "asc" } }],
  });

  const code = await compileEvaluationCode(candidate.source, grader, suite.graderSource);
  if (!code.ok) {
    await failAll(
      evaluationId,
      runs.map((run) => run.id),
      code.errorKind,
      code.message,
    );
    return finish(held, "failed", code.error);
  }
  const { harnessCode, graderCode } = code;

  const progress = progressReporter(evaluationId, evaluation.taskCount * evaluation.trials, options.onProgress);
  const writer = new TaskRunWriter({ onWritten: () => progress.bump(), onStatement: options.onTraceStatement });
  let isolation: string | null = null;
  let memoryLimit: string | null = null;
  let refusal: string | null = null;
  let budgetStop: string | null = null;
  let failure: string | null = null;
  try {
    if (spread)
      ({ refusal, budgetStop, failure } = await runSpread(evaluationId, settings, stopSignal, () => progress.bump()));
    else
      ({ isolation, memoryLimit, refusal, budgetStop } = await runHere(
        {
          evaluationId,
          model: evaluation.model,
          harnessCode,
          graderCode,
          grader,
          passThreshold,
          sequential: suite.mode === "sequential",
          timeoutMs: suite.timeoutMs,
          settings,
          runs,
          finished: [],
          concurrency: options.concurrency ?? settings.concurrency ?? os.availableParallelism(),
          sink: writer,
          options,
          cancelled: () => stopSignal.aborted,
        },
        writer,
      ));
  } finally {
    await writer.drain().catch(() => {});
    await progress.flush();
  }
  if (isolation) await db.evaluation.update({ where: { id: evaluationId }, data: { isolation, memoryLimit } });
  const remaining = await db.taskRun.count({ where: { evaluationId, status: "pending" } });
  if (failure) return finish(held, "failed", failure);
  if (refusal) {
    // Stored on the evaluation, and thrown: the run that asked for it cannot go on either.
    await finish(held, "failed", refusal);
    throw new StudioError(refusal);
  }
  if (budgetStop && remaining > 0)
    return finish(held, "failed", `${budgetStop}; ${remaining} task runs were not run.`, {
      kind: "budget",
      message: budgetStop,
    });
  if (stopSignal.aborted && remaining > 0) return finish(held, "cancelled", null);
  return finish(
    held,
    remaining > 0 ? "failed" : "done",
    remaining > 0 ? `${remaining} task runs did not finish` : null,
  );
}

/** Runs the task runs on this process's own lanes (a CLI run, a test, a sequential suite). */
async function runHere(
  spec: Omit<EngineSpec, "runs" | "evaluationId"> & { evaluationId: string; runs: (PendingRun & { trial: number })[] },
  writer: TaskRunWriter,
): Promise<EngineOutcome> {
  const { evaluationId, runs, sequential, settings } = spec;
  let outcome: EngineOutcome = { isolation: null, memoryLimit: null, refusal: null, budgetStop: null };
  const concurrency = Math.max(1, Math.min(spec.concurrency, runs.length || 1));
  if (!sequential) await db.evaluation.update({ where: { id: evaluationId }, data: { concurrency } });
  const budgets = await evaluationBudgets(evaluationId, settings);
  // A sequential suite's stream runs once per trial, each from a fresh ctx.state (its own
  // engine run); independent tasks run all trials at once.
  const groups = sequential
    ? [...new Set(runs.map((run) => run.trial))].map((trial) => ({
        trial,
        runs: runs.filter((run) => run.trial === trial),
      }))
    : [{ trial: null, runs }];
  for (const group of groups) {
    if (spec.cancelled()) break;
    const finished =
      group.trial !== null
        ? await db.taskRun.findMany({
            where: { evaluationId, trial: group.trial, status: { not: "pending" } },
            select: {
              output: true,
              score: true,
              task: { select: { key: true, input: true, expected: true, meta: true, position: true } },
            },
            orderBy: { task: { position: "asc" } },
          })
        : [];
    outcome = await runTaskRuns({ ...spec, runs: group.runs, finished, concurrency, budgets });
    await writer.drain();
    if (outcome.refusal || outcome.budgetStop) break;
  }
  return outcome;
}

/** Reads the evaluation with what running it needs, and takes its lease. */
async function claim(evaluationId: string) {
  const evaluation = await db.evaluation.findUnique({
    where: { id: evaluationId },
    select: {
      id: true,
      status: true,
      taskCount: true,
      trials: true,
      heartbeatAt: true,
      workerId: true,
      leaseId: true,
      simulated: true,
      model: true,
      candidate: {
        select: {
          id: true,
          source: true,
          project: {
            select: {
              id: true,
              settings: true,
              suite: { select: { mode: true, grader: true, graderSource: true, timeoutMs: true } },
            },
          },
        },
      },
    },
  });
  if (!evaluation) throw new StudioError(`No evaluation ${evaluationId}.`);
  if (evaluation.status === "done" || evaluation.status === "cancelled") {
    throw new StudioError(
      `Evaluation ${evaluationId} has already ${evaluation.status === "done" ? "finished" : "been cancelled"}.`,
    );
  }
  const leaseId = await takeLease("evaluation", evaluationId, evaluation);
  // A cancel or halt meant for the run that died does not stop the one that resumes it.
  await db.evaluation.update({
    where: { id: evaluationId },
    data: { cancelRequested: false, error: null, halt: Prisma.DbNull },
  });
  return { evaluation, leaseId };
}

async function failAll(evaluationId: string, taskRunIds: string[], errorKind: string, message: string): Promise<void> {
  await db.taskRun.updateMany({
    where: { evaluationId, id: { in: taskRunIds }, status: "pending" },
    data: { status: "error", errorKind, errorMessage: message, score: 0, finishedAt: new Date() },
  });
}

/** Stores the end, only while this run's claim holds the row: a run that lost it (it froze past
 * the heartbeat, and another took over) leaves the row to its new holder. */
async function finish(
  held: Held,
  status: "done" | "failed" | "cancelled",
  error: string | null,
  stopped: Stop | null = null,
): Promise<EvaluationSummary> {
  const evaluationId = held.id;
  await refreshAggregates(evaluationId);
  const finishedAt = new Date();
  const started = await db.evaluation.findUniqueOrThrow({ where: { id: evaluationId }, select: { startedAt: true } });
  const durationMs = started.startedAt ? finishedAt.getTime() - started.startedAt.getTime() : 0;
  await db.evaluation
    .update({
      where: { id: evaluationId, leaseId: held.leaseId },
      data: {
        status,
        error,
        ...stopColumns(stopped),
        finishedAt,
        durationMs,
        workerId: null,
        leaseId: null,
        heartbeatAt: null,
      },
      select: { id: true },
    })
    .catch(claimLost("evaluation", evaluationId));
  return readEvaluationSummary(evaluationId);
}

/** An evaluation's summary as stored (what `runEvaluation` answers; `studio eval --queue` reads it). */
export async function readEvaluationSummary(evaluationId: string): Promise<EvaluationSummary> {
  const evaluation = await db.evaluation.findUniqueOrThrow({
    where: { id: evaluationId },
    select: {
      id: true,
      candidateId: true,
      split: true,
      model: true,
      status: true,
      isolation: true,
      memoryLimit: true,
      simulated: true,
      stopKind: true,
      stopReason: true,
      ...storedFiguresSelect,
    },
  });
  return {
    evaluationId: evaluation.id,
    candidateId: evaluation.candidateId,
    split: evaluation.split,
    model: evaluation.model,
    status: evaluation.status,
    isolation: evaluation.isolation,
    memoryLimit: evaluation.memoryLimit,
    simulated: evaluation.simulated,
    stop: readStop(evaluation),
    ...figuresOf(evaluation),
  };
}
