// Runs a command proposer's process (a sandbox's launch, lib/runner/sandbox/command-sandbox.ts) in
// its own process group, with a time limit and cancelling that end it and everything it started;
// records its output line by line, up to a cap per stream.
import { spawn } from "node:child_process";
import type { Launch } from "../runner/sandbox/isolation.ts";
import { SANDBOX_DEFAULTS } from "../runner/sandbox/limits.ts";
import { watchMemory } from "../runner/sandbox/proc.ts";
import { noteEvent, streamEvent } from "../traces/build.ts";
import type { TraceEventRow } from "../traces/events.ts";
import { COMMAND_KILL_GRACE_MS, STDERR_TAIL_CHARS } from "./limits.ts";
import type { ProposerInput } from "./types.ts";

export interface RunOptions {
  launch: Launch;
  cwd: string;
  stdin: string;
  timeoutMs: number;
  /** The resident memory of the command's whole process tree; past it the tree is killed. */
  memoryMb: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  /**
   * Every line, parsed whatever the cap: the events to record in its place (stream-json turned
   * into a transcript), or null to record the line as it is.
   */
  onLine: (stream: "stdout" | "stderr", line: string) => TraceEventRow[] | null;
  record: ProposerInput["record"];
}

export interface RunOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The tree's resident memory when it passed memoryMb and was killed; null when it did not. */
  memoryExceeded: number | null;
  cancelled: boolean;
  spawnError?: string;
  durationMs: number;
  bytes: { stdout: number; stderr: number };
  stderrTail: string;
}

/** Runs the command in a new process group; records its output line by line, up to the cap per stream. */
export function runCommand(options: RunOptions): Promise<RunOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const { launch } = options;
    const child = spawn(launch.file, launch.args, {
      cwd: options.cwd,
      env: launch.env as NodeJS.ProcessEnv,
      ...(launch.uid !== undefined ? { uid: launch.uid, gid: launch.gid } : {}),
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let timedOut = false;
    let memoryExceeded: number | null = null;
    let cancelled = false;
    let spawnError: string | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const stop = (why: "timeout" | "cancel") => {
      if (why === "timeout") timedOut = true;
      else cancelled = true;
      killGroup(child.pid, "SIGTERM");
      killTimer ??= setTimeout(() => killGroup(child.pid, "SIGKILL"), COMMAND_KILL_GRACE_MS);
    };
    const timer = setTimeout(() => stop("timeout"), options.timeoutMs);
    // Memory gets no grace: the tree is already past its limit.
    const stopWatch = child.pid
      ? watchMemory(
          child.pid,
          launch.uid ?? null,
          options.memoryMb * 1024 * 1024,
          SANDBOX_DEFAULTS.memoryPollMs,
          (rss) => {
            memoryExceeded = rss;
            killGroup(child.pid, "SIGKILL");
          },
        )
      : () => {};
    const onAbort = () => stop("cancel");
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });

    const streams = {
      stdout: new LineRecorder("stdout", options),
      stderr: new LineRecorder("stderr", options),
    };
    child.stdout.on("data", (chunk: Buffer) => streams.stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => streams.stderr.push(chunk));
    const closed = Promise.all([once(child.stdout, "close"), once(child.stderr, "close")]);

    // A command that does not read stdin closes it early; that is its business, not an error.
    child.stdin.on("error", () => {});
    child.stdin.end(options.stdin);

    let settled = false;
    const finish = async (code: number | null, signal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      stopWatch();
      options.signal?.removeEventListener("abort", onAbort);
      // Whatever the command started and left behind goes with it.
      killGroup(child.pid, "SIGKILL");
      if (killTimer) clearTimeout(killTimer);
      // Pipes close once every holder is gone; do not wait forever on one that escaped the group.
      await Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]);
      streams.stdout.end();
      streams.stderr.end();
      resolve({
        exitCode: code,
        signal,
        timedOut,
        memoryExceeded,
        cancelled,
        spawnError,
        durationMs: performance.now() - started,
        bytes: { stdout: streams.stdout.total, stderr: streams.stderr.total },
        stderrTail: streams.stderr.tail,
      });
    };
    child.once("error", (error) => {
      spawnError = error.message;
      // A process that never started emits no "exit".
      if (child.pid === undefined) void finish(null, null);
    });
    child.once("exit", (code, signal) => void finish(code, signal));
  });
}

/** Splits a stream into lines: each is parsed (onLine), recorded if it fits under the cap, and counted. */
class LineRecorder {
  total = 0;
  tail = "";
  private recorded = 0;
  private dropped = 0;
  private droppedLines = 0;
  private partial = "";

  constructor(
    private readonly stream: "stdout" | "stderr",
    private readonly options: RunOptions,
  ) {}

  push(chunk: Buffer): void {
    this.total += chunk.length;
    const text = chunk.toString("utf8");
    if (this.stream === "stderr") this.tail = (this.tail + text).slice(-STDERR_TAIL_CHARS);
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop() ?? "";
    // One unterminated line cannot grow without bound: past the cap it is handed on as it is.
    if (this.partial.length > this.options.maxOutputBytes) {
      lines.push(this.partial);
      this.partial = "";
    }
    for (const line of lines) this.line(line);
  }

  end(): void {
    if (this.partial) this.line(this.partial);
    this.partial = "";
    if (this.droppedLines > 0) {
      const message = `${this.stream}: ${this.dropped} bytes in ${this.droppedLines} line${this.droppedLines === 1 ? "" : "s"} not recorded (the record keeps ${this.options.maxOutputBytes} bytes per stream)`;
      this.options.record(
        noteEvent(message, new Date(), {
          stream: this.stream,
          droppedBytes: this.dropped,
          droppedLines: this.droppedLines,
        }),
      );
    }
  }

  private line(line: string): void {
    const rows = this.options.onLine(this.stream, line);
    const bytes = Buffer.byteLength(line) + 1;
    if (this.recorded + bytes > this.options.maxOutputBytes) {
      // Later, shorter lines may still fit: the record keeps as many whole lines as it can.
      this.dropped += bytes;
      this.droppedLines++;
      return;
    }
    this.recorded += bytes;
    for (const row of rows ?? [streamEvent(this.stream, line)]) this.options.record(row);
  }
}

function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function once(emitter: NodeJS.EventEmitter, event: string): Promise<void> {
  return new Promise((resolve) => emitter.once(event, () => resolve()));
}
