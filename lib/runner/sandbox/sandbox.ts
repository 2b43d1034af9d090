// The studio's side of the sandbox: starts a worker (a child process that loads one compiled
// harness or grader), sends it tasks one at a time, and turns what comes back into a TaskOutcome.
// Everything from the child is untrusted: the harness shares the child's process with the host,
// so every limit (time, memory, output, events) is enforced here, from outside. What the child
// sends is read and routed by worker-output.ts, into the task records of task-outcome.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Writable } from "node:stream";
import { StudioError } from "../../errors.ts";
import { hostBundle, writeProgram, type HostProgram } from "./host-bundle.ts";
import {
  heapLimitMb,
  launchCommand,
  probeIsolation,
  type Isolation,
  type IsolationProbe,
  type Launch,
} from "./isolation.ts";
import { formatBytes } from "../../format.ts";
import { OUTPUT_LIMITS, SANDBOX_DEFAULTS } from "./limits.ts";
import { probeMemoryLimit, WorkerCgroup, type MemoryLimitKind, type MemoryLimitProbe } from "./memory-limit.ts";
import { killFamily, watchMemory } from "./proc.ts";
import type { ParentMessage, TaskError } from "./protocol.ts";
import { ActiveTask, emptyOutcome, type DistributiveOmit, type TaskOutcome } from "./task-outcome.ts";
import { claimUid, isRoot, releaseUid } from "./uid-pool.ts";
import { serveContainerExec } from "./container-exec.ts";
import type {
  ContainerExecServer,
  GradeRequest,
  LearnRequest,
  RunTaskRequest,
  StartWorkerOptions,
} from "./worker-options.ts";
import { assertReachable, checkEnvDir, chownTree } from "./worker-folders.ts";
import { drained, WorkerOutput, type Ready } from "./worker-output.ts";

export { detectIsolation, probeIsolation, type Isolation, type IsolationProbe } from "./isolation.ts";
export { probeMemoryLimit, type MemoryLimitKind, type MemoryLimitProbe } from "./memory-limit.ts";
export type { StreamCapture } from "./capture.ts";
export type { ErrorKind, Feedback, GradeArgs, HarnessTask, TaskError } from "./protocol.ts";
export type { SandboxEvent, TaskOutcome } from "./task-outcome.ts";
export type { GradeRequest, LearnRequest, RunTaskRequest, StartWorkerOptions } from "./worker-options.ts";

export async function startWorker(options: StartWorkerOptions): Promise<SandboxWorker> {
  const code = options.code ?? (options.bundlePath ? await fs.promises.readFile(options.bundlePath, "utf8") : null);
  if (code === null) throw new StudioError("startWorker needs the compiled module: pass `code` or `bundlePath`");
  const probe = await probeIsolation();
  const isolation: Isolation = options.isolation === "process" ? "process" : probe.isolation;
  const uid = isRoot() ? await claimUid() : null;
  const memoryLimit: MemoryLimitProbe =
    options.memoryLimit === "poll" ? { kind: "poll", reason: "asked for" } : await probeMemoryLimit();
  const worker = new SandboxWorker(options, isolation, memoryLimit, uid);
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
  /** The kernel's part of the memory limit (memory-limit.ts); the RSS poll runs in every case. */
  readonly memoryLimit: MemoryLimitKind;
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
  private readonly cgroupParent: string | undefined;
  private cgroup: WorkerCgroup | null = null;
  private killing: Promise<unknown> = Promise.resolve();
  /** How the last worker process ended, for tasks asked of it afterwards. */
  private death: TaskError | null = null;
  private exited: Promise<void> = Promise.resolve();
  private readyWaiter: ((ready: Ready) => void) | null = null;
  /** stdout, stderr and the control channel, routed to the running task's log. */
  private readonly output: WorkerOutput;
  private task: ActiveTask | null = null;
  private busy = false;
  /** The running task's container, when it runs in one. */
  private container: ContainerExecServer | null = null;

  constructor(
    private readonly options: StartWorkerOptions,
    isolation: Isolation,
    memoryLimit: MemoryLimitProbe,
    uid: number | null,
  ) {
    this.role = options.role;
    this.isolation = isolation;
    this.memoryLimit = memoryLimit.kind;
    this.cgroupParent = memoryLimit.cgroupParent;
    this.uid = uid;
    this.scratchDir = path.resolve(options.scratchDir);
    this.envRoot = path.resolve(options.envRoot ?? options.scratchDir);
    this.memoryMb = options.memoryMb ?? SANDBOX_DEFAULTS.memoryMb;
    this.killGraceMs = options.killGraceMs ?? SANDBOX_DEFAULTS.killGraceMs;
    this.limits = { ...OUTPUT_LIMITS, ...options.limits };
    this.output = new WorkerOutput(this.limits, options.proxy?.serve, {
      task: () => this.task,
      kill: (reason) => void this.kill(reason),
      ready: (ready) => {
        this.readyWaiter?.(ready);
        this.readyWaiter = null;
      },
      progress: (part) => this.progress(part),
      exec: (message) => {
        const task = this.task;
        const control = this.child?.stdio[3] as Writable | undefined;
        void serveContainerExec(
          message,
          task ? this.container : null,
          (event) => task?.log.add(event, event.kind === "exec" ? event.stdout.length + event.stderr.length : 0),
          (answer) => {
            if (control?.writable) control.write(JSON.stringify(answer) + "\n");
          },
        );
      },
    });
  }

  get alive(): boolean {
    return this.running;
  }

  /** Why the module could not be loaded (it threw, or breaks the contract), or null once it is ready. */
  get loadError(): TaskError | null {
    return this.ready.ok ? null : this.ready.error;
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
    this.output.reset();
    const started = performance.now();
    const probe = await probeIsolation();
    let launch: Launch;
    try {
      launch = this.launch(probe);
    } catch (error) {
      this.ready = {
        ok: false,
        error: { kind: "spawn", message: `the sandbox could not start: ${(error as Error).message}` },
      };
      return;
    }
    if (this.cgroupParent) this.cgroup = WorkerCgroup.create(this.cgroupParent, this.memoryMb);
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
    this.output.wire(child);
    this.exited = new Promise<void>((resolve) => {
      child.once("error", (error) => {
        // Could not start at all (a missing or unreadable binary): no exit event follows.
        this.killReason ??= { kind: "spawn", message: `the sandbox could not start: ${error.message}` };
        void this.onExit(null, null).then(resolve);
      });
      child.once("exit", (code, signal) => void this.onExit(code, signal).then(resolve));
    });
    if (child.pid) {
      // Joined before Node has even loaded the host: what the worker allocates is counted.
      this.cgroup?.join(child.pid);
      const limit = this.memoryMb * 1024 * 1024;
      this.stopWatch = watchMemory(child.pid, this.uid, limit, SANDBOX_DEFAULTS.memoryPollMs, (rss) => {
        void this.kill({
          kind: "memory",
          message: `the worker used ${formatBytes(rss)} of memory; the limit is ${this.memoryMb} MiB`,
        });
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
      proxy: this.options.proxy
        ? {
            url: this.options.proxy.url,
            socketPath: this.options.proxy.socketPath,
            channel: !!this.options.proxy.serve,
          }
        : null,
      memoryMb: this.memoryMb,
      memoryLimit: this.memoryLimit,
      maxProcesses: this.options.maxProcesses ?? SANDBOX_DEFAULTS.maxProcesses,
      maxFileMb: this.options.maxFileMb ?? SANDBOX_DEFAULTS.maxFileMb,
      tmpSizeMb: this.options.tmpSizeMb ?? SANDBOX_DEFAULTS.tmpSizeMb,
    });
  }

  runTask(request: RunTaskRequest): Promise<TaskOutcome> {
    const task = { id: request.task.id, input: request.task.input, meta: request.task.meta }; // never more
    this.container = request.container ?? null;
    const container = this.container ? { workdir: this.container.workdir } : null;
    return this.request({ t: "run", task, credential: request.credential ?? null, container }, request);
  }

  /** Sequential suites: after each task. Harnesses without learn() finish at once. */
  learn(request: LearnRequest): Promise<TaskOutcome> {
    if (this.ready.ok && !this.ready.hasLearn && this.running) {
      return Promise.resolve(emptyOutcome(this.running));
    }
    const task = { id: request.task.id, input: request.task.input, meta: request.task.meta };
    return this.request(
      { t: "learn", task, feedback: request.feedback, credential: request.credential ?? null },
      request,
    );
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
    const envDir = checkEnvDir(this.envRoot, limits.envDir);
    if (this.uid !== null) chownTree(envDir, this.uid);
    this.busy = true; // until finish()
    if (!this.running) await this.exited; // a worker that just died: let its death be recorded
    const task = new ActiveTask(body.t, this.output.takeIdleLog());
    this.task = task;
    if (!this.running || !this.ready.ok) {
      const error = !this.ready.ok
        ? this.ready.error
        : {
            kind: this.death?.kind ?? "killed",
            message: `the worker is not running (${this.death?.message ?? "it was stopped"}); restart it`,
          };
      return Promise.resolve(this.finish(task, error));
    }
    const sentinel = `\u0000studio-task-end:${randomBytes(12).toString("hex")}\u0000`;
    this.output.begin(task.log, sentinel);
    task.deadline = setTimeout(() => {
      void this.kill({
        kind: "timeout",
        message: `the task did not finish within its time limit of ${limits.timeoutMs} ms`,
      });
    }, limits.timeoutMs + this.killGraceMs);
    const message = { ...body, id: task.id, timeoutMs: limits.timeoutMs, envDir, sentinel } as ParentMessage;
    (this.child!.stdio[3] as Writable).write(JSON.stringify(message) + "\n");
    return task.finished;
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
      (this.task?.log ?? this.output.idle).add({ kind: "sandbox", message: `killed the worker: ${reason.message}` }, 0);
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
    this.output.closeModelCalls();
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
    if (this.cgroup) {
      if (this.cgroup.oomKilled()) {
        const message = `the worker passed its memory limit of ${this.memoryMb} MiB (the kernel's cgroup limit stopped it)`;
        if (!this.killReason) (this.task?.log ?? this.output.idle).add({ kind: "sandbox", message }, 0);
        this.killReason ??= { kind: "memory", message };
      }
      await this.cgroup.remove();
      this.cgroup = null;
    }
    const error = this.killReason ?? this.deathReason(code, signal);
    this.death = error;
    if (this.readyWaiter) {
      this.readyWaiter({
        ok: false,
        error: this.killReason ?? { ...error, kind: error.kind === "memory" ? "memory" : "spawn" },
      });
      this.readyWaiter = null;
    }
    if (this.task) this.finish(this.task, error);
  }

  private deathReason(code: number | null, signal: NodeJS.Signals | null): TaskError {
    const tail = this.output.stderr.tail();
    if (/JavaScript heap out of memory|Reached heap limit/i.test(tail)) {
      return {
        kind: "memory",
        message: `the harness ran out of JavaScript heap (the limit is ${heapLimitMb(this.memoryMb)} MiB)`,
      };
    }
    if (/Allocation failed|out of memory/i.test(tail)) {
      return { kind: "memory", message: `the worker could not allocate memory; its limit is ${this.memoryMb} MiB` };
    }
    const how = signal
      ? `was killed by ${signal}${signal === "SIGXFSZ" ? " (a file passed the size limit)" : ""}`
      : `exited with code ${code}`;
    const last = tail.trim().split("\n").slice(-3).join("\n");
    return { kind: "killed", message: `the worker process ${how}${last ? `; its last words: ${last}` : ""}` };
  }

  private finish(task: ActiveTask, error: TaskError | undefined): TaskOutcome {
    this.task = null;
    this.container = null;
    this.busy = false;
    clearTimeout(task.deadline);
    this.output.end();
    const outcome: TaskOutcome = {
      ...(error ? { error } : task.kind === "learn" ? {} : { output: task.output }),
      events: task.log.close(),
      startedAt: task.startedAt,
      durationMs: Math.round((performance.now() - task.started) * 100) / 100,
      stdout: this.output.stdout.take(),
      stderr: this.output.stderr.take(),
      workerAlive: this.running,
    };
    task.resolve(outcome);
    return outcome;
  }
}
