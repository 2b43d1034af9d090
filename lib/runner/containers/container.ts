// One task's long-lived container: started with an init process (so it stops at once), commands
// exec'd into it, files copied in, removed afterwards whatever happened. No network unless the
// task allows it; memory and CPUs from its task.toml.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ContainerSpec } from "../../suites/container-spec.ts";
import { OUTPUT_LIMITS } from "../sandbox/limits.ts";
import { runEngine, STUDIO_LABEL, type ContainerEngine, type EngineResult } from "./engine.ts";

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  durationMs: number;
}

export class TaskContainer {
  private constructor(
    private readonly engine: ContainerEngine,
    readonly name: string,
    readonly workdir: string,
    readonly network: "none" | "default",
  ) {}

  /** Starts the container; throws with the engine's words when it cannot. */
  static async start(
    engine: ContainerEngine,
    spec: ContainerSpec,
    image: { image: string; workdir: string },
  ): Promise<TaskContainer> {
    const name = `studio-task-${randomBytes(6).toString("hex")}`;
    const network = spec.allowInternet ? "default" : "none";
    const args = ["run", "-d", "--init", "--name", name, "--label", STUDIO_LABEL, "--network", network];
    if (spec.memoryMb) args.push("--memory", `${spec.memoryMb}m`);
    if (spec.cpus) args.push("--cpus", String(Math.min(spec.cpus, os.availableParallelism())));
    args.push(image.image, "sleep", "infinity");
    const started = await runEngine(engine, args, { timeoutMs: 60_000 });
    const container = new TaskContainer(engine, name, image.workdir, network);
    if (started.exitCode !== 0) {
      await container.remove();
      throw new Error(`could not start the container of task "${spec.task}": ${engineWords(started)}`);
    }
    const prepared = await container.exec(`mkdir -p ${container.workdir} /logs/agent /logs/verifier`, {
      timeoutMs: 30_000,
    });
    if (prepared.exitCode !== 0) {
      await container.remove();
      throw new Error(`could not prepare the container of task "${spec.task}": ${prepared.stderr.trim()}`);
    }
    return container;
  }

  /** `sh -c command` in the working directory. A timeout kills the engine's client; removal ends the rest. */
  async exec(
    command: string,
    options: { timeoutMs: number; input?: string; env?: Record<string, string>; shell?: string },
  ): Promise<ExecResult> {
    const args = ["exec", "-i", "-w", this.workdir];
    for (const [key, value] of Object.entries(options.env ?? {})) args.push("-e", `${key}=${value}`);
    args.push(this.name, options.shell ?? "sh", "-c", command);
    const result = await runEngine(this.engine, args, {
      timeoutMs: Math.max(1, options.timeoutMs),
      input: options.input,
      keepBytes: OUTPUT_LIMITS.execKeepBytes,
    });
    return {
      stdout: result.stdout,
      stderr: result.stderr,
      exitCode: result.timedOut ? null : result.exitCode,
      signal: result.timedOut ? "SIGKILL" : null,
      timedOut: result.timedOut,
      durationMs: result.durationMs,
    };
  }

  /** Copies files ({ relative path: base64 }) into `dest`, a folder in the container. */
  async copyIn(files: Record<string, string>, dest: string): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-copy-"));
    try {
      for (const [rel, base64] of Object.entries(files)) {
        const target = path.join(dir, rel);
        if (!target.startsWith(dir + path.sep)) continue;
        fs.mkdirSync(path.dirname(target), { recursive: true });
        const bytes = Buffer.from(base64, "base64");
        fs.writeFileSync(target, bytes, { mode: fileMode(rel, bytes) });
      }
      const copied = await runEngine(this.engine, ["cp", `${dir}/.`, `${this.name}:${dest}`], { timeoutMs: 60_000 });
      if (copied.exitCode !== 0) throw new Error(`could not copy files to ${dest}: ${engineWords(copied)}`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Removes the container at once; safe to call twice. */
  async remove(): Promise<void> {
    const wait = this.engine.kind === "podman" ? ["-t", "0"] : []; // docker's rm -f kills at once anyway
    await runEngine(this.engine, ["rm", "-f", ...wait, this.name], { timeoutMs: 60_000 });
  }
}

/**
 * Task files are stored without their modes (an upload has none), so a file is made executable
 * when it says it is one: a script with a #! line or a .sh name, or an ELF binary.
 */
export function fileMode(rel: string, bytes: Buffer): number {
  const executable =
    rel.endsWith(".sh") ||
    bytes.subarray(0, 2).toString("latin1") === "#!" ||
    bytes.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  return executable ? 0o755 : 0o644;
}

function engineWords(result: EngineResult): string {
  return (result.stderr || result.stdout).trim().split("\n").slice(-3).join(" ") || `exit ${result.exitCode}`;
}
