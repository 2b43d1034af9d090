// The control channel between the studio (parent) and the sandbox host (child): JSON lines on fd 3.
// The child runs untrusted code in its own process, so the parent treats every message from it as
// untrusted data: sizes are capped and shapes checked on arrival (see worker-output.ts).
// host.ts imports this file, so it must stay free of Node-only imports beyond what a bundle can hold.

/** How a harness (or grader) run in the sandbox can fail; the studio's own kinds (compile, grader) are apart. */
export const ERROR_KINDS = [
  "throw",
  "timeout",
  "memory",
  "killed",
  "not_serializable",
  "contract",
  "output_limit",
  "spawn",
] as const;

export type ErrorKind = (typeof ERROR_KINDS)[number];

export function isErrorKind(kind: unknown): kind is ErrorKind {
  return (ERROR_KINDS as readonly unknown[]).includes(kind);
}

export interface TaskError {
  kind: ErrorKind;
  message: string;
  stack?: string;
}

/** What a harness sees as `task`: never the expected answer. */
export interface HarnessTask {
  id: string;
  input: unknown;
  meta?: unknown;
}

export interface Feedback {
  expected: unknown;
  output: unknown;
  score: number;
}

export interface GradeArgs {
  input: unknown;
  expected: unknown;
  output: unknown;
  meta?: unknown;
}

/** What the host is told at start (argv[2], JSON). */
export interface HostConfig {
  modulePath: string;
  role: "harness" | "grader";
  /**
   * Where the SDK should send requests, as seen from inside the sandbox. With `channel`, ctx.model
   * sends its calls over the control channel instead (model-channel.ts); the URL stays for raw HTTP.
   */
  model: { url?: string; socketPath?: string; channel?: boolean } | null;
  /** The worker's memory limit, to name it when an allocation is refused. */
  memoryMb: number;
}

interface RequestBase {
  id: number;
  timeoutMs: number;
  envDir: string;
  /** Written to stdout and stderr when the request is finished, so the parent can cut the streams. */
  sentinel: string;
}

export type ParentMessage =
  | (RequestBase & {
      t: "run";
      task: HarnessTask;
      credential: string | null;
      /** The task runs in a container: ctx.exec asks the studio to exec there (ExecCallMessage). */
      container?: { workdir: string } | null;
    })
  | (RequestBase & { t: "learn"; task: HarnessTask; feedback: Feedback; credential: string | null })
  | (RequestBase & { t: "grade"; args: GradeArgs });

/** Events as the child reports them; the parent adds the timestamp on arrival (and the `output` event). */
export type ChildEvent =
  | { kind: "log"; value: unknown }
  | {
      kind: "exec";
      command: string;
      cwd: string;
      exitCode: number | null;
      signal: string | null;
      timedOut: boolean;
      durationMs: number;
      stdout: string;
      stderr: string;
      error?: string;
      /** The container the command ran in, for tasks that run in one. */
      container?: string;
    }
  | { kind: "exception"; origin: ExceptionOrigin; name?: string; message: string; stack?: string };

export type ExceptionOrigin = "run" | "learn" | "grade" | "load" | "uncaught" | "unhandledRejection";

/** One model call from ctx.model, and its cancellation (the SDK's AbortSignal fired). */
export type ModelCallMessage =
  | { t: "model"; id: number; method: string; path: string; headers: Record<string, string>; body: string }
  | { t: "model-abort"; id: number };

/** The proxy's answer to a ModelCallMessage: whole, or head, data pieces and end for a stream. */
export type ModelAnswerMessage =
  | { t: "model-reply"; id: number; status: number; headers: Record<string, string>; body: string }
  | { t: "model-head"; id: number; status: number; headers: Record<string, string> }
  | { t: "model-data"; id: number; data: string }
  | { t: "model-end"; id: number; error?: string };

/** ctx.exec of a task that runs in a container: the studio runs the command there and answers. */
export interface ExecCallMessage {
  t: "exec";
  id: number;
  command: string;
  timeoutMs: number;
  input?: string;
}

export interface ExecAnswerMessage {
  t: "exec-reply";
  id: number;
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
  error?: string;
}

export type ChildMessage =
  | ModelCallMessage
  | ExecCallMessage
  | { t: "ready"; ok: true; hasLearn: boolean }
  | { t: "ready"; ok: false; error: TaskError }
  | { t: "event"; event: ChildEvent }
  | { t: "done"; id: number; ok: true; output: unknown }
  | { t: "done"; id: number; ok: false; error: TaskError };

/**
 * Splits a byte stream into lines. Lines longer than `maxLineBytes` are reported through
 * `onOverflow` instead of being buffered without end.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private size = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineBytes = Infinity,
    private readonly onOverflow: (bytes: number) => void = () => {},
  ) {}

  push(chunk: Buffer): void {
    let start = 0;
    for (let nl = chunk.indexOf(10, start); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      const line = this.parts.length ? Buffer.concat([...this.parts, piece]).toString("utf8") : piece.toString("utf8");
      this.parts = [];
      this.size = 0;
      start = nl + 1;
      if (line.length) this.onLine(line);
    }
    if (start < chunk.length) {
      this.size += chunk.length - start;
      if (this.size > this.maxLineBytes) {
        const bytes = this.size;
        this.parts = [];
        this.size = 0;
        this.onOverflow(bytes);
        return;
      }
      this.parts.push(chunk.subarray(start));
    }
  }
}
