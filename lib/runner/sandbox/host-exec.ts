// Inside the sandbox: ctx.exec, the harness's way to run a command in its task's folder. Each
// command runs in its own process group, within the task's time limit, with capped output, and is
// recorded as an `exec` event. Part of the host program (host.ts): bundled, so it must stay free of
// Node-only imports beyond what a bundle can hold.
import { spawn, type ChildProcess } from "node:child_process";
import { OUTPUT_LIMITS, cutMarker } from "./limits.ts";
import type { ChildEvent, ChildMessage, ExecAnswerMessage } from "./protocol.ts";

interface ExecOptions {
  timeoutMs?: number;
  input?: string;
}

export function makeExec(
  cwd: string,
  signal: AbortSignal,
  deadline: number,
  execs: Set<ChildProcess>,
  sendEvent: (event: ChildEvent) => void,
) {
  return async function exec(command: string, options: ExecOptions = {}) {
    if (typeof command !== "string") throw new TypeError("ctx.exec(command, options?): command must be a string");
    const started = performance.now();
    const limitMs = Math.max(0, Math.min(options.timeoutMs ?? Infinity, deadline - started));
    // Its own process group, so a timeout kills the command and everything it started.
    const child = spawn("/bin/sh", ["-c", command], { cwd, detached: true, stdio: ["pipe", "pipe", "pipe"] });
    execs.add(child);
    const stdout = new CappedText(OUTPUT_LIMITS.execKeepBytes);
    const stderr = new CappedText(OUTPUT_LIMITS.execKeepBytes);
    child.stdout!.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr!.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.stdin!.on("error", () => {}); // the command may exit without reading its input
    child.stdin!.end(options.input ?? "");
    let timedOut = false;
    const stop = () => {
      timedOut = true;
      killGroup(child);
    };
    const timer = setTimeout(stop, limitMs);
    signal.addEventListener("abort", stop);
    const ended = await new Promise<{ code: number | null; signal: string | null; error?: string }>((resolve) => {
      child.once("error", (error) => resolve({ code: null, signal: null, error: error.message }));
      // Background jobs die with the command: otherwise they would hold the pipes (and the task) open.
      child.once("exit", () => killGroup(child));
      child.once("close", (code, sig) => resolve({ code, signal: sig }));
    });
    clearTimeout(timer);
    signal.removeEventListener("abort", stop);
    execs.delete(child);
    const result = {
      stdout: stdout.text(),
      stderr: stderr.text(),
      exitCode: ended.code,
      signal: ended.signal,
      timedOut,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
    };
    sendEvent({ kind: "exec", command, cwd, ...result, ...(ended.error ? { error: ended.error } : {}) });
    if (ended.error) throw new Error(`ctx.exec could not start /bin/sh: ${ended.error}`);
    return result;
  };
}

/**
 * ctx.exec of a task that runs in a container: the studio execs the command there (it records the
 * `exec` event itself, since it ran it) and sends the result back over the control channel.
 */
export function makeContainerExec(send: (message: ChildMessage) => void, signal: AbortSignal, deadline: number) {
  return async function exec(command: string, options: ExecOptions = {}) {
    if (typeof command !== "string") throw new TypeError("ctx.exec(command, options?): command must be a string");
    signal.throwIfAborted();
    const timeoutMs = Math.max(0, Math.min(options.timeoutMs ?? Infinity, deadline - performance.now()));
    const id = ++lastExecId;
    const answer = new Promise<ExecAnswerMessage>((resolve) => pendingExecs.set(id, resolve));
    send({ t: "exec", id, command, timeoutMs: Math.round(timeoutMs), input: options.input });
    const { stdout, stderr, exitCode, signal: killedBy, timedOut, durationMs, error } = await answer;
    if (error) throw new Error(`ctx.exec could not run the command in the task's container: ${error}`);
    return { stdout, stderr, exitCode, signal: killedBy, timedOut, durationMs };
  };
}

let lastExecId = 0;
const pendingExecs = new Map<number, (answer: ExecAnswerMessage) => void>();

/** The studio's answer to a container exec. */
export function receiveExecAnswer(answer: ExecAnswerMessage): void {
  pendingExecs.get(answer.id)?.(answer);
  pendingExecs.delete(answer.id);
}

export function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

class CappedText {
  private parts: Buffer[] = [];
  private kept = 0;
  private cut = 0;
  constructor(private readonly limit: number) {}
  push(chunk: Buffer): void {
    const room = this.limit - this.kept;
    if (room > 0) {
      const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
      this.parts.push(piece);
      this.kept += piece.length;
    }
    this.cut += Math.max(0, chunk.length - Math.max(0, room));
  }
  text(): string {
    return Buffer.concat(this.parts).toString("utf8") + (this.cut ? cutMarker(this.cut) : "");
  }
}
