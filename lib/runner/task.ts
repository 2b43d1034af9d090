// One task run, start to end, on a lane's sandbox workers: run the harness, grade its output
// (built-in grader, or the suite's grader module in its own worker), teach it for sequential
// suites, collect its model calls, and hand the whole task run to the lane's writer.
// No database here: the caller decides where finished task runs go.
import fs from "node:fs";
import path from "node:path";
import type { Prisma } from "../db/client.ts";
import { gradeBuiltin } from "../suites/graders.ts";
import type { readStoredGrader } from "../suites/store.ts";
import { newCredential, type RecordingProxy } from "./proxy/index.ts";
import type { Budget, Exchange } from "./proxy/types.ts";
import { cutMarker } from "./sandbox/limits.ts";
import type { SandboxWorker, TaskOutcome } from "./sandbox/sandbox.ts";
import { emptyOutcome } from "./sandbox/task-outcome.ts";
import { errorEvent, fromExchange, fromSandboxEvent, gradeEvent, inTimeOrder, noteEvent } from "../traces/build.ts";
import { readContainerSpec, type ContainerSpec } from "../suites/container-spec.ts";
import type { TaskContainer } from "./containers/container.ts";
import { execServer, openContainer, verify } from "./containers/session.ts";
import type { VerifierBody } from "./containers/verifier.ts";
import type { TraceEventRow } from "../traces/events.ts";
import type { FinishedTaskRun } from "../traces/writer.ts";
import { auditEvents, type TaskRunAudit } from "../audit/compute.ts";

export interface PendingRun {
  id: string;
  task: {
    id: string;
    key: string;
    input: Prisma.JsonValue;
    expected: Prisma.JsonValue;
    meta: Prisma.JsonValue;
    envFiles: Prisma.JsonValue;
    /** Task.container: the task runs in a container (lib/runner/containers/). */
    container?: Prisma.JsonValue;
    position: number;
  };
}

/** What every lane of one run shares: the code, the grader, the proxy, the limits. */
export interface LaneContext {
  evaluationId: string;
  /** The model every call of the harness is pointed at. */
  model: string;
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
  /** A task run's budgets: its own, and those shared by the whole run. */
  budgets: () => Budget[];
  /** Told of each worker's isolation and memory limit; the first one is recorded on the evaluation. */
  onSandbox: (worker: { isolation: string; memoryLimit: string }) => void;
  writer: { add(run: FinishedTaskRun): Promise<void> };
  cancelled: () => boolean;
}

/** A lane's sandbox workers: the harness's, and the grader module's when the suite has one. */
export interface Workers {
  harness: SandboxWorker;
  grader: SandboxWorker | null;
  envRoot: string;
  close(): Promise<void>;
}

/** Runs, grades (and for sequential suites, teaches) one task, then stores it whole. */
export async function runTask(
  context: LaneContext,
  workers: Workers,
  run: PendingRun,
  sequential: { preamble: TraceEventRow[] } | null,
): Promise<void> {
  const { task } = run;
  const envDir = prepareEnv(workers.envRoot, task.envFiles as Record<string, string> | null);
  const credential = newCredential();
  context.proxy.register(credential, {
    taskRunId: run.id,
    evaluationId: context.evaluationId,
    model: context.model,
    budgets: context.budgets(),
  });
  const harnessTask = { id: task.key, input: task.input, meta: task.meta ?? undefined };
  const startedAt = new Date();
  const rows: TraceEventRow[] = [...(sequential?.preamble ?? [])];

  // A task that runs in a container gets its own, for this run only, removed whatever happens.
  const spec = readContainerSpec(task.container);
  const opened = spec ? await openContainer(spec) : null;
  if (opened) rows.push(...opened.events);
  const container = opened?.ok ? opened.container : null;
  const sandboxEvents: TaskOutcome["events"] = [];

  let outcome: TaskOutcome;
  let status: "passed" | "failed" | "error";
  let score = 0;
  let explanation: string | null = null;
  let output: unknown = null;
  let error: { kind: string; message: string; stack?: string } | null = null;
  try {
    outcome =
      opened && !opened.ok
        ? emptyOutcome(workers.harness.alive)
        : await workers.harness.runTask({
            task: harnessTask,
            credential,
            timeoutMs: spec ? spec.agentTimeoutSec * 1000 : context.timeoutMs,
            envDir,
            container: container ? execServer(container) : null,
          });
    rows.push(...outcome.events.map(fromSandboxEvent), ...cutMarkers(outcome));
    sandboxEvents.push(...outcome.events);
    error = opened && !opened.ok ? opened.error : (outcome.error ?? null);
    if (error) {
      status = "error";
      rows.push(errorEvent(error, new Date()));
    } else {
      output = outcome.output;
      const graded =
        container && spec
          ? await verifiedGrade(container, spec)
          : await gradeOutput(context, workers, task, output, envDir);
      rows.push(...graded.events);
      if (graded.error) {
        status = "error";
        error = graded.error;
        rows.push(errorEvent(graded.error, new Date()));
      } else {
        score = graded.score;
        explanation = graded.explanation;
        status = score >= context.passThreshold ? "passed" : "failed";
        rows.push(
          gradeEvent(
            {
              score,
              explanation,
              passed: status === "passed",
              expected: task.expected,
              output,
              ...(graded.verifier ? { verifier: graded.verifier } : {}),
            },
            new Date(),
          ),
        );
      }
    }
  } finally {
    if (container) {
      await container.remove();
      rows.push(noteEvent(`container ${container.name} removed`, new Date()));
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
    sandboxEvents.push(...learned.events);
    if (learned.error)
      rows.push(errorEvent({ ...learned.error, message: `learn(): ${learned.error.message}` }, new Date()));
  }

  await closeCredential(context.proxy, credential);
  const calls = context.exchanges.get(run.id) ?? [];
  context.exchanges.delete(run.id);
  rows.push(...calls.map(fromExchange));
  releaseEnv(envDir);

  const usage = calls.reduce(
    (sum, call) => ({
      input:
        sum.input +
        (call.usage
          ? call.usage.input_tokens +
            (call.usage.cache_creation_input_tokens ?? 0) +
            (call.usage.cache_read_input_tokens ?? 0)
          : 0),
      output: sum.output + (call.usage?.output_tokens ?? 0),
      // One unpriced call makes the task run's cost unknown (null), never a smaller figure.
      cost: sum.cost === null || call.priced === false ? null : sum.cost + (call.costUsd ?? 0),
    }),
    { input: 0, output: 0, cost: 0 as number | null },
  );
  await context.writer.add({
    id: run.id,
    audit: auditTaskRun(calls, sandboxEvents),
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

/** The audit of the trace being stored: its model calls in the trace's order (by start), and its execs. */
function auditTaskRun(calls: Exchange[], events: TaskOutcome["events"]): TaskRunAudit {
  const byStart = calls
    .map((call, index) => ({ call, index }))
    .sort((a, b) => a.call.startedAt.getTime() - b.call.startedAt.getTime() || a.index - b.index);
  return auditEvents([
    ...byStart.map(({ call }) => ({ kind: "model_call", body: call })),
    ...events.map((event) => ({ kind: event.kind, body: event })),
  ]);
}

/** The events hold what was kept of stdout/stderr; where more was cut, the trace says how much. */
function cutMarkers(outcome: TaskOutcome): TraceEventRow[] {
  return (["stdout", "stderr"] as const)
    .filter((stream) => outcome[stream].truncatedBytes > 0)
    .map((stream) =>
      fromSandboxEvent({
        kind: stream,
        text: cutMarker(outcome[stream].truncatedBytes),
        ts: outcome.startedAt + outcome.durationMs,
      }),
    );
}

interface Graded {
  score: number;
  explanation: string;
  error?: { kind: "grader" | "verifier"; message: string };
  events: TraceEventRow[];
  verifier?: VerifierBody;
}

/** The task's tests, run in its container after run() returned: the reward is the score. */
async function verifiedGrade(container: TaskContainer, spec: ContainerSpec): Promise<Graded> {
  try {
    const verified = await verify(container, spec);
    // Without a reward there is no grade event: the tests' output goes in a note beside the error.
    const events = verified.error
      ? [noteEvent(`verifier: ${verified.error.message}`, new Date(), { ...verified.verifier })]
      : [];
    return { ...verified, events };
  } catch (error) {
    return { score: 0, explanation: "", error: { kind: "verifier", message: (error as Error).message }, events: [] };
  }
}

async function gradeOutput(
  context: LaneContext,
  workers: Workers,
  task: PendingRun["task"],
  output: unknown,
  envDir: string,
): Promise<Graded> {
  if (context.grader.type !== "module") {
    try {
      return { ...gradeBuiltin(context.grader, task.expected, output), events: [] };
    } catch (error) {
      return { score: 0, explanation: "", error: { kind: "grader", message: (error as Error).message }, events: [] };
    }
  }
  const grader = workers.grader!;
  if (!grader.alive) await grader.restart();
  const outcome: TaskOutcome = await grader.grade({
    args: { input: task.input, expected: task.expected, output, meta: task.meta ?? undefined },
    timeoutMs: context.timeoutMs,
    envDir,
  });
  const events = outcome.events.map((event) => ({ ...fromSandboxEvent(event), name: `grader ${event.kind}` }));
  if (outcome.error)
    return {
      score: 0,
      explanation: "",
      error: { kind: "grader", message: `the grader failed (${outcome.error.kind}): ${outcome.error.message}` },
      events,
    };
  const result = outcome.output as { score?: unknown; explanation?: unknown } | null;
  if (!result || typeof result.score !== "number" || !(result.score >= 0 && result.score <= 1)) {
    return {
      score: 0,
      explanation: "",
      error: {
        kind: "grader",
        message: `the grader must return { score: 0..1, explanation }, got ${JSON.stringify(result)?.slice(0, 200)}`,
      },
      events,
    };
  }
  return { score: result.score, explanation: typeof result.explanation === "string" ? result.explanation : "", events };
}

/**
 * An empty folder holding the task's starting files (env/<task id>/ of the suite). Tasks
 * without files share one folder per lane, emptied between tasks when used: creating a
 * folder per task is a slow system call where sandboxes hold mounts below it.
 */
export function prepareEnv(envRoot: string, files: Record<string, string> | null): string {
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

export function releaseEnv(dir: string): void {
  if (path.basename(dir) === "task") {
    if (fs.readdirSync(dir).length) emptyFolder(dir);
  } else {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function emptyFolder(dir: string): void {
  for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
}

/** Lets exchanges of this credential that are still being recorded land, then forgets it. */
export async function closeCredential(proxy: RecordingProxy, credential: string): Promise<void> {
  await proxy.whenRecorded(credential);
  proxy.unregister(credential);
}
