// The command proposer: any program that can read files and write files, typically a coding
// agent (`claude -p --output-format stream-json --verbose`), run in the workspace folder. It gets
// the instructions and the iteration's brief on stdin and in <proposalDir>/INSTRUCTIONS.md, and
// the facts in its environment; afterwards every harness.ts under the proposal folder is a
// proposal (see collect.ts). Its output is recorded line by line; stream-json `result` lines
// give tokens and cost, and its Read tool calls give filesRead.
//
// The command runs in its own process group, so the time limit (and cancelling) ends it and
// everything it started, and whatever it left running after exiting is ended too.
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { errorEvent, noteEvent, streamEvent } from "../traces/build.ts";
import { iterationBrief } from "./brief.ts";
import { collectProposals } from "./collect.ts";
import { COMMAND_KILL_GRACE_MS, COMMAND_OUTPUT_BYTES, COMMAND_TIMEOUT_MS, STDERR_TAIL_CHARS } from "./limits.ts";
import type { Proposal, Proposer, ProposerInput, ProposerResult, StopReason } from "./types.ts";
import { WorkspaceFiles, isInside, toPosix } from "./workspace-files.ts";

export interface CommandProposerOptions {
  /** A shell command line, run with /bin/sh -c in the workspace folder. */
  command: string;
  /** Wall-clock limit; the whole process group is killed at it. Default one hour. */
  timeoutMs?: number;
  /** stdout and stderr are each recorded up to this many bytes (default 8 MiB); the rest is counted, not kept. */
  maxOutputBytes?: number;
  /** Extra environment variables, over the inherited ones (and over ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY). */
  env?: Record<string, string>;
}

export const INSTRUCTIONS_FILE = "INSTRUCTIONS.md";

/**
 * Never handed to the command: the studio's own secrets. ANTHROPIC_API_KEY is replaced by the
 * iteration's credential for `client.baseURL` (the recording proxy), so the real key stays in
 * the server and the agent's model calls are recorded and counted.
 */
const SCRUBBED_ENV = ["DATABASE_URL", "STUDIO_TOKEN", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"];

export function createCommandProposer(options: CommandProposerOptions): Proposer {
  return { kind: "command", propose: (input) => proposeWithCommand(input, options) };
}

async function proposeWithCommand(input: ProposerInput, options: CommandProposerOptions): Promise<ProposerResult> {
  let usage = new StreamJsonUsage(null);
  const result = (stopReason: StopReason, proposals: Proposal[], error?: string): ProposerResult => ({
    proposals,
    filesRead: usage.filesRead(),
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    costUsd: usage.costUsd,
    stopReason,
    ...(error ? { error } : {}),
  });
  if (!options.command?.trim()) return result("error", [], "no proposer command is configured");
  let files: WorkspaceFiles;
  try {
    files = WorkspaceFiles.open(input.workspaceDir, input.proposalDir);
  } catch (error) {
    return result("error", [], (error as Error).message);
  }
  usage = new StreamJsonUsage(files.root);

  const prompt = `${input.instructions.trimEnd()}\n\n${iterationBrief({
    iteration: input.iteration,
    candidatesWanted: input.candidatesWanted,
    proposalDir: files.proposalRelative,
    mode: "command",
    checkAvailable: false,
  })}\n`;
  const instructionsPath = path.join(files.proposalRoot, INSTRUCTIONS_FILE);
  fs.writeFileSync(instructionsPath, prompt);

  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env))
    if (value !== undefined && !SCRUBBED_ENV.includes(name)) env[name] = value;
  Object.assign(env, {
    ANTHROPIC_BASE_URL: input.client.baseURL,
    ANTHROPIC_API_KEY: input.client.apiKey,
    ...options.env,
    WORKSPACE_DIR: files.root,
    PROPOSAL_DIR: files.proposalRoot,
    ITERATION: String(input.iteration),
    CANDIDATES_WANTED: String(input.candidatesWanted),
    PROPOSER_MODEL: input.model,
    INSTRUCTIONS_FILE: instructionsPath,
  });

  const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
  input.record(
    noteEvent(`$ ${options.command}`, new Date(), {
      cwd: files.root,
      timeoutMs,
      instructionsFile: files.relativeOf(instructionsPath),
    }),
  );
  const run = await runCommand(options.command, {
    cwd: files.root,
    env,
    stdin: prompt,
    timeoutMs,
    maxOutputBytes: options.maxOutputBytes ?? COMMAND_OUTPUT_BYTES,
    signal: input.signal,
    onLine: (stream, line) => {
      if (stream === "stdout") usage.read(line);
    },
    record: input.record,
  });

  let stop: StopReason = "done";
  let error: string | undefined;
  const tail = run.stderrTail.trim();
  if (run.cancelled) stop = "cancelled";
  else if (run.spawnError) {
    stop = "error";
    error = `the command could not start: ${run.spawnError}`;
  } else if (run.timedOut) {
    stop = "error";
    error = `the command did not finish within ${formatSeconds(timeoutMs)} and was killed (with everything it started)`;
  } else if (run.exitCode !== 0) {
    stop = "error";
    error = `the command ${run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`}${tail ? `; stderr ends with:\n${tail}` : " (no stderr)"}`;
  }
  if (error) input.record(errorEvent({ kind: "command", message: error }));
  input.record(
    noteEvent(
      `command ended: ${run.timedOut ? "timed out" : run.cancelled ? "cancelled" : run.signal ? `killed by ${run.signal}` : `exit ${run.exitCode}`} after ${formatSeconds(run.durationMs)}`,
      new Date(),
      {
        exitCode: run.exitCode,
        signal: run.signal,
        durationMs: run.durationMs,
        stdoutBytes: run.bytes.stdout,
        stderrBytes: run.bytes.stderr,
      },
    ),
  );

  const proposals = collectProposals(files.root, files.proposalRoot, (message) => input.record(noteEvent(message)));
  if (stop === "done" && proposals.length === 0)
    input.record(noteEvent(`the command wrote no harness.ts under ${files.proposalRelative}/`));
  return result(stop, proposals, error);
}

interface RunOptions {
  cwd: string;
  env: Record<string, string>;
  stdin: string;
  timeoutMs: number;
  maxOutputBytes: number;
  signal?: AbortSignal;
  onLine: (stream: "stdout" | "stderr", line: string) => void;
  record: ProposerInput["record"];
}

interface RunOutcome {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  cancelled: boolean;
  spawnError?: string;
  durationMs: number;
  bytes: { stdout: number; stderr: number };
  stderrTail: string;
}

/** Runs the command in a new process group; records its output line by line, up to the cap per stream. */
function runCommand(command: string, options: RunOptions): Promise<RunOutcome> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", ["-c", command], {
      cwd: options.cwd,
      env: options.env as NodeJS.ProcessEnv,
      detached: true,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let timedOut = false;
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
    this.options.onLine(this.stream, line);
    const bytes = Buffer.byteLength(line) + 1;
    if (this.recorded + bytes > this.options.maxOutputBytes) {
      // Later, shorter lines may still fit: the record keeps as many whole lines as it can.
      this.dropped += bytes;
      this.droppedLines++;
      return;
    }
    this.recorded += bytes;
    this.options.record(streamEvent(this.stream, line));
  }
}

/**
 * Tokens, cost and files read, from stream-json output (Claude Code's `--output-format
 * stream-json`): `result` lines carry usage and total_cost_usd (summed, in case the command ran
 * several sessions); Read tool calls in `assistant` lines name files. Other output is ignored.
 */
export class StreamJsonUsage {
  inputTokens = 0;
  outputTokens = 0;
  costUsd = 0;
  private readonly reads = new Set<string>();

  /** `root`: the workspace (the command's cwd), to which read paths are made relative; null before there is one. */
  constructor(private readonly root: string | null) {}

  read(line: string): void {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) return;
    let event: JsonObject;
    try {
      event = asObject(JSON.parse(trimmed));
    } catch {
      return;
    }
    if (event.type === "result") {
      const usage = asObject(event.usage);
      this.inputTokens +=
        num(usage.input_tokens) + num(usage.cache_creation_input_tokens) + num(usage.cache_read_input_tokens);
      this.outputTokens += num(usage.output_tokens);
      this.costUsd += num(event.total_cost_usd);
    } else if (event.type === "assistant") {
      const content: unknown = asObject(event.message).content;
      if (!Array.isArray(content)) return;
      for (const item of content as unknown[]) {
        const block = asObject(item);
        const input = asObject(block.input);
        if (block.type === "tool_use" && block.name === "Read" && typeof input.file_path === "string")
          this.addRead(input.file_path);
      }
    }
  }

  filesRead(): string[] {
    return [...this.reads];
  }

  private addRead(filePath: string): void {
    if (!this.root) return;
    const absolute = path.resolve(this.root, filePath);
    if (isInside(this.root, absolute)) this.reads.add(toPosix(path.relative(this.root, absolute)));
  }
}

type JsonObject = Record<string, unknown>;

/** A parsed JSON value as an object to read fields from; anything else reads as empty. */
function asObject(value: unknown): JsonObject {
  return typeof value === "object" && value !== null ? (value as JsonObject) : {};
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
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

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
