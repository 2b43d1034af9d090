// Runs task runs on sandbox workers behind one recording proxy: independent suites on N lanes
// (a worker each), sequential suites on one lane in stream order with learn() after each task.
// Each task run holds one of the process's slots (slots.ts) while it runs.
// Database-free: the caller passes the task runs (all at once, or a feed that hands them over as
// a job worker takes them off the queue) and a sink for finished ones; an evaluation
// (lib/evaluations) stores them, a check run (the proposer's check) keeps them in memory.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { dataDir } from "../paths.ts";
import type { ProjectSettings } from "../projects/settings.ts";
import type { readStoredGrader } from "../suites/store.ts";
import { accountRefusal, newCredential, startRecordingProxy } from "./proxy/index.ts";
import { budgetSpent, newBudget } from "./proxy/budget.ts";
import type { Attribution, Budget, Exchange } from "./proxy/types.ts";
import { probeIsolation, startWorker } from "./sandbox/sandbox.ts";
import { takeSlot } from "./slots.ts";
import {
  closeCredential,
  prepareEnv,
  releaseEnv,
  runTask,
  type LaneContext,
  type PendingRun,
  type Workers,
} from "./task.ts";
import { errorEvent, fromSandboxEvent, noteEvent } from "../traces/build.ts";
import type { TraceEventRow } from "../traces/events.ts";
import type { FinishedTaskRun } from "../traces/writer.ts";

export type { PendingRun } from "./task.ts";

/** Where model calls go, and how harnesses are isolated. */
export interface EngineOptions {
  /** Where model calls go; default ANTHROPIC_BASE_URL or Anthropic's API. */
  upstreamUrl?: string;
  apiKey?: string | null;
  /** Refuse bubblewrap even where it works (tests of the fallback). */
  isolation?: "auto" | "process";
}

/**
 * Task runs handed to the lanes as they arrive (a job worker's share of an evaluation,
 * lib/evaluations/task-jobs.ts): `next` waits for one, and answers null once none will come.
 */
export interface RunFeed {
  next(): Promise<PendingRun | null>;
  /** The run stopped (a refused key, a spent budget, a cancel): lanes waiting in next() get null. */
  stop(): void;
}

/** A sequential suite's task that finished before a resume: its learn() is replayed. */
export interface FinishedRun {
  output: unknown;
  score: number | null;
  task: { key: string; input: unknown; expected: unknown; meta: unknown; position: number };
}

export interface EngineSpec {
  /** Null for a check run, whose results are not stored as an evaluation. */
  evaluationId: string | null;
  /** The model every call is pointed at, whatever model the harness names (the recording proxy rewrites it). */
  model: string;
  harnessCode: string;
  graderCode: string | null;
  grader: ReturnType<typeof readStoredGrader>["grader"];
  passThreshold: number;
  sequential: boolean;
  timeoutMs: number;
  settings: ProjectSettings;
  /** Every task run at once, or (independent suites only) a feed of them. */
  runs: PendingRun[] | RunFeed;
  finished: FinishedRun[];
  concurrency: number;
  sink: { add(run: FinishedTaskRun): Promise<void> };
  options: EngineOptions;
  cancelled: () => boolean;
  /**
   * Budgets every task run of this run is held to, besides its own task-run budget (made here from
   * the settings): the evaluation's, the iteration's and the project's, started by the caller at
   * what was spent before. Once one is spent, no further task starts.
   */
  budgets?: Budget[];
  onExchange?: (exchange: Exchange) => void;
  /** Once, when the first sandbox worker starts: the isolation and memory limit the runs get. */
  onIsolation?: (isolation: string, memoryLimit: string) => void;
}

/** How a run ended early, if it did. */
export interface EngineOutcome {
  isolation: string | null;
  /** The kernel's part of the workers' memory limit: cgroup, rlimit or poll (memory-limit.ts). */
  memoryLimit: string | null;
  /** The model API's refusal (a bad key, an unpaid account), if one stopped the run. */
  refusal: string | null;
  /** The spent budget, in words, if one stopped the run. */
  budgetStop: string | null;
}

/**
 * Runs task runs in sandbox workers behind a recording proxy; returns the isolation and memory limit they had,
 * and what stopped them early: the model API's refusal (a bad key, an unpaid account), or a budget.
 */
export async function runTaskRuns(spec: EngineSpec): Promise<EngineOutcome> {
  const { settings, options } = spec;
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-eval-"));
  fs.chmodSync(runDir, 0o755); // sandbox uids walk through it to their own folders
  const exchanges = new Map<string, Exchange[]>();
  const shared = spec.budgets ?? [];
  // A refused key ends the evaluation: every further task would fail the same way.
  let refusal: string | null = null;
  // So does a spent budget shared by every task run.
  const budgetStop = () => shared.map(budgetSpent).find((message) => message !== undefined) ?? null;
  const proxy = await startRecordingProxy({
    upstreamUrl: options.upstreamUrl,
    apiKey: options.apiKey,
    socketPath: path.join(runDir, "proxy.sock"),
    onExchange: (exchange: Exchange, attribution: Attribution) => {
      const key = attribution.taskRunId ?? "";
      exchanges.set(key, [...(exchanges.get(key) ?? []), exchange]);
      // Only upstream's own answers (they carry its headers), not the proxy's refusals of a harness.
      if (!refusal && exchange.response.headers)
        refusal = accountRefusal(exchange.response.status, exchange.response.body);
      spec.onExchange?.(exchange);
    },
  });
  let isolation: string | null = null;
  let memoryLimit: string | null = null;
  const context: LaneContext = {
    evaluationId: spec.evaluationId ?? "check",
    model: spec.model,
    harnessCode: spec.harnessCode,
    graderCode: spec.graderCode,
    grader: spec.grader,
    passThreshold: spec.passThreshold,
    timeoutMs: spec.timeoutMs,
    memoryMb: settings.memoryMb,
    proxy,
    exchanges,
    runDir,
    isolationChoice: options.isolation ?? "auto",
    budgets: () => {
      const task = newBudget("task run", settings.budgets.task);
      return task ? [task, ...shared] : [...shared];
    },
    onSandbox: (worker) => {
      if (isolation === null) spec.onIsolation?.(worker.isolation, worker.memoryLimit);
      isolation ??= worker.isolation;
      memoryLimit ??= worker.memoryLimit;
    },
    writer: spec.sink,
    cancelled: () => refusal !== null || budgetStop() !== null || spec.cancelled(),
  };
  try {
    if (spec.sequential) {
      if (!Array.isArray(spec.runs)) throw new Error("A sequential suite runs its whole stream, not a feed.");
      await runSequential(context, spec.runs, spec.finished);
    } else {
      const feed = Array.isArray(spec.runs) ? arrayFeed(spec.runs) : spec.runs;
      await Promise.all(
        Array.from({ length: spec.concurrency }, (_, lane) =>
          // The first lane to see the run stopped frees the others waiting on the feed.
          runLane(context, feed, lane).finally(() => feed.stop()),
        ),
      );
    }
  } finally {
    await proxy.close();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  return { isolation, memoryLimit, refusal, budgetStop: refusal ? null : budgetStop() };
}

async function startWorkers(context: LaneContext, lane: number): Promise<Workers> {
  const laneDir = path.join(context.runDir, `lane-${lane}`);
  const envRoot = path.join(laneDir, "env");
  for (const dir of [envRoot, path.join(laneDir, "harness"), path.join(laneDir, "grader")])
    fs.mkdirSync(dir, { recursive: true });
  const common = {
    envRoot,
    memoryMb: context.memoryMb,
    proxy: { url: context.proxy.url, socketPath: context.proxy.socketPath, serve: context.proxy.serve },
    isolation: context.isolationChoice,
    cacheDir: compileCacheDir(),
  } as const;
  const harness = await startWorker({
    ...common,
    code: context.harnessCode,
    role: "harness",
    scratchDir: path.join(laneDir, "harness"),
  });
  context.onSandbox(harness);
  const grader = context.graderCode
    ? await startWorker({
        ...common,
        code: context.graderCode,
        role: "grader",
        scratchDir: path.join(laneDir, "grader"),
        proxy: null,
      })
    : null;
  return {
    harness,
    grader,
    envRoot,
    close: async () => {
      await Promise.all([harness.close(), grader?.close()]);
    },
  };
}

function arrayFeed(runs: PendingRun[]): RunFeed {
  const queue = [...runs];
  return { next: async () => queue.shift() ?? null, stop: () => {} };
}

/**
 * A lane takes one of the process's slots for each task run, and starts its workers on its first.
 * The run comes first, then the slot: a lane waiting on a feed holds no slot.
 */
async function runLane(context: LaneContext, feed: RunFeed, lane: number): Promise<void> {
  let workers: Workers | null = null;
  try {
    while (!context.cancelled()) {
      const run = await feed.next();
      if (!run) break;
      const release = await takeSlot();
      try {
        if (context.cancelled()) break;
        workers ??= await startWorkers(context, lane);
        if (!workers.harness.alive) await workers.harness.restart();
        await runTask(context, workers, run, null);
      } finally {
        release();
      }
    }
  } finally {
    await workers?.close();
  }
}

/** One worker, stream order, learn() after each task; ctx.state lives in the worker. */
async function runSequential(context: LaneContext, runs: PendingRun[], finished: FinishedRun[]): Promise<void> {
  if (runs.length === 0) return;
  const workers = await startWorkers(context, 0);
  try {
    let preamble: TraceEventRow[] = [];
    if (finished.length > 0) preamble = await replayLearning(context, workers, runs[0], finished);
    for (const run of runs) {
      if (context.cancelled()) break;
      if (!workers.harness.alive) {
        await workers.harness.restart();
        preamble.push(
          noteEvent(
            "The worker was restarted after the previous task ended it: ctx.state starts empty again.",
            new Date(),
          ),
        );
      }
      const release = await takeSlot();
      try {
        await runTask(context, workers, run, { preamble });
      } finally {
        release();
      }
      preamble = [];
    }
  } finally {
    await workers.close();
  }
}

/**
 * Resuming a sequential evaluation: the finished tasks' learn() calls are replayed on a new
 * worker so ctx.state is rebuilt; their model calls are recorded on the first resumed run.
 */
async function replayLearning(
  context: LaneContext,
  workers: Workers,
  first: PendingRun,
  finished: FinishedRun[],
): Promise<TraceEventRow[]> {
  const rows: TraceEventRow[] = [
    noteEvent(`Resumed: replaying learn() for ${finished.length} finished tasks to rebuild ctx.state.`, new Date()),
  ];
  const credential = newCredential();
  context.proxy.register(credential, {
    taskRunId: first.id,
    evaluationId: context.evaluationId,
    model: context.model,
    budgets: context.budgets(),
  });
  try {
    for (const run of finished) {
      const envDir = prepareEnv(workers.envRoot, null);
      const outcome = await workers.harness.learn({
        task: { id: run.task.key, input: run.task.input, meta: run.task.meta ?? undefined },
        feedback: { expected: run.task.expected, output: run.output, score: run.score ?? 0 },
        credential,
        timeoutMs: context.timeoutMs,
        envDir,
      });
      rows.push(...outcome.events.map(fromSandboxEvent));
      if (outcome.error) rows.push(errorEvent(outcome.error, new Date()));
      releaseEnv(envDir);
      if (!workers.harness.alive) await workers.harness.restart();
    }
  } finally {
    await closeCredential(context.proxy, credential);
  }
  return rows;
}

/** Compiled harnesses and the sandbox host program, kept across runs (they take a few hundred ms to build). */
export function compileCacheDir(): string {
  return path.join(dataDir(), "cache");
}

/** Which isolation task runs get on this machine, and why it is not bubblewrap when it is not. */
export async function isolationReport(): Promise<{ isolation: string; reason: string }> {
  const probe = await probeIsolation();
  return { isolation: probe.isolation, reason: probe.fallbackReason ?? "" };
}
