// The command proposer: any program that can read files and write files, typically a coding
// agent, run in the workspace folder (the claude_code proposer is this one with Claude Code's
// command line, claude-code.ts). It gets the instructions and the iteration's brief on stdin and
// in <proposalDir>/INSTRUCTIONS.md, and the facts in its environment; afterwards every harness.ts
// under the proposal folder is a proposal (see collect.ts). Its output is recorded line by line;
// stream-json output becomes a transcript of tool calls and results, with the files it read
// (stream-json.ts).
//
// A proposer is untrusted, like a harness: the command runs in the same kind of sandbox
// (lib/runner/sandbox/command-sandbox.ts). It sees the workspace read-only except its proposal
// folder, a scratch HOME, the files its command line names, and nothing of the data folder (the
// database's credentials), suite folders or the studio's files; its only way out is the recording
// proxy (`client`), with the iteration's credential. Its environment is built, not inherited.
// It runs in its own process group (under bubblewrap, its own pids), so the time limit (and
// cancelling) ends it and everything it started, and whatever it left running after exiting too.
import path from "node:path";
import { formatBytes } from "../format.ts";
import { dataDir } from "../paths.ts";
import { namedPaths, openCommandSandbox, type CommandSandbox } from "../runner/sandbox/command-sandbox.ts";
import { errorEvent, noteEvent } from "../traces/build.ts";
import { iterationBrief } from "./brief.ts";
import { collectProposals } from "./collect.ts";
import { runCommand } from "./command-run.ts";
import { COMMAND_LIMITS, COMMAND_MEMORY_MB, COMMAND_OUTPUT_BYTES, COMMAND_TIMEOUT_MS } from "./limits.ts";
import { StreamJsonSession } from "./stream-json.ts";
import type { Proposal, Proposer, ProposerInput, ProposerResult, StopReason } from "./types.ts";
import { WorkspaceFiles, writeNoFollow } from "./workspace-files.ts";

export interface CommandProposerOptions {
  /** A shell command line, run with /bin/sh -c in the workspace folder. */
  command: string;
  /** Wall-clock limit; the whole process group is killed at it. Default one hour. */
  timeoutMs?: number;
  /** The resident memory of the command's whole process tree, in MiB (default 4096); past it the tree is killed. */
  memoryMb?: number;
  /** stdout and stderr are each recorded up to this many bytes (default 8 MiB); the rest is counted, not kept. */
  maxOutputBytes?: number;
  /** Extra environment variables for the command (under the ones the proposer sets). */
  env?: Record<string, string>;
  /** More paths the command may read, besides those its command line names (default: STUDIO_PROPOSER_PATHS, colon-separated). */
  readPaths?: string[];
  /** "process" refuses bubblewrap even where it works (tests of process groups). */
  isolation?: "auto" | "process";
}

export const INSTRUCTIONS_FILE = "INSTRUCTIONS.md";

/** How the command gets its prompt. */
export interface CommandShape {
  /**
   * "together": the instructions and the brief, on stdin and in $INSTRUCTIONS_FILE. "apart": the
   * brief on stdin and the instructions alone in $INSTRUCTIONS_FILE (Claude Code appends that
   * file to its system prompt, so it stays the same, and cacheable, across iterations).
   */
  prompt: "together" | "apart";
}

export function createCommandProposer(options: CommandProposerOptions): Proposer {
  return { kind: "command", propose: (input) => proposeWithCommand(input, options, { prompt: "together" }) };
}

export async function proposeWithCommand(
  input: ProposerInput,
  options: CommandProposerOptions,
  shape: CommandShape,
): Promise<ProposerResult> {
  let session = new StreamJsonSession(null);
  let isolation: ProposerResult["isolation"] = undefined; // known once the sandbox is open
  const result = (stopReason: StopReason, proposals: Proposal[], error?: string): ProposerResult => ({
    proposals,
    ...(isolation ? { isolation } : {}),
    filesRead: session.filesRead(),
    ...session.usage(),
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
  session = new StreamJsonSession(files.root);

  const brief = `${iterationBrief({
    iteration: input.iteration,
    candidatesWanted: input.candidatesWanted,
    proposalDir: files.proposalRelative,
    mode: "command",
    checkAvailable: false,
  })}\n`;
  const together = `${input.instructions.trimEnd()}\n\n${brief}`;
  const prompt = shape.prompt === "together" ? together : brief;
  const instructionsPath = path.join(files.proposalRoot, INSTRUCTIONS_FILE);
  // A proposer that ran here before may have left a link in its place.
  writeNoFollow(instructionsPath, shape.prompt === "together" ? together : `${input.instructions.trimEnd()}\n`);

  // Built, not inherited: the studio's secrets (DATABASE_URL, its API key, its token) stay out.
  const env: Record<string, string> = {
    // Claude Code: no update checks or telemetry (there is no network to reach anyway).
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    ...options.env,
    ANTHROPIC_BASE_URL: input.client.baseURL,
    ANTHROPIC_API_KEY: input.client.apiKey,
    WORKSPACE_DIR: files.root,
    PROPOSAL_DIR: files.proposalRoot,
    ITERATION: String(input.iteration),
    CANDIDATES_WANTED: String(input.candidatesWanted),
    PROPOSER_MODEL: input.model,
    INSTRUCTIONS_FILE: instructionsPath,
  };
  // The data folder holds the database's credentials: never in view, however the command names it.
  const named = namedPaths(options.command, [dataDir()]);
  const extra = (options.readPaths ?? defaultReadPaths()).filter(Boolean);
  const readable = namedPaths(extra.map((p) => JSON.stringify(p)).join(" "), [dataDir()]);
  for (const refused of [...named.refused, ...readable.refused])
    input.record(noteEvent(`${refused} is not shown to the command: it is in (or holds) the studio's data folder`));

  let sandbox: CommandSandbox;
  try {
    sandbox = await openCommandSandbox({
      command: options.command,
      cwd: files.root,
      readOnly: [files.root, ...named.paths, ...readable.paths],
      writable: [files.proposalRoot],
      proxy: { url: input.client.baseURL, socketPath: input.client.socketPath },
      env,
      isolation: options.isolation,
      ...COMMAND_LIMITS,
    });
  } catch (error) {
    const message = `the command's sandbox could not be set up: ${(error as Error).message}`;
    input.record(errorEvent({ kind: "command", message }));
    return result("error", [], message);
  }
  isolation = sandbox.isolation;

  const timeoutMs = options.timeoutMs ?? COMMAND_TIMEOUT_MS;
  const memoryMb = options.memoryMb ?? COMMAND_MEMORY_MB;
  input.record(
    noteEvent(`$ ${options.command}`, new Date(), {
      cwd: files.root,
      timeoutMs,
      instructionsFile: files.relativeOf(instructionsPath),
      isolation: sandbox.isolation,
      readable: [files.root, ...named.paths, ...readable.paths],
      writable: [files.proposalRoot],
      ...(sandbox.gaps.length ? { gaps: sandbox.gaps } : {}),
    }),
  );
  let run;
  try {
    run = await runCommand({
      launch: sandbox.launch,
      cwd: files.root,
      stdin: prompt,
      timeoutMs,
      memoryMb,
      maxOutputBytes: options.maxOutputBytes ?? COMMAND_OUTPUT_BYTES,
      signal: input.signal,
      onLine: (stream, line) => (stream === "stdout" ? session.read(line) : null),
      record: input.record,
    });
  } finally {
    await sandbox.close();
  }

  let stop: StopReason = "done";
  let error: string | undefined;
  const tail = run.stderrTail.trim();
  if (run.cancelled) stop = "cancelled";
  else if (run.spawnError) {
    stop = "error";
    error = `the command could not start: ${run.spawnError}`;
  } else if (run.memoryExceeded !== null) {
    stop = "error";
    error = `the command used ${formatBytes(run.memoryExceeded)} of memory, past its limit of ${memoryMb} MiB, and was killed (with everything it started)`;
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

/** The folders a command proposer may read besides those its command line names: STUDIO_PROPOSER_PATHS. */
export function defaultReadPaths(): string[] {
  return (process.env.STUDIO_PROPOSER_PATHS ?? "").split(":").filter(Boolean);
}

function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}
