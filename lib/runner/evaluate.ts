// Runs one evaluation: a candidate on one split of its project's suite. Each task runs in a
// sandbox worker, its model calls go through the recording proxy, and its task run is
// written with its whole trace in one transaction as soon as it ends, so a run that dies
// midway resumes with only the unfinished tasks and nothing is counted twice.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { db, type Prisma } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { HEARTBEAT_MS, workerGone, workerId } from "../jobs/ownership.ts";
import { offlineUpstream } from "../offline/upstream.ts";
import { dataDir } from "../paths.ts";
import { readSettings, type ProjectSettings } from "../projects/settings.ts";
import { gradeBuiltin } from "../suites/graders.ts";
import { readStoredGrader } from "../suites/store.ts";
import { errorEvent, fromExchange, fromSandboxEvent, gradeEvent, inTimeOrder, noteEvent } from "../traces/build.ts";
import type { TraceEventRow } from "../traces/events.ts";
import { TaskRunWriter, type FinishedTaskRun } from "../traces/writer.ts";
import { accountRefusal, newCredential, setPriceOverrides, startRecordingProxy, type RecordingProxy } from "./proxy/index.ts";
import type { Attribution, Exchange, LabeledBudget } from "./proxy/types.ts";
import { compileGrader, compileHarness } from "./sandbox/compile.ts";
import { cutMarker } from "./sandbox/limits.ts";
import { probeIsolation, startWorker, type SandboxWorker, type TaskOutcome } from "./sandbox/sandbox.ts";

export interface EvaluationSummary {
  evaluationId: string;
  candidateId: string;
  split: "search" | "test";
  status: string;
  score: number | null;
  tasks: number;
  passed: number;
  failed: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durationMs: number;
  isolation: string | null;
  simulated: boolean;
}

export interface EvaluationProgress {
  done: number;
  total: number;
  passed: number;
  failed: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
}

export interface RunOptions {
  /** Task runs at once (independent suites). Default: project setting, else the number of cores. */
  concurrency?: number;
  /** The project's settings as an iteration read them at its start; default: read now. */
  settings?: ProjectSettings;
  onProgress?: (progress: EvaluationProgress) => void;
  signal?: AbortSignal;
  /** Where model calls go; default ANTHROPIC_BASE_URL or Anthropic's API. */
  upstreamUrl?: string;
  apiKey?: string | null;
  /** Refuse bubblewrap even where it works (tests of the fallback). */
  isolation?: "auto" | "process";
}

const PROGRESS_FLUSH_MS = 250;

/**
 * The evaluation to run for a candidate and split: an unfinished one left by a dead worker
 * (resumed), or a new one with a pending task run per task.
 */
export async function prepareEvaluation(
  candidateId: string,
  split: "search" | "test",
  options: { fresh?: boolean; simulated?: boolean } = {},
): Promise<{ evaluationId: string; resumed: boolean }> {
  const candidate = await db.candidate.findUnique({
    where: { id: candidateId },
    select: { id: true, status: true, simulated: true, projectId: true, project: { select: { simulated: true, suite: { select: { id: true } } } } },
  });
  if (!candidate) throw new StudioError(`No candidate ${candidateId}.`);
  if (candidate.status === "rejected") throw new StudioError(`Candidate ${candidateId} was rejected; it cannot be evaluated.`);
  const suiteId = candidate.project.suite?.id;
  if (!suiteId) throw new StudioError("This project has no task suite.");

  if (!options.fresh) {
    const unfinished = await db.evaluation.findFirst({
      where: { candidateId, split, status: { in: ["queued", "running"] } },
      orderBy: { createdAt: "desc" },
      select: { id: true, heartbeatAt: true, workerId: true },
    });
    if (unfinished && workerGone(unfinished.workerId, unfinished.heartbeatAt)) return { evaluationId: unfinished.id, resumed: true };
  }

  const taskCount = await db.task.count({ where: { suiteId, split } });
  if (taskCount === 0) throw new StudioError(`The suite has no ${split} tasks.`);
  const evaluation = await db.$transaction(async (tx) => {
    const created = await tx.evaluation.create({
      data: { candidateId, split, taskCount, simulated: options.simulated || candidate.simulated || candidate.project.simulated },
    });
    // One statement whatever the suite's size (createMany took half a second for 5,000 tasks).
    // Ids are made here, cuid-shaped: "c" and 24 random hex digits.
    await tx.$executeRaw`
      insert into "TaskRun" (id, "evaluationId", "taskId")
      select 'c' || substr(replace(gen_random_uuid()::text, '-', ''), 1, 24), ${created.id}, t.id
      from "Task" as t
      where t."suiteId" = ${suiteId} and t.split = ${split}::"Split"`;
    // A simulated result makes the project's figures simulated too: say so on the project.
    if (created.simulated) await tx.project.update({ where: { id: candidate.projectId }, data: { simulated: true } });
    return created;
  });
  return { evaluationId: evaluation.id, resumed: false };
}

/** Runs every pending task run of the evaluation and returns its summary. */
export async function runEvaluation(evaluationId: string, options: RunOptions = {}): Promise<EvaluationSummary> {
  const evaluation = await claim(evaluationId);
  // A simulated evaluation talks to the offline model, never to a real one.
  if (evaluation.simulated && !options.upstreamUrl) options = { ...options, upstreamUrl: await offlineUpstream(), apiKey: null };
  const { candidate } = evaluation;
  const project = candidate.project;
  const suite = project.suite!;
  const settings = options.settings ?? readSettings(project.settings);
  const { grader, passThreshold } = readStoredGrader(suite.grader);

  const runs = await db.taskRun.findMany({
    where: { evaluationId, status: "pending" },
    select: { id: true, task: { select: { id: true, key: true, input: true, expected: true, meta: true, envFiles: true, position: true } } },
    orderBy: { task: { position: "asc" } },
  });

  const harness = await compileHarness(candidate.source, { cacheDir: compileCacheDir() });
  if (!harness.ok) {
    const message = harness.errors.map((error) => `harness.ts:${error.line}:${error.column}: ${error.message}`).join("\n");
    await failAll(evaluationId, runs.map((run) => run.id), "compile", message);
    return finish(evaluationId, "failed", `The harness does not compile:\n${message}`);
  }
  let graderCode: string | null = null;
  if (grader.type === "module") {
    const compiled = await compileGrader(suite.graderSource ?? "", { cacheDir: compileCacheDir() });
    if (!compiled.ok) {
      const message = compiled.errors.map((error) => `${grader.path}:${error.line}:${error.column}: ${error.message}`).join("\n");
      await failAll(evaluationId, runs.map((run) => run.id), "grader", message);
      return finish(evaluationId, "failed", `The grader does not compile:\n${message}`);
    }
    graderCode = compiled.code;
  }

  const heartbeat = setInterval(() => void beat(evaluationId, options.signal), HEARTBEAT_MS);
  const progress = progressReporter(evaluationId, evaluation.taskCount, options.onProgress);
  const writer = new TaskRunWriter(() => progress.bump());
  let isolation: string | null = null;
  let refusal: string | null = null;
  try {
    const finished =
      suite.mode === "sequential"
        ? await db.taskRun.findMany({
            where: { evaluationId, status: { not: "pending" } },
            select: { output: true, score: true, task: { select: { key: true, input: true, expected: true, meta: true, position: true } } },
            orderBy: { task: { position: "asc" } },
          })
        : [];
    const concurrency = Math.max(1, Math.min(options.concurrency ?? settings.concurrency ?? os.availableParallelism(), runs.length || 1));
    if (suite.mode !== "sequential") await db.evaluation.update({ where: { id: evaluationId }, data: { concurrency } });
    ({ isolation, refusal } = await executeRuns({
      evaluationId,
      harnessCode: harness.code,
      graderCode,
      grader,
      passThreshold,
      sequential: suite.mode === "sequential",
      timeoutMs: suite.timeoutMs,
      settings,
      runs,
      finished,
      concurrency,
      sink: writer,
      options,
      cancelled: () => options.signal?.aborted === true || cancelRequested.has(evaluationId),
    }));
    await writer.drain();
  } finally {
    clearInterval(heartbeat);
    await writer.drain().catch(() => {});
    await progress.flush();
  }
  if (isolation) await db.evaluation.update({ where: { id: evaluationId }, data: { isolation } });
  const remaining = await db.taskRun.count({ where: { evaluationId, status: "pending" } });
  if (refusal) {
    // Stored on the evaluation, and thrown: the run that asked for it cannot go on either.
    await finish(evaluationId, "failed", refusal);
    throw new StudioError(refusal);
  }
  if ((options.signal?.aborted || cancelRequested.has(evaluationId)) && remaining > 0) return finish(evaluationId, "cancelled", null);
  return finish(evaluationId, remaining > 0 ? "failed" : "done", remaining > 0 ? `${remaining} task runs did not finish` : null);
}

interface ExecuteSpec {
  /** Null for a trial run, whose results are not stored as an evaluation. */
  evaluationId: string | null;
  harnessCode: string;
  graderCode: string | null;
  grader: ReturnType<typeof readStoredGrader>["grader"];
  passThreshold: number;
  sequential: boolean;
  timeoutMs: number;
  settings: ReturnType<typeof readSettings>;
  runs: PendingRun[];
  finished: FinishedRun[];
  concurrency: number;
  sink: { add(run: FinishedTaskRun): Promise<void> };
  options: RunOptions;
  cancelled: () => boolean;
  onExchange?: (exchange: Exchange) => void;
}

/**
 * Runs task runs in sandbox workers behind a recording proxy; returns the isolation they had,
 * and the model API's refusal (a bad key, an unpaid account) if one stopped them early.
 */
async function executeRuns(spec: ExecuteSpec): Promise<{ isolation: string | null; refusal: string | null }> {
  const { settings, options } = spec;
  setPriceOverrides(await db.modelPrice.findMany());
  const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-eval-"));
  fs.chmodSync(runDir, 0o755); // sandbox uids walk through it to their own folders
  const exchanges = new Map<string, Exchange[]>();
  let evaluationTokens = 0;
  // A refused key ends the evaluation: every further task would fail the same way.
  let refusal: string | null = null;
  const proxy = await startRecordingProxy({
    upstreamUrl: options.upstreamUrl,
    apiKey: options.apiKey,
    socketPath: path.join(runDir, "proxy.sock"),
    onExchange: (exchange: Exchange, attribution: Attribution) => {
      evaluationTokens += (exchange.usage?.input_tokens ?? 0) + (exchange.usage?.output_tokens ?? 0);
      const key = attribution.taskRunId ?? "";
      exchanges.set(key, [...(exchanges.get(key) ?? []), exchange]);
      // Only upstream's own answers (they carry its headers), not the proxy's refusals of a harness.
      if (!refusal && exchange.response.headers) refusal = accountRefusal(exchange.response.status, exchange.response.body);
      spec.onExchange?.(exchange);
    },
  });
  let isolation: string | null = null;
  const context: LaneContext = {
    evaluationId: spec.evaluationId ?? "trial",
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
    budgets: (taskRunId, credential) => {
      const budgets: LabeledBudget[] = [];
      const task = settings.budgets.task?.tokens;
      const whole = settings.budgets.evaluation?.tokens;
      if (task) budgets.push({ label: "task run", maxTokens: task, used: () => proxy.usage(credential)?.tokens ?? 0 });
      if (whole) budgets.push({ label: "evaluation", maxTokens: whole, used: () => evaluationTokens });
      return budgets;
    },
    onIsolation: (value) => (isolation ??= value),
    writer: spec.sink,
    cancelled: () => refusal !== null || spec.cancelled(),
  };
  try {
    if (spec.sequential) {
      await runSequential(context, spec.runs, spec.finished);
    } else {
      const queue = [...spec.runs];
      await Promise.all(Array.from({ length: spec.concurrency }, (_, lane) => runLane(context, queue, lane)));
    }
  } finally {
    await proxy.close();
    fs.rmSync(runDir, { recursive: true, force: true });
  }
  return { isolation, refusal };
}

export interface TrialResult extends FinishedTaskRun {
  taskKey: string;
}

/**
 * Runs a harness that is not (yet) a candidate on the first `taskCount` search tasks of a
 * project, exactly as an evaluation would, without storing anything: the proposer's check
 * and the validation smoke run.
 */
export async function runTrial(
  projectId: string,
  source: string,
  taskCount: number,
  options: RunOptions & { onExchange?: (exchange: Exchange) => void } = {},
): Promise<{ ok: true; results: TrialResult[]; isolation: string | null } | { ok: false; errors: { line: number; column: number; message: string }[] }> {
  const project = await db.project.findUniqueOrThrow({
    where: { id: projectId },
    select: { settings: true, suite: { select: { id: true, mode: true, grader: true, graderSource: true, timeoutMs: true } } },
  });
  const suite = project.suite;
  if (!suite) throw new StudioError("This project has no task suite.");
  const harness = await compileHarness(source, { cacheDir: compileCacheDir() });
  if (!harness.ok) return { ok: false, errors: harness.errors };
  const { grader, passThreshold } = readStoredGrader(suite.grader);
  const graderCode = grader.type === "module" ? await compileGrader(suite.graderSource ?? "", { cacheDir: compileCacheDir() }) : null;
  const tasks = await db.task.findMany({
    where: { suiteId: suite.id, split: "search" },
    orderBy: { position: "asc" },
    take: taskCount,
    select: { id: true, key: true, input: true, expected: true, meta: true, envFiles: true, position: true },
  });
  const results: TrialResult[] = [];
  const keys = new Map(tasks.map((task) => [`trial-${task.id}`, task.key]));
  const { isolation } = await executeRuns({
    evaluationId: null,
    harnessCode: harness.code,
    graderCode: graderCode?.ok ? graderCode.code : null,
    grader,
    passThreshold,
    sequential: suite.mode === "sequential",
    timeoutMs: suite.timeoutMs,
    settings: options.settings ?? readSettings(project.settings),
    runs: tasks.map((task) => ({ id: `trial-${task.id}`, task })),
    finished: [],
    concurrency: 1,
    sink: { add: async (run) => void results.push({ ...run, taskKey: keys.get(run.id) ?? run.id }) },
    options,
    cancelled: () => options.signal?.aborted === true,
    onExchange: options.onExchange,
  });
  return { ok: true, results, isolation };
}

/** Evaluations this process was asked to stop (see requestCancel). */
const cancelRequested = new Set<string>();

/** Asks a running evaluation to stop after the task runs in flight; the rest stay pending. */
export async function requestCancel(evaluationId: string): Promise<void> {
  await db.evaluation.update({ where: { id: evaluationId }, data: { cancelRequested: true } });
}

export async function isolationReport(): Promise<{ isolation: string; reason: string }> {
  const probe = await probeIsolation();
  return { isolation: probe.isolation, reason: probe.fallbackReason ?? "" };
}

// ---------------------------------------------------------------------------------------------

interface PendingRun {
  id: string;
  task: { id: string; key: string; input: Prisma.JsonValue; expected: Prisma.JsonValue; meta: Prisma.JsonValue; envFiles: Prisma.JsonValue; position: number };
}

interface LaneContext {
  evaluationId: string;
  harnessCode: string;
  graderCode: string | null;
  grader: ReturnType<typeof readStoredGrader>["grader"];
  passThreshold: number;
  timeoutMs: number;
  memoryMb?: number;
  proxy: RecordingProxy;
  exchanges: Map<string, Exchange[]>;
  runDir: string;
  isolationChoice: "auto" | "process";
  budgets: (taskRunId: string, credential: string) => LabeledBudget[];
  onIsolation: (isolation: string) => void;
  writer: { add(run: FinishedTaskRun): Promise<void> };
  cancelled: () => boolean;
}

interface Workers {
  harness: SandboxWorker;
  grader: SandboxWorker | null;
  envRoot: string;
  close(): Promise<void>;
}

async function startWorkers(context: LaneContext, lane: number): Promise<Workers> {
  const laneDir = path.join(context.runDir, `lane-${lane}`);
  const envRoot = path.join(laneDir, "env");
  for (const dir of [envRoot, path.join(laneDir, "harness"), path.join(laneDir, "grader")]) fs.mkdirSync(dir, { recursive: true });
  const common = {
    envRoot,
    memoryMb: context.memoryMb,
    proxy: { url: context.proxy.url, socketPath: context.proxy.socketPath, serve: context.proxy.serve },
    isolation: context.isolationChoice,
    cacheDir: compileCacheDir(),
  } as const;
  const harness = await startWorker({ ...common, code: context.harnessCode, role: "harness", scratchDir: path.join(laneDir, "harness") });
  context.onIsolation(harness.isolation);
  const grader = context.graderCode ? await startWorker({ ...common, code: context.graderCode, role: "grader", scratchDir: path.join(laneDir, "grader"), proxy: null }) : null;
  return {
    harness,
    grader,
    envRoot,
    close: async () => {
      await Promise.all([harness.close(), grader?.close()]);
    },
  };
}

async function runLane(context: LaneContext, queue: PendingRun[], lane: number): Promise<void> {
  if (queue.length === 0) return;
  const workers = await startWorkers(context, lane);
  try {
    for (let run = queue.shift(); run && !context.cancelled(); run = queue.shift()) {
      if (!workers.harness.alive) await workers.harness.restart();
      await runTask(context, workers, run, null);
    }
  } finally {
    await workers.close();
  }
}

interface FinishedRun {
  output: Prisma.JsonValue;
  score: number | null;
  task: { key: string; input: Prisma.JsonValue; expected: Prisma.JsonValue; meta: Prisma.JsonValue; position: number };
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
        preamble.push(noteEvent("The worker was restarted after the previous task ended it: ctx.state starts empty again.", new Date()));
      }
      await runTask(context, workers, run, { preamble });
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
async function replayLearning(context: LaneContext, workers: Workers, first: PendingRun, finished: FinishedRun[]): Promise<TraceEventRow[]> {
  const rows: TraceEventRow[] = [noteEvent(`Resumed: replaying learn() for ${finished.length} finished tasks to rebuild ctx.state.`, new Date())];
  const credential = newCredential();
  context.proxy.register(credential, { taskRunId: first.id, evaluationId: context.evaluationId, budgets: context.budgets(first.id, credential) });
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
    await settle(context.proxy, credential);
  }
  return rows;
}

/** Runs, grades (and for sequential suites, teaches) one task, then stores it whole. */
async function runTask(context: LaneContext, workers: Workers, run: PendingRun, sequential: { preamble: TraceEventRow[] } | null): Promise<void> {
  const { task } = run;
  const envDir = prepareEnv(workers.envRoot, task.envFiles as Record<string, string> | null);
  const credential = newCredential();
  context.proxy.register(credential, { taskRunId: run.id, evaluationId: context.evaluationId, budgets: context.budgets(run.id, credential) });
  const harnessTask = { id: task.key, input: task.input, meta: task.meta ?? undefined };
  const startedAt = new Date();
  const rows: TraceEventRow[] = [...(sequential?.preamble ?? [])];

  const outcome = await workers.harness.runTask({ task: harnessTask, credential, timeoutMs: context.timeoutMs, envDir });
  rows.push(...outcome.events.map(fromSandboxEvent), ...cutMarkers(outcome));

  let status: "passed" | "failed" | "error";
  let score = 0;
  let explanation: string | null = null;
  let output: unknown = null;
  let error: { kind: string; message: string; stack?: string } | null = outcome.error ?? null;
  if (error) {
    status = "error";
    rows.push(errorEvent(error, new Date()));
  } else {
    output = outcome.output;
    const graded = await gradeOutput(context, workers, task, output, envDir);
    rows.push(...graded.events);
    if (graded.error) {
      status = "error";
      error = graded.error;
      rows.push(errorEvent(graded.error, new Date()));
    } else {
      score = graded.score;
      explanation = graded.explanation;
      status = score >= context.passThreshold ? "passed" : "failed";
      rows.push(gradeEvent({ score, explanation, passed: status === "passed", expected: task.expected, output }, new Date()));
    }
  }

  if (sequential) {
    if (!workers.harness.alive) await workers.harness.restart();
    const learned = await workers.harness.learn({
      task: harnessTask,
      feedback: { expected: task.expected, output, score },
      credential,
      timeoutMs: context.timeoutMs,
      envDir,
    });
    rows.push(...learned.events.map(fromSandboxEvent));
    if (learned.error) rows.push(errorEvent({ ...learned.error, message: `learn(): ${learned.error.message}` }, new Date()));
  }

  await settle(context.proxy, credential);
  const calls = context.exchanges.get(run.id) ?? [];
  context.exchanges.delete(run.id);
  rows.push(...calls.map(fromExchange));
  releaseEnv(envDir);

  const usage = calls.reduce(
    (sum, call) => ({
      input: sum.input + (call.usage ? call.usage.input_tokens + (call.usage.cache_creation_input_tokens ?? 0) + (call.usage.cache_read_input_tokens ?? 0) : 0),
      output: sum.output + (call.usage?.output_tokens ?? 0),
      cost: sum.cost + (call.costUsd ?? 0),
    }),
    { input: 0, output: 0, cost: 0 },
  );
  await context.writer.add({
    id: run.id,
    status,
    output,
    score: status === "error" ? 0 : score,
    gradeExplanation: explanation,
    errorKind: error?.kind ?? null,
    errorMessage: error?.message ?? null,
    inputTokens: usage.input,
    outputTokens: usage.output,
    costUsd: usage.cost,
    durationMs: outcome.durationMs,
    startedAt,
    finishedAt: new Date(),
    events: inTimeOrder(rows),
  });
}

/** The events hold what was kept of stdout/stderr; where more was cut, the trace says how much. */
function cutMarkers(outcome: TaskOutcome): TraceEventRow[] {
  return (["stdout", "stderr"] as const)
    .filter((stream) => outcome[stream].truncatedBytes > 0)
    .map((stream) => fromSandboxEvent({ kind: stream, text: cutMarker(outcome[stream].truncatedBytes), ts: outcome.startedAt + outcome.durationMs }));
}

interface Graded {
  score: number;
  explanation: string;
  error?: { kind: "grader"; message: string };
  events: TraceEventRow[];
}

async function gradeOutput(context: LaneContext, workers: Workers, task: PendingRun["task"], output: unknown, envDir: string): Promise<Graded> {
  if (context.grader.type !== "module") {
    try {
      return { ...gradeBuiltin(context.grader, task.expected, output), events: [] };
    } catch (error) {
      return { score: 0, explanation: "", error: { kind: "grader", message: (error as Error).message }, events: [] };
    }
  }
  const grader = workers.grader!;
  if (!grader.alive) await grader.restart();
  const outcome: TaskOutcome = await grader.grade({ args: { input: task.input, expected: task.expected, output, meta: task.meta ?? undefined }, timeoutMs: context.timeoutMs, envDir });
  const events = outcome.events.map((event) => ({ ...fromSandboxEvent(event), name: `grader ${event.kind}` }));
  if (outcome.error) return { score: 0, explanation: "", error: { kind: "grader", message: `the grader failed (${outcome.error.kind}): ${outcome.error.message}` }, events };
  const result = outcome.output as { score?: unknown; explanation?: unknown } | null;
  if (!result || typeof result.score !== "number" || !(result.score >= 0 && result.score <= 1)) {
    return { score: 0, explanation: "", error: { kind: "grader", message: `the grader must return { score: 0..1, explanation }, got ${JSON.stringify(result)?.slice(0, 200)}` }, events };
  }
  return { score: result.score, explanation: typeof result.explanation === "string" ? result.explanation : "", events };
}

/**
 * An empty folder holding the task's starting files (env/<task id>/ of the suite). Tasks
 * without files share one folder per lane, emptied between tasks when used: creating a
 * folder per task is a slow system call where sandboxes hold mounts below it.
 */
function prepareEnv(envRoot: string, files: Record<string, string> | null): string {
  const entries = Object.entries(files ?? {});
  const dir = path.join(envRoot, entries.length ? `task-${++envCounter}` : "task");
  fs.mkdirSync(dir, { recursive: true });
  if (fs.readdirSync(dir).length) emptyFolder(dir);
  for (const [relative, base64] of entries) {
    const target = path.join(dir, relative);
    if (!target.startsWith(dir + path.sep)) continue; // the loader refuses such paths; never trust twice-removed data
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, Buffer.from(base64, "base64"));
  }
  return dir;
}

let envCounter = 0;

function releaseEnv(dir: string): void {
  if (path.basename(dir) === "task") {
    if (fs.readdirSync(dir).length) emptyFolder(dir);
  } else {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function emptyFolder(dir: string): void {
  for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
}

/** Compiled harnesses and the sandbox host program, kept across runs (they take a few hundred ms to build). */
function compileCacheDir(): string {
  return path.join(dataDir(), "cache");
}

/** Lets exchanges of this credential that are still being recorded land, then forgets it. */
async function settle(proxy: RecordingProxy, credential: string): Promise<void> {
  await proxy.settle(credential);
  proxy.unregister(credential);
}

async function claim(evaluationId: string) {
  const evaluation = await db.evaluation.findUnique({
    where: { id: evaluationId },
    select: {
      id: true,
      status: true,
      taskCount: true,
      heartbeatAt: true,
      workerId: true,
      startedAt: true,
      simulated: true,
      candidate: {
        select: {
          id: true,
          source: true,
          project: { select: { id: true, settings: true, suite: { select: { mode: true, grader: true, graderSource: true, timeoutMs: true } } } },
        },
      },
    },
  });
  if (!evaluation) throw new StudioError(`No evaluation ${evaluationId}.`);
  if (evaluation.status === "done" || evaluation.status === "cancelled") throw new StudioError(`Evaluation ${evaluationId} has already ${evaluation.status === "done" ? "finished" : "been cancelled"}.`);
  if (!workerGone(evaluation.workerId, evaluation.heartbeatAt) && evaluation.workerId !== workerId) {
    throw new StudioError(`Evaluation ${evaluationId} is being run by ${evaluation.workerId}.`);
  }
  // Conditional on what we read, so two processes claiming at once cannot both win.
  const { count } = await db.evaluation.updateMany({
    where: { id: evaluationId, workerId: evaluation.workerId, heartbeatAt: evaluation.heartbeatAt },
    data: { status: "running", workerId, heartbeatAt: new Date(), startedAt: evaluation.startedAt ?? new Date(), cancelRequested: false, error: null },
  });
  if (count === 0) throw new StudioError(`Evaluation ${evaluationId} is being run by ${evaluation.workerId}.`);
  return evaluation;
}

async function beat(evaluationId: string, signal?: AbortSignal): Promise<void> {
  const row = await db.evaluation.update({ where: { id: evaluationId }, data: { heartbeatAt: new Date() }, select: { cancelRequested: true } }).catch(() => null);
  if (row?.cancelRequested || signal?.aborted) cancelRequested.add(evaluationId);
}

async function failAll(evaluationId: string, taskRunIds: string[], errorKind: string, message: string): Promise<void> {
  await db.taskRun.updateMany({
    where: { evaluationId, id: { in: taskRunIds }, status: "pending" },
    data: { status: "error", errorKind, errorMessage: message, score: 0, finishedAt: new Date() },
  });
}

/** Recomputes the evaluation's figures from its task runs: the only source of truth. */
export async function refreshAggregates(evaluationId: string): Promise<EvaluationProgress> {
  const [row] = await db.$queryRaw<{ done: number; passed: number; failed: number; errors: number; input: number; output: number; cost: number; score: number | null }[]>`
    select count(*) filter (where status <> 'pending')::int as done,
      count(*) filter (where status = 'passed')::int as passed,
      count(*) filter (where status = 'failed')::int as failed,
      count(*) filter (where status = 'error')::int as errors,
      coalesce(sum("inputTokens"), 0)::float8 as input,
      coalesce(sum("outputTokens"), 0)::float8 as output,
      coalesce(sum("costUsd"), 0)::float8 as cost,
      avg(coalesce(score, 0)) filter (where status <> 'pending') as score
    from "TaskRun" where "evaluationId" = ${evaluationId}`;
  await db.evaluation.update({
    where: { id: evaluationId },
    data: {
      passedCount: row.passed,
      failedCount: row.failed,
      errorCount: row.errors,
      inputTokens: Math.round(row.input),
      outputTokens: Math.round(row.output),
      costUsd: row.cost,
      score: row.score,
    },
  });
  return { done: row.done, total: 0, passed: row.passed, failed: row.failed, errors: row.errors, inputTokens: Math.round(row.input), outputTokens: Math.round(row.output) };
}

function progressReporter(evaluationId: string, total: number, onProgress?: (progress: EvaluationProgress) => void) {
  let timer: NodeJS.Timeout | null = null;
  let pending: Promise<void> = Promise.resolve();
  const flush = async () => {
    timer = null;
    const progress = await refreshAggregates(evaluationId);
    onProgress?.({ ...progress, total });
  };
  return {
    bump() {
      timer ??= setTimeout(() => (pending = pending.then(flush, flush)), PROGRESS_FLUSH_MS);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = null;
      await pending;
      await flush();
    },
  };
}

async function finish(evaluationId: string, status: "done" | "failed" | "cancelled", error: string | null): Promise<EvaluationSummary> {
  await refreshAggregates(evaluationId);
  const finishedAt = new Date();
  const evaluation = await db.evaluation.update({
    where: { id: evaluationId },
    data: { status, error, finishedAt, workerId: null, heartbeatAt: null },
    select: {
      id: true,
      candidateId: true,
      split: true,
      status: true,
      score: true,
      taskCount: true,
      passedCount: true,
      failedCount: true,
      errorCount: true,
      inputTokens: true,
      outputTokens: true,
      costUsd: true,
      startedAt: true,
      isolation: true,
      simulated: true,
    },
  });
  const durationMs = evaluation.startedAt ? finishedAt.getTime() - evaluation.startedAt.getTime() : 0;
  await db.evaluation.update({ where: { id: evaluationId }, data: { durationMs } });
  return {
    evaluationId: evaluation.id,
    candidateId: evaluation.candidateId,
    split: evaluation.split,
    status: evaluation.status,
    score: evaluation.score,
    tasks: evaluation.taskCount,
    passed: evaluation.passedCount,
    failed: evaluation.failedCount,
    errors: evaluation.errorCount,
    inputTokens: evaluation.inputTokens,
    outputTokens: evaluation.outputTokens,
    costUsd: evaluation.costUsd,
    durationMs,
    isolation: evaluation.isolation,
    simulated: evaluation.simulated,
  };
}
