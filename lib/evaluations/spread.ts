// An evaluation's task runs spread over every job worker that shares the database. Each pending
// task run becomes a job on the task-run queue (pg-boss); any worker takes it (task-jobs.ts) and
// signs the run while it runs it. With the project's concurrency setting, no more than that many
// are sent or running at once; without it, all are sent at once and the workers' slots decide.
// The worker that holds the evaluation waits here until none is pending, and puts back on the
// queue the task runs of workers that died holding them, or that died after taking a run's job
// but before signing the run. What a run writes is conditional on the run still being pending,
// so a run done twice (its first worker froze, not died) is counted once.
import { db } from "../db/client.ts";
import { workerGone } from "../jobs/ownership.ts";
import { enqueueMany, jobsOnTheirWay, QUEUES } from "../jobs/queue.ts";
import type { ProjectSettings } from "../projects/settings.ts";
import { budgetSpent } from "../runner/proxy/budget.ts";
import { evaluationBudgets } from "./budgets.ts";
import { haltEvaluation, readHalt, type Halt } from "./halt.ts";

/** How often the holder looks at its evaluation's task runs. */
const LOOK_MS = 250;
/** How often it looks for task runs held by workers that are gone, and for jobs that went astray. */
const SWEEP_MS = 2_000;
/** A worker signs the run of a job it took at once (milliseconds); one that has not after this died. */
const SIGN_WITHIN_MS = 5_000;

export interface SpreadOptions {
  /** Stops waiting (a cancel, a lost claim); task runs already taken end on their workers. */
  signal: AbortSignal;
  /** After each look, when task runs finished since the last one. */
  onFinished?: () => void;
  /** A spent budget over what every worker has stored so far, in words; checked on each sweep. */
  budgetSpent?: () => Promise<string | null>;
  /** The most task runs sent or running at once (the project's concurrency setting); all when unset. */
  window?: number;
}

/**
 * Queues the evaluation's pending task runs and waits until none is pending. Answers what halted
 * them (a refused key, a spent budget, a worker that failed), or null when they all ran or the
 * signal stopped the wait.
 */
export async function spreadTaskRuns(evaluationId: string, options: SpreadOptions): Promise<Halt | null> {
  // Sent by this holder, each run with its job: a resumed evaluation's runs may still sit in jobs
  // queued before, so they are sent again; a second job for a run is a no-op (the claim needs the
  // run unheld and pending).
  const sent = new Map<string, string>();
  const send = async (sweep: boolean) => {
    for (const id of await freeLost(evaluationId)) sent.delete(id);
    if (sweep) for (const id of await strayed(sent)) sent.delete(id);
    const ids = await nextToSend(evaluationId, [...sent.keys()], options.window);
    const jobs = await enqueueMany(
      QUEUES.taskRun,
      ids.map((taskRunId) => ({ evaluationId, taskRunId })),
    );
    ids.forEach((id, i) => sent.set(id, jobs[i]));
  };
  await send(false);
  let lastPending = -1;
  let lastSweep = Date.now();
  for (;;) {
    if (options.signal.aborted) return null;
    const [row] = await db.$queryRaw<{ pending: number; halt: unknown }[]>`
      select (select count(*) from "TaskRun" where "evaluationId" = ${evaluationId} and status = 'pending')::int as pending,
        halt from "Evaluation" where id = ${evaluationId}`;
    const halt = readHalt(row?.halt);
    if (halt) return halt;
    if (row.pending === 0) {
      if (lastPending > 0) options.onFinished?.();
      return null;
    }
    const sweep = Date.now() - lastSweep >= SWEEP_MS;
    if (row.pending !== lastPending || sweep) {
      if (lastPending !== -1 && row.pending !== lastPending) options.onFinished?.();
      lastPending = row.pending;
      if (sweep) lastSweep = Date.now();
      await send(sweep);
    }
    if (sweep) {
      const spent = await options.budgetSpent?.();
      if (spent) return { kind: "budget", message: spent };
    }
    await pause(LOOK_MS, options.signal);
  }
}

/**
 * Frees the pending task runs signed by workers that are gone (a JobWorker row that stopped
 * beating, or a process on this machine that is gone), so they can be sent again; answers their ids.
 */
async function freeLost(evaluationId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ id: string; workerId: string; heartbeatAt: Date | null }[]>`
    select t.id, t."workerId", w."heartbeatAt"
    from "TaskRun" as t left join "JobWorker" as w on w.id = t."workerId"
    where t."evaluationId" = ${evaluationId} and t.status = 'pending' and t."workerId" is not null`;
  const lost = rows.filter((row) => workerGone(row.workerId, row.heartbeatAt));
  const freed: string[] = [];
  for (const workerId of new Set(lost.map((row) => row.workerId))) {
    // Conditional on the same holder: a run that holder finished meanwhile stays finished.
    const taken = await db.taskRun.updateManyAndReturn({
      where: {
        id: { in: lost.filter((row) => row.workerId === workerId).map((row) => row.id) },
        status: "pending",
        workerId,
      },
      data: { workerId: null },
      select: { id: true },
    });
    freed.push(...taken.map((row) => row.id));
  }
  return freed;
}

/**
 * The sent task runs, still pending and unsigned, whose job will not bring them to a worker: it
 * was taken SIGN_WITHIN_MS ago or more (the worker that took it died before signing the run), or it
 * ended without the run being signed. They are sent again.
 */
async function strayed(sent: Map<string, string>): Promise<string[]> {
  if (sent.size === 0) return [];
  const unsigned = await db.$queryRaw<{ id: string }[]>`
    select id from "TaskRun" where id = any(${[...sent.keys()]}) and status = 'pending' and "workerId" is null`;
  const onTheirWay = await jobsOnTheirWay(
    QUEUES.taskRun,
    unsigned.map((run) => sent.get(run.id)!),
    SIGN_WITHIN_MS,
  );
  return unsigned.map((run) => run.id).filter((id) => !onTheirWay.has(sent.get(id)!));
}

/**
 * The unheld pending task runs to send next, in trial and suite order, not sent already: all of
 * them, or (with a window) as many as keep the runs sent or held at once within it.
 */
async function nextToSend(evaluationId: string, already: string[], window: number | undefined): Promise<string[]> {
  let room = Number.MAX_SAFE_INTEGER;
  if (window !== undefined) {
    const [{ out }] = await db.$queryRaw<{ out: number }[]>`
      select count(*)::int as out from "TaskRun"
      where "evaluationId" = ${evaluationId} and status = 'pending' and ("workerId" is not null or id = any(${already}))`;
    room = window - out;
    if (room <= 0) return [];
  }
  const rows = await db.$queryRaw<{ id: string }[]>`
    select t.id from "TaskRun" as t join "Task" as k on k.id = t."taskId"
    where t."evaluationId" = ${evaluationId} and t.status = 'pending' and t."workerId" is null
      and not (t.id = any(${already}))
    order by t.trial, k.position
    limit ${room}`;
  return rows.map((row) => row.id);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** What halted a spread evaluation, as the holder finishes it: in the words the local run uses. */
export interface SpreadOutcome {
  refusal: string | null;
  budgetStop: string | null;
  /** A worker could not run its share. */
  failure: string | null;
}

/**
 * Runs the evaluation's pending task runs on the queue, then waits for the ones still running
 * anywhere (after a halt or a cancel) to end, so nothing is stored after the evaluation finished.
 */
export async function runSpread(
  evaluationId: string,
  settings: ProjectSettings,
  signal: AbortSignal,
  onFinished: () => void,
): Promise<SpreadOutcome> {
  const { evaluation, iteration, project } = settings.budgets;
  const budgeted = Boolean(evaluation || iteration?.evaluation || project?.evaluation);
  const halt = await spreadTaskRuns(evaluationId, {
    signal,
    onFinished,
    window: settings.concurrency,
    budgetSpent: budgeted
      ? async () =>
          (await evaluationBudgets(evaluationId, settings)).map(budgetSpent).find((message) => message) ?? null
      : undefined,
  });
  // Written, so every worker stops taking the evaluation's runs (a budget is found here).
  if (halt) await haltEvaluation(evaluationId, halt);
  await settle(evaluationId);
  return {
    refusal: halt?.kind === "refusal" ? halt.message : null,
    budgetStop: halt?.kind === "budget" ? halt.message : null,
    failure: halt?.kind === "error" ? halt.message : null,
  };
}

/** Waits until no pending task run of the evaluation is held by a live worker. */
async function settle(evaluationId: string): Promise<void> {
  for (;;) {
    const rows = await db.$queryRaw<{ workerId: string; heartbeatAt: Date | null }[]>`
      select distinct t."workerId", w."heartbeatAt"
      from "TaskRun" as t left join "JobWorker" as w on w.id = t."workerId"
      where t."evaluationId" = ${evaluationId} and t.status = 'pending' and t."workerId" is not null`;
    if (rows.every((row) => workerGone(row.workerId, row.heartbeatAt))) return;
    await pause(LOOK_MS, new AbortController().signal);
  }
}

let spreading = false;

/** This process serves the task-run queue (a job worker): its evaluations spread over the queue. */
export function spreadOverWorkers(on: boolean): void {
  spreading = on;
}

export function spreadsOverWorkers(): boolean {
  return spreading;
}
