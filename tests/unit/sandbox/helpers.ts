// Shared set-up for the sandbox tests: folders the sandbox uid can reach, compiled fixtures,
// workers that are always closed, and a look at the process table.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach } from "vitest";
import { compileGrader, compileHarness } from "../../../lib/runner/sandbox/compile.ts";
import {
  probeIsolation,
  startWorker,
  type SandboxWorker,
  type StartWorkerOptions,
} from "../../../lib/runner/sandbox/sandbox.ts";
import { sandboxModes, type Mode } from "./modes.ts";

const fixtures = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../fixtures/harnesses");

/** Modes to test: bubblewrap where it works here (required under CI: see modes.ts), and always the fallback. */
export const modes: Mode[] = sandboxModes(await probeIsolation());

const roots: string[] = [];
const workers: SandboxWorker[] = [];

afterEach(async () => {
  await Promise.all(workers.splice(0).map((worker) => worker.close()));
});
afterAll(() => {
  for (const root of roots.splice(0)) fs.rmSync(root, { recursive: true, force: true });
});

/** A root folder with `scratch/` and `env/` inside, open to the sandbox uid. */
export function makeFolders(): { root: string; scratch: string; env: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "sandbox-test-"));
  fs.chmodSync(root, 0o755);
  roots.push(root);
  const scratch = path.join(root, "scratch");
  const env = path.join(root, "env");
  fs.mkdirSync(scratch);
  fs.mkdirSync(env);
  return { root, scratch, env };
}

export function fixture(name: string): string {
  return fs.readFileSync(path.join(fixtures, name), "utf8");
}

export async function compiled(name: string, role: "harness" | "grader" = "harness"): Promise<string> {
  const compile = role === "harness" ? compileHarness : compileGrader;
  const result = await compile(fixture(name), { filename: name });
  if (!result.ok) throw new Error(`${name} did not compile: ${JSON.stringify(result.errors)}`);
  return result.code;
}

/** Starts a worker for a fixture (or compiled code) in the given mode; closed after the test. */
export async function worker(
  mode: "bubblewrap" | "process",
  source: { fixture: string } | { code: string },
  options: Partial<StartWorkerOptions> = {},
): Promise<{ worker: SandboxWorker; env: string; root: string; scratch: string }> {
  const folders = makeFolders();
  const code = "code" in source ? source.code : await compiled(source.fixture, options.role ?? "harness");
  const started = await startWorker({
    code,
    role: "harness",
    scratchDir: folders.scratch,
    envRoot: folders.root,
    isolation: mode === "process" ? "process" : "auto",
    ...options,
  });
  workers.push(started);
  return { worker: started, ...folders };
}

/** Lines of `ps` for processes of a uid, or whose command line contains `marker`. */
export function leftovers(uid: number | null, marker: string): string[] {
  const table = execFileSync("ps", ["-eo", "pid=,uid=,stat=,args="], { encoding: "utf8" });
  return table
    .split("\n")
    .filter((line) => line.trim())
    .filter((line) => {
      const [, owner, stat] = line.trim().split(/\s+/);
      if (stat.startsWith("Z")) return false; // reaped any moment now; holds nothing
      return (uid !== null && Number(owner) === uid) || (line.includes(marker) && !line.includes("ps -eo"));
    });
}

/**
 * Whether everything a worker starts is bound to it: true under bubblewrap (pid namespace) and
 * whenever the worker has its own uid. A non-root studio without bubblewrap cannot catch processes
 * that leave the worker's process group (a gap probeIsolation() reports).
 */
export function contained(mode: "bubblewrap" | "process", worker: SandboxWorker): boolean {
  return mode === "bubblewrap" || worker.uid !== null;
}

/** Kills processes this test made (found by their unique marker) that escaped an uncontained worker. */
export function reap(marker: string): void {
  for (const line of leftovers(null, marker)) {
    try {
      process.kill(Number(line.trim().split(/\s+/)[0]), "SIGKILL");
    } catch {
      // gone
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
