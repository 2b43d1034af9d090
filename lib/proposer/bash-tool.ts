// The Claude proposer's `bash` tool: one shell command per call, run in the sandbox a command
// proposer gets (lib/runner/sandbox/command-sandbox.ts). Under bubblewrap it sees the system's
// programs (node among them), the workspace read-only except the iteration's proposal folder, a
// scratch folder kept for the session, a private /tmp, and no network at all. Each call has a
// time limit and an output limit; a nonzero exit, a timeout or a cut is said in the result, never
// thrown at the loop, so the proposer can prototype against the logged traces before it writes.
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { z } from "zod";
import { openCommandSandbox } from "../runner/sandbox/command-sandbox.ts";
import { hostBundle } from "../runner/sandbox/host-bundle.ts";
import { formatBytes } from "../format.ts";
import { runCommand } from "./command-run.ts";
import { BASH_LIMITS, BASH_MEMORY_MB, BASH_OUTPUT_BYTES, BASH_TIMEOUT_MS } from "./limits.ts";
import type { WorkspaceFiles } from "./workspace-files.ts";

export const bashSchema = z.object({
  command: z
    .string()
    .min(1)
    .describe(
      "A shell command line (/bin/sh -c), run in the workspace root, e.g. `node -e '…'`, `diff a b`, `grep -c … | sort`",
    ),
  timeout_seconds: z
    .number()
    .int()
    .min(1)
    .max(BASH_TIMEOUT_MS / 1000)
    .optional()
    .describe(`Time limit of this call; default and most ${BASH_TIMEOUT_MS / 1000}`),
});

export const bashDescription =
  `Run a shell command in a sandbox, in the workspace root: node, sh and the usual tools are there. ` +
  `The workspace is read-only except this iteration's proposal folder ($PROPOSAL_DIR); $SCRATCH_DIR is a scratch folder kept for this session; ` +
  `there is no network. Each call has a time limit (${BASH_TIMEOUT_MS / 1000} s) and keeps ${formatBytes(BASH_OUTPUT_BYTES)} of output ` +
  `(stdout and stderr together; the result says how much was cut). Use it to prototype: parse traces with a script, ` +
  `call a function on a logged input, diff two harnesses. esbuild is on PATH to turn a harness.ts into JavaScript, and ` +
  `@anthropic-ai/sdk resolves for modules under $SCRATCH_DIR (see README.md, "Prototyping").`;

export type BashInput = z.infer<typeof bashSchema>;

export interface BashOutcome {
  text: string;
  isError: boolean;
}

/** A proposer session's shell: its scratch folder lives as long as the session; close() removes it. */
export class BashShell {
  private scratch: string | null = null;
  private described = false;

  constructor(
    private readonly files: WorkspaceFiles,
    private readonly options: {
      /** "process" refuses bubblewrap even where it works (tests). */
      isolation?: "auto" | "process";
      /** The resident memory of one call's process tree, in MiB (default BASH_MEMORY_MB). */
      memoryMb?: number;
      signal?: AbortSignal;
      /** The sandbox's isolation and gaps, said once per session in the transcript. */
      onNote: (message: string) => void;
    },
  ) {}

  async run(input: BashInput): Promise<BashOutcome> {
    const { files } = this;
    const scratch = await this.scratchDir();
    const esbuild = esbuildBinary();
    const timeoutMs = Math.min((input.timeout_seconds ?? BASH_TIMEOUT_MS / 1000) * 1000, BASH_TIMEOUT_MS);
    const sandbox = await openCommandSandbox({
      command: input.command,
      cwd: files.root,
      readOnly: [files.root, ...(esbuild ? [esbuild] : [])],
      writable: [files.proposalRoot, scratch],
      proxy: null, // no network: not even the model
      env: {
        ...(esbuild ? { PATH: `${path.dirname(esbuild)}:${process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"}` } : {}),
        WORKSPACE_DIR: files.root,
        PROPOSAL_DIR: files.proposalRoot,
        SCRATCH_DIR: scratch,
      },
      isolation: this.options.isolation,
      ...BASH_LIMITS,
    });
    if (!this.described) {
      this.described = true;
      this.options.onNote(
        `bash runs sandboxed (${sandbox.isolation}): workspace read-only but ${files.proposalRelative}/, scratch ${scratch}` +
          (sandbox.gaps.length ? `; not covered: ${sandbox.gaps.join("; ")}` : ""),
      );
    }
    const output = new OutputCut(BASH_OUTPUT_BYTES);
    let run;
    try {
      run = await runCommand({
        launch: sandbox.launch,
        cwd: files.root,
        stdin: "",
        timeoutMs,
        memoryMb: this.options.memoryMb ?? BASH_MEMORY_MB,
        // The recorder keeps nothing: the tool result is the record (toolResultEvent).
        maxOutputBytes: BASH_OUTPUT_BYTES,
        signal: this.options.signal,
        onLine: (_stream, line) => {
          output.add(line);
          return [];
        },
        record: () => {},
      });
    } finally {
      await sandbox.close();
    }
    const seconds = `${(run.durationMs / 1000).toFixed(1)} s`;
    let status: string;
    if (run.spawnError) status = `the command could not start: ${run.spawnError}`;
    else if (run.memoryExceeded !== null)
      status = `killed: the command used ${formatBytes(run.memoryExceeded)} of memory, past its limit of ${this.options.memoryMb ?? BASH_MEMORY_MB} MiB`;
    else if (run.timedOut)
      status = `timed out after ${timeoutMs / 1000} s: the command and everything it started were killed`;
    else if (run.cancelled) status = "cancelled";
    else if (run.signal) status = `killed by ${run.signal} after ${seconds}`;
    else status = `exit code ${run.exitCode} after ${seconds}`;
    const text = `${output.text()}${output.cutNote()}[${status}]`;
    return {
      text,
      isError: run.exitCode !== 0 || run.timedOut || run.memoryExceeded !== null || Boolean(run.spawnError),
    };
  }

  /** Removes the scratch folder (under bubblewrap the private /tmp is gone with each call already). */
  close(): void {
    if (this.scratch) fs.rmSync(this.scratch, { recursive: true, force: true });
    this.scratch = null;
  }

  /**
   * Made on the first call: a folder whose node_modules holds the SDK harnesses import (the copy
   * the harness sandbox gives them), so a harness bundled into it with esbuild can be loaded and
   * run with a fake ctx.model that replays a logged response.
   */
  private async scratchDir(): Promise<string> {
    if (!this.scratch) {
      const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-bash-scratch-"));
      fs.chmodSync(scratch, 0o755); // reachable by the sandbox's own uid (as root)
      this.scratch = scratch;
      try {
        const sdk = path.join(scratch, "node_modules", "@anthropic-ai", "sdk");
        fs.mkdirSync(sdk, { recursive: true });
        fs.writeFileSync(path.join(scratch, "node_modules", ".sdk.mjs"), (await hostBundle()).sdk);
        fs.writeFileSync(
          path.join(sdk, "package.json"),
          JSON.stringify({ name: "@anthropic-ai/sdk", type: "module", exports: { ".": "./index.mjs" } }),
        );
        fs.writeFileSync(
          path.join(sdk, "index.mjs"),
          'export * from "../../.sdk.mjs";\nexport { default } from "../../.sdk.mjs";\n',
        );
      } catch (error) {
        this.options.onNote(`bash: the SDK could not be laid out in scratch: ${(error as Error).message}`);
      }
    }
    return this.scratch;
  }
}

/** The esbuild executable the studio compiles harnesses with, or null where it is not found. */
function esbuildBinary(): string | null {
  const require = createRequire(import.meta.url);
  // The platform's own package holds the native executable; esbuild/bin/esbuild is one too, once installed.
  for (const name of [`@esbuild/${process.platform}-${process.arch}`, "esbuild"]) {
    try {
      const binary = path.join(path.dirname(require.resolve(`${name}/package.json`)), "bin", "esbuild");
      if (fs.existsSync(binary)) return fs.realpathSync(binary);
    } catch {
      // not installed
    }
  }
  return null;
}

/** Output lines kept up to a byte cap, the rest counted: the model is told what it did not see. */
class OutputCut {
  private readonly kept: string[] = [];
  private keptBytes = 0;
  private cutBytes = 0;
  private cutLines = 0;

  constructor(private readonly cap: number) {}

  add(line: string): void {
    const bytes = Buffer.byteLength(line) + 1;
    if (this.cutBytes === 0 && this.keptBytes + bytes <= this.cap) {
      this.kept.push(line);
      this.keptBytes += bytes;
      return;
    }
    if (this.cutBytes === 0 && this.keptBytes < this.cap) {
      // The line that crosses the cap is kept in part, so a single huge line still shows its start.
      const room = this.cap - this.keptBytes;
      const part = Buffer.from(line).subarray(0, room).toString("utf8");
      this.kept.push(part);
      this.keptBytes += Buffer.byteLength(part);
      this.cutBytes += bytes - Buffer.byteLength(part);
      this.cutLines++;
      return;
    }
    this.cutBytes += bytes;
    this.cutLines++;
  }

  text(): string {
    return this.kept.length ? `${this.kept.join("\n")}\n` : "";
  }

  cutNote(): string {
    if (this.cutBytes === 0) return "";
    return `[output cut: ${this.cutBytes} more bytes (${this.cutLines} line${this.cutLines === 1 ? "" : "s"}) not shown; ${formatBytes(this.cap)} are kept per call. Write long output to a file under $SCRATCH_DIR and read it in parts, or narrow it (head, grep).]\n`;
  }
}
