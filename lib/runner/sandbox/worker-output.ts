// Everything a worker process sends: stdout and stderr, cut per task at the task's sentinels, and
// JSON lines on the control channel (fd 3): events, the task's result, readiness, and ctx.model's
// calls (handed to the proxy). Each goes into the log of the task it belongs to; what comes between
// tasks goes to the idle log, which the next task takes. All of it is untrusted and bounded here.
import type { ChildProcess } from "node:child_process";
import type { Readable, Writable } from "node:stream";
import { TaskStream } from "./capture.ts";
import { formatBytes } from "../../format.ts";
import { OUTPUT_LIMITS } from "./limits.ts";
import { ModelChannel, type ServeModelCall } from "./model-channel.ts";
import {
  isErrorKind,
  LineSplitter,
  type ChildEvent,
  type ChildMessage,
  type ExecCallMessage,
  type TaskError,
} from "./protocol.ts";
import { EventLog, type ActiveTask } from "./task-outcome.ts";

export type Ready = { ok: true; hasLearn: boolean } | { ok: false; error: TaskError };

/** What the output asks of the worker it belongs to. */
export interface OutputOwner {
  /** The task the worker runs now, if any. */
  task(): ActiveTask | null;
  /** Kill the worker; `reason` becomes the running task's error. */
  kill(reason: TaskError): void;
  /** The module loaded (or failed to). */
  ready(ready: Ready): void;
  /** A part of the task's end arrived: its result, or the sentinel on stdout or stderr. */
  progress(part: "done" | "stdout" | "stderr"): void;
  /** ctx.exec of a task that runs in a container. */
  exec(message: ExecCallMessage): void;
}

export class WorkerOutput {
  /** The current worker process's streams (reset() makes them): the worker takes each task's piece. */
  stdout!: TaskStream;
  stderr!: TaskStream;
  /** Events between tasks (output of background timers, say) go to the next task. */
  private idleLog = new EventLog(OUTPUT_LIMITS.eventBudgetBytes);
  private controlLog = this.idleLog;
  /** ctx.model's calls from the current worker process, when the proxy serves them over the channel. */
  private channel: ModelChannel | null = null;
  private stdoutLog = this.idleLog;
  private stderrLog = this.idleLog;

  constructor(
    private readonly limits: typeof OUTPUT_LIMITS,
    /** RecordingProxy.serve, when ctx.model's calls come over the control channel. */
    private readonly serve: ServeModelCall | undefined,
    private readonly owner: OutputOwner,
  ) {}

  /** Where events go while no task runs. */
  get idle(): EventLog {
    return this.idleLog;
  }

  /** A new worker process: a fresh idle log, and fresh cutters for its stdout and stderr. */
  reset(): void {
    this.idleLog = new EventLog(this.limits.eventBudgetBytes);
    this.controlLog = this.stdoutLog = this.stderrLog = this.idleLog;
    this.createStreams();
  }

  /** A task starts: it takes the events that came while none ran, and a fresh idle log begins. */
  takeIdleLog(): EventLog {
    const log = this.idleLog;
    this.idleLog = new EventLog(this.limits.eventBudgetBytes);
    return log;
  }

  /** Everything the worker sends goes to `log` until the task's result and `sentinel` (on both streams) arrive. */
  begin(log: EventLog, sentinel: string): void {
    this.controlLog = this.stdoutLog = this.stderrLog = log;
    this.stdout.expect(sentinel);
    this.stderr.expect(sentinel);
  }

  /** The task is over: whatever comes now goes to the idle log. */
  end(): void {
    this.controlLog = this.stdoutLog = this.stderrLog = this.idleLog;
  }

  /** The worker process is gone: its model calls end. */
  closeModelCalls(): void {
    this.channel?.closeAll();
  }

  /** Fresh per-task cutters for a new worker process's stdout and stderr. */
  private createStreams(): void {
    const limits = this.limits;
    const ceiling = (name: string) => (bytes: number) =>
      this.owner.kill({ kind: "output_limit", message: `the task wrote more than ${formatBytes(bytes)} to ${name}` });
    this.stdout = new TaskStream(limits.streamKeepBytes, limits.streamDiscardCeilingBytes, limits.stderrTailBytes, {
      onText: (text) => this.stdoutLog.addStream("stdout", text),
      onSentinel: () => {
        this.stdoutLog = this.idleLog;
        this.owner.progress("stdout");
      },
      onCeiling: ceiling("stdout"),
    });
    this.stderr = new TaskStream(limits.streamKeepBytes, limits.streamDiscardCeilingBytes, limits.stderrTailBytes, {
      onText: (text) => this.stderrLog.addStream("stderr", text),
      onSentinel: () => {
        this.stderrLog = this.idleLog;
        this.owner.progress("stderr");
      },
      onCeiling: ceiling("stderr"),
    });
  }

  /** Reads a new worker process's stdout, stderr and control channel (fd 3). */
  wire(child: ChildProcess): void {
    const limits = this.limits;
    (child.stdout as Readable).on("data", (chunk: Buffer) => this.stdout.push(chunk));
    (child.stderr as Readable).on("data", (chunk: Buffer) => this.stderr.push(chunk));
    const control = child.stdio[3] as Readable & Writable;
    control.on("error", () => {}); // the child's death is reported through its exit
    this.channel = this.serve
      ? new ModelChannel(this.serve, (message) => {
          if (control.writable) control.write(JSON.stringify(message) + "\n");
        })
      : null;
    const lines = new LineSplitter(
      (line) => this.onControlLine(line),
      limits.controlLineBytes,
      (bytes) =>
        this.owner.kill({
          kind: "output_limit",
          message: `the worker sent a control message over ${formatBytes(bytes)}`,
        }),
    );
    control.on("data", (chunk: Buffer) => lines.push(chunk));
  }

  private onControlLine(line: string): void {
    let message: ChildMessage | null = null;
    try {
      message = JSON.parse(line) as ChildMessage;
    } catch {
      // reported below
    }
    // Model calls are bounded and recorded by the proxy; only the rest counts toward the ceiling.
    if ((message?.t === "model" || message?.t === "model-abort") && this.channel?.receive(message)) return;
    const log = this.controlLog;
    const current = this.owner.task();
    log.controlBytes += line.length + 1;
    if (log.controlBytes > this.limits.controlCeilingBytes) {
      this.owner.kill({
        kind: "output_limit",
        message: `the task sent more than ${formatBytes(this.limits.controlCeilingBytes)} of events`,
      });
    } else if (message === null) {
      log.add({ kind: "sandbox", message: `unreadable control message: ${line.slice(0, 200)}` }, line.length);
    } else if (message?.t === "exec") {
      this.owner.exec(message);
    } else if (message?.t === "ready") {
      const ready: Ready = message.ok
        ? { ok: true, hasLearn: !!message.hasLearn }
        : { ok: false, error: toTaskError(message.error, "contract") };
      this.owner.ready(ready);
    } else if (message?.t === "event" && isChildEvent(message.event)) {
      this.controlLog.add(message.event, line.length);
    } else if (message?.t === "done" && current && message.id === current.id) {
      const task = current;
      if (!message.ok) task.error = toTaskError(message.error, "throw");
      else if (task.kind !== "learn") {
        task.output = message.output;
        task.log.add({ kind: "output", value: message.output }, 0); // the outcome holds it anyway
      }
      this.controlLog = this.idleLog;
      this.owner.progress("done");
    } else {
      this.controlLog.add(
        { kind: "sandbox", message: `unexpected control message: ${line.slice(0, 200)}` },
        line.length,
      );
    }
  }
}

const EVENT_KINDS = new Set(["log", "exec", "exception"]);

function toTaskError(value: unknown, fallbackKind: TaskError["kind"]): TaskError {
  const error = (value ?? {}) as Partial<TaskError>;
  return {
    kind: isErrorKind(error.kind) ? error.kind : fallbackKind,
    message: typeof error.message === "string" ? error.message : "the worker reported an error without a message",
    ...(typeof error.stack === "string" ? { stack: error.stack } : {}),
  };
}

function isChildEvent(event: unknown): event is ChildEvent {
  return typeof event === "object" && event !== null && EVENT_KINDS.has((event as { kind?: string }).kind ?? "");
}

/** Waits (briefly) for the child's pipes to finish, so the last output is captured. */
export function drained(child: ChildProcess): Promise<void> {
  const streams = [child.stdout, child.stderr].filter((s): s is Readable => !!s && !s.readableEnded && !s.destroyed);
  const ends = streams.map((s) => new Promise<void>((resolve) => s.once("close", () => resolve())));
  const limit = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
  return Promise.race([Promise.all(ends).then(() => {}), limit]).then(() => {
    for (const s of streams) s.destroy();
    (child.stdio[3] as Readable | null)?.destroy();
  });
}
