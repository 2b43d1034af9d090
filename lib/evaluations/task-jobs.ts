// A job worker's share of the evaluations spread over the queue (spread.ts). A task-run job names
// one task run: the worker claims it (TaskRun.workerId, only while nobody holds it) and hands it to
// its session for that evaluation: the code compiled once, one recording proxy, and lanes whose
// sandbox workers stay warm from one task run of the evaluation to the next, never across
// evaluations. A session ends once no task run of its evaluation has come for a moment, or when
// the evaluation stops (finished, cancelled, halted).
import os from "node:os";
import { db, Prisma } from "../db/client.ts";
import { workerId } from "../jobs/ownership.ts";
import { offlineUpstream } from "../offline/upstream.ts";
import { readSettings } from "../projects/settings.ts";
import { runTaskRuns, type PendingRun, type RunFeed } from "../runner/engine.ts";
import { slotCount } from "../runner/slots.ts";
import { readStoredGrader } from "../suites/store.ts";
import { TaskRunWriter } from "../traces/writer.ts";
import { evaluationBudgets } from "./budgets.ts";
import { compileEvaluationCode } from "./code.ts";
import { haltEvaluation } from "./halt.ts";

/** A session with nothing to run for this long closes (its sandbox workers and proxy stop). */
const IDLE_MS = 2_000;
/** How often a session reads whether its evaluation still runs. */
const WATCH_MS = 1_000;

const sessions = new Map<string, Promise<Session>>();

/** Runs one task-run job: claims the run, runs it in this worker's session, and returns once it ran. */
export async function runTaskRunJob(evaluationId: string, taskRunId: string): Promise<void> {
  // A job for a run that finished, is held by another worker, or whose evaluation stopped ends here.
  const claimed = await db.$executeRaw`
    update "TaskRun" as t set "workerId" = ${workerId}
    from "Evaluation" as e
    where t.id = ${taskRunId} and t."evaluationId" = ${evaluationId} and t.status = 'pending'
      and t."workerId" is null
      and e.id = t."evaluationId" and e.status = 'running' and not e."cancelRequested" and e.halt is null`;
  if (claimed === 0) return;
  try {
    const run = await db.taskRun.findUniqueOrThrow({ where: { id: taskRunId }, select: pendingRunSelect });
    // A session that closed while this job was on its way takes nothing more; a new one opens.
    for (;;) {
      const session = await openSession(evaluationId);
      const ran = session.take(run);
      if (ran) return await ran;
    }
  } catch (error) {
    await releaseRuns([taskRunId]);
    const message = error instanceof Error ? error.message : String(error);
    await haltEvaluation(evaluationId, { kind: "error", message: `A worker could not run its task runs: ${message}` });
  }
}

const pendingRunSelect = {
  id: true,
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
} satisfies Prisma.TaskRunSelect;

/** Claimed task runs this worker will not run after all go back to whoever takes them next. */
async function releaseRuns(ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.taskRun.updateMany({
    where: { id: { in: ids }, status: "pending", workerId },
    data: { workerId: null },
  });
}

function openSession(evaluationId: string): Promise<Session> {
  let session = sessions.get(evaluationId);
  if (!session) {
    session = Session.open(evaluationId);
    sessions.set(evaluationId, session);
    // One that failed to open is forgotten, so the next job tries again.
    session.catch(() => sessions.delete(evaluationId));
  }
  return session;
}

class Session {
  private readonly queue: PendingRun[] = [];
  private readonly waiting: ((run: PendingRun | null) => void)[] = [];
  /** Claimed task runs not yet run, each with the job waiting for it. */
  private readonly held = new Map<string, () => void>();
  /** Every task run this session took: those still pending when it closes are given back. */
  private readonly taken = new Set<string>();
  private ended = false;
  private stopped = false;
  private idle: NodeJS.Timeout | null = null;
  private readonly watch: NodeJS.Timeout;

  private constructor(private readonly evaluationId: string) {
    this.watch = setInterval(() => void this.checkRunning(), WATCH_MS);
  }

  static async open(evaluationId: string): Promise<Session> {
    const evaluation = await db.evaluation.findUniqueOrThrow({
      where: { id: evaluationId },
      select: {
        model: true,
        simulated: true,
        candidate: {
          select: {
            source: true,
            project: {
              select: { settings: true, suite: { select: { grader: true, graderSource: true, timeoutMs: true } } },
            },
          },
        },
      },
    });
    const suite = evaluation.candidate.project.suite!;
    const settings = readSettings(evaluation.candidate.project.settings);
    const { grader, passThreshold } = readStoredGrader(suite.grader);
    const code = await compileEvaluationCode(evaluation.candidate.source, grader, suite.graderSource);
    // The worker that holds the evaluation compiled it first and failed it; this cannot be reached
    // unless the code changed under it.
    if (!code.ok) throw new Error(code.error);
    const budgets = await evaluationBudgets(evaluationId, settings);
    const session = new Session(evaluationId);
    const writer = new TaskRunWriter();
    let isolationStored: Promise<unknown> = Promise.resolve();
    const outcome = runTaskRuns({
      evaluationId,
      model: evaluation.model,
      harnessCode: code.harnessCode,
      graderCode: code.graderCode,
      grader,
      passThreshold,
      sequential: false,
      timeoutMs: suite.timeoutMs,
      settings,
      runs: session.feed,
      finished: [],
      // Lanes wait on the feed holding no slot; the slots (--slots) limit what runs at once.
      concurrency: slotCount() ?? os.availableParallelism(),
      // Stored before the first run is: the holder finishes with it once the runs are all stored.
      onIsolation: (isolation, memoryLimit) => {
        isolationStored = db.$executeRaw`update "Evaluation" set isolation = coalesce(isolation, ${isolation}),
          "memoryLimit" = coalesce("memoryLimit", ${memoryLimit}) where id = ${evaluationId}`;
      },
      sink: {
        add: async (run) => {
          await isolationStored;
          await writer.add(run);
          session.ran(run.id);
        },
      },
      // A simulated evaluation talks to the offline model; a real one to this worker's own
      // ANTHROPIC_BASE_URL and key, as every worker of one studio is set up alike.
      options: evaluation.simulated ? { upstreamUrl: await offlineUpstream(), apiKey: null } : {},
      cancelled: () => session.stopped,
      budgets,
    });
    void session.close(outcome, writer);
    return session;
  }

  /** Hands a claimed run to the lanes; the answer settles once it ran. Null once the session closed. */
  take(run: PendingRun): Promise<void> | null {
    if (this.ended) return null;
    if (this.idle) clearTimeout(this.idle);
    this.idle = null;
    this.taken.add(run.id);
    const done = new Promise<void>((resolve) => this.held.set(run.id, resolve));
    const lane = this.waiting.shift();
    if (lane) lane(run);
    else this.queue.push(run);
    return done;
  }

  readonly feed: RunFeed = {
    next: () => {
      const run = this.queue.shift();
      if (run || this.ended) return Promise.resolve(run ?? null);
      return new Promise((resolve) => this.waiting.push(resolve));
    },
    stop: () => this.end(),
  };

  private ran(id: string): void {
    this.held.get(id)?.();
    this.held.delete(id);
    if (this.held.size === 0 && !this.ended) {
      if (this.idle) clearTimeout(this.idle);
      this.idle = setTimeout(() => this.end(), IDLE_MS);
    }
  }

  /** No more runs come in: lanes waiting get null, and the session leaves the map. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    if (this.idle) clearTimeout(this.idle);
    if (sessions.get(this.evaluationId)) sessions.delete(this.evaluationId);
    for (const lane of this.waiting.splice(0)) lane(null);
  }

  private async checkRunning(): Promise<void> {
    const row = await db.evaluation
      .findUnique({ where: { id: this.evaluationId }, select: { status: true, cancelRequested: true, halt: true } })
      .catch(() => undefined);
    if (row === undefined) return; // the database is briefly away: the next look decides
    if (!row || row.status !== "running" || row.cancelRequested || row.halt !== null) {
      this.stopped = true;
      this.end();
    }
  }

  /** After the lanes end: stores what ran, says why they stopped, and gives back what did not run. */
  private async close(outcome: ReturnType<typeof runTaskRuns>, writer: TaskRunWriter): Promise<void> {
    try {
      const result = await outcome;
      await writer.drain();
      if (result.refusal) await haltEvaluation(this.evaluationId, { kind: "refusal", message: result.refusal });
      else if (result.budgetStop)
        await haltEvaluation(this.evaluationId, { kind: "budget", message: result.budgetStop });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await haltEvaluation(this.evaluationId, {
        kind: "error",
        message: `A worker could not run its task runs: ${message}`,
      }).catch(() => {});
    } finally {
      clearInterval(this.watch);
      this.end();
      // Only those still pending: a run whose trace was stored stays this worker's.
      await releaseRuns([...this.taken]).catch(() => {});
      for (const id of [...this.held.keys()]) this.ran(id);
    }
  }
}
