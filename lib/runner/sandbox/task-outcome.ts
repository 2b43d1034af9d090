// What a task brings back from the sandbox: its events (the trace, in arrival order), within a byte
// budget, and the TaskOutcome they end in. ActiveTask is the studio's record of the task the worker
// runs now; sandbox.ts fills it from the worker's output (worker-output.ts) and finishes it.
import type { StreamCapture } from "./capture.ts";
import { formatBytes } from "../../format.ts";
import type { ChildEvent, ParentMessage, TaskError } from "./protocol.ts";

/** One entry of a task's trace, stamped (ms since the epoch) when the studio received it. */
export type SandboxEvent = (
  | ChildEvent
  | { kind: "output"; value: unknown }
  | { kind: "stdout" | "stderr"; text: string }
  /** The sandbox's own notes: events cut, why the worker was killed. */
  | { kind: "sandbox"; message: string }
) & { ts: number };

export interface TaskOutcome {
  /** Present when the task finished without error. */
  output?: unknown;
  error?: TaskError;
  /** In arrival order. */
  events: SandboxEvent[];
  startedAt: number;
  durationMs: number;
  stdout: StreamCapture;
  stderr: StreamCapture;
  /** False when the worker died or was killed: call restart() before the next task. */
  workerAlive: boolean;
}

let nextTaskId = 1;

export class ActiveTask {
  readonly id = nextTaskId++;
  readonly startedAt = Date.now();
  readonly started = performance.now();
  output: unknown;
  error: TaskError | undefined;
  deadline: NodeJS.Timeout | undefined;
  readonly finished: Promise<TaskOutcome>;
  resolve!: (outcome: TaskOutcome) => void;
  readonly seen = new Set<"done" | "stdout" | "stderr">();

  constructor(
    readonly kind: ParentMessage["t"],
    readonly log: EventLog,
  ) {
    this.finished = new Promise((resolve) => (this.resolve = resolve));
  }
}

/** A task's events, within a byte budget (past it they are counted, not kept). */
export class EventLog {
  readonly events: SandboxEvent[] = [];
  controlBytes = 0;
  private bytes = 0;
  private dropped = 0;

  constructor(private readonly budgetBytes: number) {}

  add(event: DistributiveOmit<SandboxEvent, "ts">, bytes: number): void {
    if (this.bytes + bytes > this.budgetBytes) {
      this.dropped++;
      return;
    }
    this.bytes += bytes;
    this.events.push({ ...event, ts: Date.now() } as SandboxEvent);
  }

  /** Stream text joins the previous event of its stream when nothing came between (within 100 ms). */
  addStream(kind: "stdout" | "stderr", text: string): void {
    const last = this.events[this.events.length - 1];
    const now = Date.now();
    if (last?.kind === kind && now - last.ts < 100) last.text += text;
    else this.events.push({ kind, text, ts: now });
  }

  close(): SandboxEvent[] {
    if (this.dropped) {
      const message = `${this.dropped} events cut: the task's events passed ${formatBytes(this.budgetBytes)}`;
      this.events.push({ kind: "sandbox", message, ts: Date.now() });
      this.dropped = 0;
    }
    return this.events;
  }
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export function emptyOutcome(workerAlive: boolean): TaskOutcome {
  const none = { text: "", bytes: 0, truncatedBytes: 0 };
  return { events: [], startedAt: Date.now(), durationMs: 0, stdout: none, stderr: { ...none }, workerAlive };
}
