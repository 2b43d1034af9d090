// What startWorker takes, and what each request to a worker (runTask, learn, grade) carries.
import type { OUTPUT_LIMITS } from "./limits.ts";
import type { ServeModelCall } from "./model-channel.ts";
import type { Feedback, GradeArgs, HarnessTask } from "./protocol.ts";

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
  /** "poll" refuses the kernel's memory limit (memory-limit.ts) and keeps the RSS poll alone (tests). */
  memoryLimit?: "auto" | "poll";
  /** Where the host program's build is cached across processes. */
  cacheDir?: string;
  startTimeoutMs?: number;
  killGraceMs?: number;
  limits?: Partial<
    Pick<
      typeof OUTPUT_LIMITS,
      "streamKeepBytes" | "streamDiscardCeilingBytes" | "eventBudgetBytes" | "controlCeilingBytes"
    >
  >;
}

export interface RunTaskRequest {
  task: HarnessTask;
  /** The per-task-run key the proxy accepts; the SDK sends it as "Authorization: Bearer" and as x-api-key. */
  credential?: string | null;
  timeoutMs: number;
  /** The task's environment folder (cwd of the harness and of ctx.exec), inside envRoot. */
  envDir: string;
  /** The task runs in a container: ctx.exec runs there instead of in envDir. */
  container?: ContainerExecServer | null;
}
/** A task's container, where its ctx.exec runs (lib/runner/containers/). */
export interface ContainerExecServer {
  name: string;
  workdir: string;
  exec(
    command: string,
    options: { timeoutMs: number; input?: string },
  ): Promise<{
    stdout: string;
    stderr: string;
    exitCode: number | null;
    signal: string | null;
    timedOut: boolean;
    durationMs: number;
  }>;
}

export interface LearnRequest extends RunTaskRequest {
  feedback: Feedback;
}
export interface GradeRequest {
  args: GradeArgs;
  timeoutMs: number;
  envDir: string;
}
