// The studio's side of the sandbox: starts a worker (a child process that loads one compiled
// harness or grader), sends it tasks one at a time, and turns what comes back into a TaskOutcome.
// Everything from the child is untrusted: the harness shares the child's process with the host,
// so every limit (time, memory, output, events) is enforced here, from outside.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Readable, Writable } from "node:stream";
import { StudioError } from "../../errors.ts";
import { TaskStream, type StreamCapture } from "./capture.ts";
import { hostBundle, writeProgram, type HostProgram } from "./host-bundle.ts";
import { heapLimitMb, launchCommand, probeIsolation, type Isolation, type IsolationProbe, type Launch } from "./isolation.ts";
import { OUTPUT_LIMITS, SANDBOX_DEFAULTS, formatBytes } from "./limits.ts";
import { ModelChannel, type ServeModelCall } from "./model-channel.ts";
import { killFamily, watchMemory } from "./proc.ts";
import {
  isErrorKind,
  LineSplitter,
  type ChildEvent,
  type ChildMessage,
  type Feedback,
  type GradeArgs,
  type HarnessTask,
  type ParentMessage,
  type TaskError,
} from "./protocol.ts";
import { claimUid, isRoot, releaseUid, UID_POOL_START } from "./uid-pool.ts";

export { detectIsolation, probeIsolation, type Isolation, type IsolationProbe } from "./isolation.ts";
export type { StreamCapture } from "./capture.ts";
export type { ErrorKind, Feedback, GradeArgs, HarnessTask, TaskError } from "./protocol.ts";

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

export interface StartWorkerOptions {
  /** The compiled module (compile.ts), or a file holding it. */
  code?: string;
  bundlePath?: string;
  role: "harness" | "grader";
  /** The worker's own folder (its HOME). It is chowned to the worker's uid when the studio is root. */
  scratchDir: string;
  /** Every task's envDir lies inside it; it is mounted read-write. Defaults to scratchDir. */
  envRoot?: string;
  memoryMb?: number;
  maxProcesses?: number;
  maxFileMb?: number;
  tmpSizeMb?: number;
  /**
   * The recording proxy: a unix socket (needed under bubblewrap) and/or a URL (its path is kept).
   * With `serve` (RecordingProxy.serve), ctx.model's calls come over the control channel instead.
   */
  proxy?: { url?: string; socketPath?: string; serve?: ServeModelCall } | null;
  /** "process" refuses bubblewrap even where it works (debugging, tests). */
  isolation?: "auto" | "process";
  /** Where the host program's build is cached across processes. */
  cacheDir?: string;
  startTimeoutMs?: number;
  killGraceMs?: number;
  limits?: Partial<Pick<typeof OUTPUT_LIMITS, "streamKeepBytes" | "streamDiscardCeilingBytes" | "eventBudgetBytes" | "controlCeilingBytes">>;
}

export interface RunTaskRequest {
  task: HarnessTask;
  /** The per-task-run key the proxy accepts; the SDK sends it as "Authorization: Bearer" and as x-api-key. */
  credential?: string | null;
  timeoutMs: number;
  /** The task's environment folder (cwd of the harness and of ctx.exec), inside envRoot. */
  envDir: string;
}
export interface LearnRequest extends RunTaskRequest {
  feedback: Feedback;
}
export interface GradeRequest {
  args: GradeArgs;
  timeoutMs: number;
  envDir: string;
}

type Ready = { ok: true; hasLearn: boolean } | { ok: false; error: TaskError };

export async function startWorker(options: StartWorkerOptions): Promise<SandboxWorker> {
  const code = options.code ?? (options.bundlePath ? await fs.promises.readFile(options.bundlePath, "utf8") : null);
  if (code === null) throw new StudioError("startWorker needs the compiled module: pass `code` or `bundlePath`");
  const probe = await probeIsolation();
  const isolation: Isolation = options.isolation === "process" ? "process" : probe.isolation;
  const uid = isRoot() ? await claimUid() : null;
  const worker = new SandboxWorker(options, isolation, uid);
  try {
    await worker.prepare(code, await hostBundle(options.cacheDir));
  } catch (error) {
    await worker.close();
    throw error;
  }
  await worker.restart();
  return worker;
}

export class SandboxWorker {
  readonly role: "harness" | "grader";
  /** What the harness can and cannot reach: see probeIsolation() for the reasons. */
  readonly isolation: Isolation;
  /** The worker's own uid, or null when the studio is not root (it then runs as the studio's user). */
  readonly uid: number | null;
  /** How long the last (re)start took, until the module was loaded. */
  startMs = 0;

  private readonly scratchDir: string;
  private readonly envRoot: string;
  private readonly memoryMb: number;
  private readonly killGraceMs: number;
  private readonly limits: typeof OUTPUT_LIMITS;
  private programDir = "";
  private child: ChildProcess | null = null;
  private ready: Ready = { ok: false, error: { kind: "spawn", message: "the worker has not started" } };
  private running = false;
  private closed = false;
  /** Why we killed the worker, if we did: becomes the task's error. */
  private killReason: TaskError | null = null;
  private stopWatch: () => void = () => {};
  private killing: Promise<unknown> = Promise.resolve();
  /** How the last worker process ended, for tasks asked of it afterwards. */
  private death: TaskError | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readyWaiter: ((ready: Ready) => void) | null = null;
  private stdout!: TaskStream;
  private stderr!: TaskStream;
  /** Events between tasks (output of background timers, say) go to the next task. */
  private idleLog = new EventLog(OUTPUT_LIMITS.eventBudgetBytes);
  private controlLog = this.idleLog;
  /** ctx.model's calls from the current worker process, when the proxy serves them over the channel. */
  private channel: ModelChannel | null = null;
  private stdoutLog = this.idleLog;
  private stderrLog = this.idleLog;
  private task: ActiveTask | null = null;
  private busy = false;

  constructor(
    private readonly options: StartWorkerOptions,
    isolation: Isolation,
    uid: number | null,
  ) {
    this.role = options.role;
    this.isolation = isolation;
    this.uid = uid;
    this.scratchDir = path.resolve(options.scratchDir);
    this.envRoot = path.resolve(options.envRoot ?? options.scratchDir);
    this.memoryMb = options.memoryMb ?? SANDBOX_DEFAULTS.memoryMb;
    this.killGraceMs = options.killGraceMs ?? SANDBOX_DEFAULTS.killGraceMs;
    this.limits = { ...OUTPUT_LIMITS, ...options.limits };
  }

  get alive(): boolean {
    return this.running;
  }

  get pid(): number | null {
    return this.child?.pid ?? null;
  }

  /** Used by startWorker: writes the host and the module where the worker's uid can read them; readies the folders. */
  async prepare(code: string, program: HostProgram): Promise<void> {
    for (const dir of [this.scratchDir, this.envRoot]) {
      if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new StudioError(`${dir} is not a folder`);
      if (this.uid !== null) assertReachable(dir, this.uid);
    }
    this.programDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "studio-worker-"));
    await fs.promises.chmod(this.programDir, 0o755);
    await writeProgram(this.programDir, code, program);
    if (this.uid !== null) assertReachable(this.programDir, this.uid);
    const socket = this.options.proxy?.socketPath;
    if (socket && this.uid !== null) {
      assertReachable(socket, this.uid);
      const stat = fs.statSync(socket);
      if (!(stat.mode & 0o002) && stat.uid !== this.uid) {
        throw new StudioError(
          `the model proxy's socket ${socket} does not let the sandbox user connect`,
          "create it world-writable (chmod 666): the proxy checks each task's credential anyway",
        );
      }
    }
    if (this.isolation === "process") await fs.promises.mkdir(path.join(this.scratchDir, ".tmp"), { recursive: true });
    if (this.uid !== null) chownTree(this.scratchDir, this.uid);
  }

  /** Starts the worker afresh (killing the old one if it lives): ctx.state starts empty. */
  async restart(): Promise<void> {
    if (this.closed) throw new StudioError("this worker is closed");
    if (this.running) await this.kill(null);
    await this.exited;
    this.killReason = null;
    this.death = null;
    this.idleLog = new EventLog(this.limits.eventBudgetBytes);
    this.controlLog = this.stdoutLog = this.stderrLog = this.idleLog;
    this.createStreams();
    const started = performance.now();
    const probe = await probeIsolation();
    let launch: Launch;
    try {
      launch = this.launch(probe);
    } catch (error) {
      this.ready = { ok: false, error: { kind: "spawn", message: `the sandbox could not start: ${(error as Error).message}` } };
      return;
    }
    const child = spawn(launch.file, launch.args, {
      env: launch.env as NodeJS.ProcessEnv, // exactly these variables, nothing inherited
      ...(launch.uid !== undefined ? { uid: launch.uid, gid: launch.gid } : {}),
      cwd: this.scratchDir,
      detached: true, // its own process group, killed as one
      stdio: ["ignore", "pipe", "pipe", "pipe"],
    });
    this.child = child;
    this.running = true;
    const readyPromise = new Promise<Ready>((resolve) => (this.readyWaiter = resolve));
    this.wireStreams(child);
    this.exited = new Promise<void>((resolve) => {
      child.once("error", (error) => {
        // Could not start at all (a missing or unreadable binary): no exit event follows.
        this.killReason ??= { kind: "spawn", message: `the sandbox could not start: ${error.message}` };
        void this.onExit(null, null).then(resolve);
      });
      child.once("exit", (code, signal) => void this.onExit(code, signal).then(resolve));
    });
    if (child.pid) {
      const limit = this.memoryMb * 1024 * 1024;
      this.stopWatch = watchMemory(child.pid, this.uid, limit, SANDBOX_DEFAULTS.memoryPollMs, (rss) => {
        void this.kill({ kind: "memory", message: `the worker used ${formatBytes(rss)} of memory; the limit is ${this.memoryMb} MiB` });
      });
    }
    const startTimeoutMs = this.options.startTimeoutMs ?? SANDBOX_DEFAULTS.startTimeoutMs;
    const timer = setTimeout(() => {
      const message = `the ${this.role} module did not finish loading within ${startTimeoutMs} ms`;
      void this.kill({ kind: "timeout", message });
    }, startTimeoutMs);
    this.ready = await readyPromise;
    clearTimeout(timer);
    this.startMs = performance.now() - started;
  }

  private launch(probe: IsolationProbe): Launch {
    return launchCommand({
      isolation: this.isolation,
      bwrapPath: probe.bwrapPath,
      bwrapFeatures: probe.bwrapFeatures,
      uid: this.uid,
      programDir: this.programDir,
      role: this.role,
      scratchDir: this.scratchDir,
      envRoot: this.envRoot,
      proxy: this.options.proxy ? { url: this.options.proxy.url, socketPath: this.options.proxy.socketPath, channel: !!this.options.proxy.serve } : null,
      memoryMb: this.memoryMb,
      maxProcesses: this.options.maxProcesses ?? SANDBOX_DEFAULTS.maxProcesses,
      maxFileMb: this.options.maxFileMb ?? SANDBOX_DEFAULTS.maxFileMb,
      tmpSizeMb: this.options.tmpSizeMb ?? SANDBOX_DEFAULTS.tmpSizeMb,
    });
  }

  runTask(request: RunTaskRequest): Promise<TaskOutcome> {
    const task = { id: request.task.id, input: request.task.input, meta: request.task.meta }; // never more
    return this.request({ t: "run", task, credential: request.credential ?? null }, request);
  }

  /** Sequential suites: after each task. Harnesses without learn() finish at once. */
  learn(request: LearnRequest): Promise<TaskOutcome> {
    if (this.ready.ok && !this.ready.hasLearn && this.running) {
      return Promise.resolve(emptyOutcome(this.running));
    }
    const task = { id: request.task.id, input: request.task.input, meta: request.task.meta };
    return this.request({ t: "learn", task, feedback: request.feedback, credential: request.credential ?? null }, request);
  }

  grade(request: GradeRequest): Promise<TaskOutcome> {
    return this.request({ t: "grade", args: request.args }, request);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.running) await this.kill(null);
    await this.exited;
    if (this.uid !== null) releaseUid(this.uid);
    if (this.programDir) await fs.promises.rm(this.programDir, { recursive: true, force: true });
  }

  // -------------------------------------------------------------------------------------------

  private async request(
    body: DistributiveOmit<ParentMessage, "id" | "timeoutMs" | "envDir" | "sentinel">,
    limits: { timeoutMs: number; envDir: string },
  ): Promise<TaskOutcome> {
    if (this.busy) throw new StudioError("a worker runs one task at a time");
    if (this.closed) throw new StudioError("this worker is closed");
    const envDir = this.checkEnvDir(limits.envDir);
    if (this.uid !== null) chownTree(envDir, this.uid);
    this.busy = true; // until finish()
    if (!this.running) await this.exited; // a worker that just died: let its death be recorded
    const task = new ActiveTask(body.t, this.idleLog);
    this.task = task;
    this.idleLog = new EventLog(this.limits.eventBudgetBytes);
    if (!this.running || !this.ready.ok) {
      const error = !this.ready.ok
        ? this.ready.error
        : { kind: this.death?.kind ?? "killed", message: `the worker is not running (${this.death?.message ?? "it was stopped"}); restart it` };
      return Promise.resolve(this.finish(task, error));
    }
    this.controlLog = this.stdoutLog = this.stderrLog = task.log;
    const sentinel = `\u0000studio-task-end:${randomBytes(12).toString("hex")}\u0000`;
    this.stdout.expect(sentinel);
    this.stderr.expect(sentinel);
    task.deadline = setTimeout(() => {
      void this.kill({ kind: "timeout", message: `the task did not finish within its time limit of ${limits.timeoutMs} ms` });
    }, limits.timeoutMs + this.killGraceMs);
    const message = { ...body, id: task.id, timeoutMs: limits.timeoutMs, envDir, sentinel } as ParentMessage;
    (this.child!.stdio[3] as Writable).write(JSON.stringify(message) + "\n");
    return task.finished;
  }

  private checkEnvDir(envDir: string): string {
    const resolved = path.resolve(envDir);
    const inside = path.relative(this.envRoot, resolved);
    if (inside.startsWith("..") || path.isAbsolute(inside)) {
      throw new StudioError(`envDir ${resolved} is outside the worker's envRoot ${this.envRoot}`);
    }
    if (!fs.statSync(resolved, { throwIfNoEntry: false })?.isDirectory()) throw new StudioError(`envDir ${resolved} is not a folder`);
    return resolved;
  }

  /** Fresh per-task cutters for a new worker process's stdout and stderr. */
  private createStreams(): void {
    const limits = this.limits;
    const ceiling = (name: string) => (bytes: number) =>
      void this.kill({ kind: "output_limit", message: `the task wrote more than ${formatBytes(bytes)} to ${name}` });
    this.stdout = new TaskStream(limits.streamKeepBytes, limits.streamDiscardCeilingBytes, limits.stderrTailBytes, {
      onText: (text) => this.stdoutLog.addStream("stdout", text),
      onSentinel: () => {
        this.stdoutLog = this.idleLog;
        this.progress("stdout");
      },
      onCeiling: ceiling("stdout"),
    });
    this.stderr = new TaskStream(limits.streamKeepBytes, limits.streamDiscardCeilingBytes, limits.stderrTailBytes, {
      onText: (text) => this.stderrLog.addStream("stderr", text),
      onSentinel: () => {
        this.stderrLog = this.idleLog;
        this.progress("stderr");
      },
      onCeiling: ceiling("stderr"),
    });
  }

  private wireStreams(child: ChildProcess): void {
    const limits = this.limits;
    (child.stdout as Readable).on("data", (chunk: Buffer) => this.stdout.push(chunk));
    (child.stderr as Readable).on("data", (chunk: Buffer) => this.stderr.push(chunk));
    const control = child.stdio[3] as Readable & Writable;
    control.on("error", () => {}); // the child's death is reported through its exit
    const serve = this.options.proxy?.serve;
    this.channel = serve
      ? new ModelChannel(serve, (message) => {
          if (control.writable) control.write(JSON.stringify(message) + "\n");
        })
      : null;
    const lines = new LineSplitter(
      (line) => this.onControlLine(line),
      limits.controlLineBytes,
      (bytes) => void this.kill({ kind: "output_limit", message: `the worker sent a control message over ${formatBytes(bytes)}` }),
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
    log.controlBytes += line.length + 1;
    if (log.controlBytes > this.limits.controlCeilingBytes) {
      void this.kill({ kind: "output_limit", message: `the task sent more than ${formatBytes(this.limits.controlCeilingBytes)} of events` });
    } else if (message === null) {
      log.add({ kind: "sandbox", message: `unreadable control message: ${line.slice(0, 200)}` }, line.length);
    } else if (message?.t === "ready") {
      const ready: Ready = message.ok ? { ok: true, hasLearn: !!message.hasLearn } : { ok: false, error: toTaskError(message.error, "contract") };
      this.readyWaiter?.(ready);
      this.readyWaiter = null;
    } else if (message?.t === "event" && isChildEvent(message.event)) {
      this.controlLog.add(message.event, line.length);
    } else if (message?.t === "done" && this.task && message.id === this.task.id) {
      const task = this.task;
      if (!message.ok) task.error = toTaskError(message.error, "throw");
      else if (task.kind !== "learn") {
        task.output = message.output;
        task.log.add({ kind: "output", value: message.output }, 0); // the outcome holds it anyway
      }
      this.controlLog = this.idleLog;
      this.progress("done");
    } else {
      this.controlLog.add({ kind: "sandbox", message: `unexpected control message: ${line.slice(0, 200)}` }, line.length);
    }
  }

  /** A task ends when its result and both stream sentinels have arrived. */
  private progress(part: "done" | "stdout" | "stderr"): void {
    const task = this.task;
    if (!task) return;
    task.seen.add(part);
    if (task.seen.size === 3) this.finish(task, task.error);
  }

  /** Kills the worker's whole family; `reason` becomes the running task's error (null: a clean stop). */
  private async kill(reason: TaskError | null): Promise<void> {
    if (reason && !this.killReason) {
      this.killReason = reason;
      (this.task?.log ?? this.idleLog).add({ kind: "sandbox", message: `killed the worker: ${reason.message}` }, 0);
    }
    const pid = this.child?.pid;
    if (!pid || !this.running) return;
    // The family is listed while its root still lives, so children that left the process group
    // are found through their parents before they are re-parented away.
    const killing = killFamily(pid, this.uid);
    this.killing = killing;
    await killing;
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      // the group is gone already
    }
    await this.exited;
  }

  private async onExit(code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    const child = this.child!;
    if (!this.running) return; // "error" and "exit" can both arrive
    this.running = false;
    this.stopWatch();
    this.channel?.closeAll();
    // Everything the worker started dies with it: bubblewrap's pid namespace does this by itself;
    // outside it, what stayed in the process group goes with the group, and what left it (setsid)
    // and was re-parented away is found by the worker's uid.
    if (child.pid) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {
        // nothing left in the group
      }
      await killFamily(child.pid, this.uid);
    }
    // A kill loop still sweeping this uid would take the next worker's processes for this one's.
    await this.killing;
    await drained(child);
    const error = this.killReason ?? this.deathReason(code, signal);
    this.death = error;
    if (this.readyWaiter) {
      this.readyWaiter({ ok: false, error: this.killReason ?? { ...error, kind: error.kind === "memory" ? "memory" : "spawn" } });
      this.readyWaiter = null;
    }
    if (this.task) this.finish(this.task, error);
  }

  private deathReason(code: number | null, signal: NodeJS.Signals | null): TaskError {
    const tail = this.stderr.tail();
    if (/JavaScript heap out of memory|Reached heap limit|Allocation failed/i.test(tail)) {
      return { kind: "memory", message: `the harness ran out of JavaScript heap (the limit is ${heapLimitMb(this.memoryMb)} MiB)` };
    }
    const how = signal ? `was killed by ${signal}${signal === "SIGXFSZ" ? " (a file passed the size limit)" : ""}` : `exited with code ${code}`;
    const last = tail.trim().split("\n").slice(-3).join("\n");
    return { kind: "killed", message: `the worker process ${how}${last ? `; its last words: ${last}` : ""}` };
  }

  private finish(task: ActiveTask, error: TaskError | undefined): TaskOutcome {
    this.task = null;
    this.busy = false;
    clearTimeout(task.deadline);
    this.controlLog = this.stdoutLog = this.stderrLog = this.idleLog;
    const outcome: TaskOutcome = {
      ...(error ? { error } : task.kind === "learn" ? {} : { output: task.output }),
      events: task.log.close(),
      startedAt: task.startedAt,
      durationMs: Math.round((performance.now() - task.started) * 100) / 100,
      stdout: this.stdout.take(),
      stderr: this.stderr.take(),
      workerAlive: this.running,
    };
    task.resolve(outcome);
    return outcome;
  }
}

// ---------------------------------------------------------------------------------------------

let nextTaskId = 1;

class ActiveTask {
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
class EventLog {
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

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function emptyOutcome(workerAlive: boolean): TaskOutcome {
  const none = { text: "", bytes: 0, truncatedBytes: 0 };
  return { events: [], startedAt: Date.now(), durationMs: 0, stdout: none, stderr: { ...none }, workerAlive };
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
function drained(child: ChildProcess): Promise<void> {
  const streams = [child.stdout, child.stderr].filter((s): s is Readable => !!s && !s.readableEnded && !s.destroyed);
  const ends = streams.map((s) => new Promise<void>((resolve) => s.once("close", () => resolve())));
  const limit = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
  return Promise.race([Promise.all(ends).then(() => {}), limit]).then(() => {
    for (const s of streams) s.destroy();
    (child.stdio[3] as Readable | null)?.destroy();
  });
}

/**
 * Gives `dir` and its contents to the worker's uid, not following symlinks. A file with several
 * hard links that is not already a sandbox uid's is left alone: the harness could have linked a
 * file it must not own into its folder.
 */
function chownTree(dir: string, uid: number): void {
  const visit = (file: string, stat: fs.Stats) => {
    const mayChown = stat.isDirectory() || stat.nlink === 1 || stat.uid >= UID_POOL_START;
    if (mayChown && (stat.uid !== uid || stat.gid !== uid)) fs.lchownSync(file, uid, uid);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(file)) {
        const child = path.join(file, name);
        visit(child, fs.lstatSync(child));
      }
    }
  };
  visit(dir, fs.lstatSync(dir));
}

/** The worker's uid must be able to walk down to `dir` (bubblewrap's mounts need it too). */
function assertReachable(dir: string, uid: number): void {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    const stat = fs.statSync(current);
    if (!(stat.mode & 0o001) && stat.uid !== uid) {
      throw new StudioError(
        `${dir} cannot be reached by the sandbox user: ${current} is closed to other users`,
        `put sandbox folders under a folder others may enter (chmod o+x ${current}), e.g. in ${os.tmpdir()}`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
