// The trace event union: one body type per kind, discriminated by `kind` (as Inspect AI's
// event stream is). build.ts makes rows from these bodies, the writer stores them, the reader
// and the trace API hand them out, and the viewer has one component per kind. Types only, so
// client components can import it.
import type { Exchange } from "../runner/proxy/types.ts";
import type { SandboxEvent } from "../runner/sandbox/sandbox.ts";

/** `model_call`: the recording proxy's whole exchange. Stored as JSON, so `startedAt` reads back as ISO text. */
export type ModelCallBody = Omit<Exchange, "startedAt"> & { startedAt: Date | string };

/** `exec`: one `ctx.exec` command, as the sandbox reported it. */
export type ExecBody = Extract<SandboxEvent, { kind: "exec" }>;

/** `exception`: an exception the harness raised or left uncaught, as the sandbox reported it. */
export type ExceptionBody = Extract<SandboxEvent, { kind: "exception" }>;

/** `log` (a `ctx.log` value) and `output` (what `run()` returned). */
export interface ValueBody {
  value: unknown;
}

/** `stdout`, `stderr`: text as printed (or, from a command proposer, one line of it). */
export interface TextBody {
  text: string;
}

/** `error`: why a task run (or a proposer) ended in error: `throw`, `timeout`, `grader`, `proposer`, `command`… */
export interface ErrorBody {
  kind: string;
  message: string;
  stack?: string;
}

/** `grade`: the grader's verdict. */
export interface GradeBody {
  score: number;
  explanation: string;
  passed: boolean;
  expected: unknown;
  output: unknown;
  /** A task run in a container: what its tests did (lib/runner/containers/verifier.ts). */
  verifier?: {
    reward: number | null;
    rewardFile: string | null;
    exitCode: number | null;
    timedOut: boolean;
    stdout: string;
    stderr: string;
    durationMs: number;
  };
}

/** `note`: a remark of the studio or a proposer, with any detail it carries. */
export type NoteBody = { message: string } & Record<string, unknown>;

/** `sandbox`: the sandbox's own notes (events cut, why the worker was killed). */
export interface SandboxBody {
  message: string;
}

/** `tool_call`: a proposer's tool call. */
export interface ToolCallBody {
  id: string;
  input: unknown;
}

/** `tool_result`: what the tool answered, as the model got it. */
export interface ToolResultBody {
  id: string;
  isError: boolean;
  text: string;
}

/** `file_read`: which lines of a workspace file a proposer read. */
export interface FileReadBody {
  path: string;
  startLine: number;
  endLine: number;
  totalLines: number;
}

/** Every kind and its body. */
export interface EventBodies {
  model_call: ModelCallBody;
  exec: ExecBody;
  exception: ExceptionBody;
  log: ValueBody;
  output: ValueBody;
  stdout: TextBody;
  stderr: TextBody;
  error: ErrorBody;
  grade: GradeBody;
  note: NoteBody;
  sandbox: SandboxBody;
  tool_call: ToolCallBody;
  tool_result: ToolResultBody;
  file_read: FileReadBody;
}

export type EventKind = keyof EventBodies;

/** One event of kind K with its body; `TypedEvent` (K = every kind) narrows on `kind`. (`TraceEvent` is the stored row, Prisma's model.) */
export type TypedEvent<K extends EventKind = EventKind> = { [P in K]: { kind: P; body: EventBodies[P] } }[K];

/**
 * A body past the recorder's cap (TRACE_BODY_LIMIT_BYTES) is stored as this instead, with the
 * row's `truncated` set: the head of the JSON text, and how much was cut.
 */
export interface CutBody {
  truncated: true;
  originalBytes: number;
  keptBytes: number;
  note: string;
  head: string;
}

/**
 * A trace event as built and stored: the columns, and the body as JSON text (capped), ready to
 * be spliced into the writer's statement without being encoded again.
 */
export interface TraceEventRow<K extends EventKind = EventKind> {
  kind: K;
  time: Date;
  durationMs?: number | null;
  name?: string | null;
  genAiSystem?: string | null;
  genAiOperationName?: string | null;
  genAiRequestModel?: string | null;
  genAiResponseModel?: string | null;
  genAiResponseId?: string | null;
  genAiResponseFinishReasons?: string[];
  genAiUsageInputTokens?: number | null;
  genAiUsageOutputTokens?: number | null;
  costUsd?: number | null;
  preview: string;
  bodyJson: string;
  bodyBytes: number;
  truncated: boolean;
}

/** Whose events: a task run's trace or an iteration's transcript (the proposer's). */
export type TraceOwner = { taskRunId: string } | { iterationId: string };
