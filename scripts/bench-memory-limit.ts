// npm run bench:memory [-- --limit-mb 256 --block-mb 1024 --runs 3]
// How far past its memory limit a worker gets with one fast native allocation (a Buffer of
// --block-mb filled at once), under each memory limit this machine offers: the RSS poll alone,
// RLIMIT_DATA, and a cgroup v2 limit where the studio's cgroup delegates one. Each mode runs in
// its own process (the probe is once per process), sampling the worker tree's RSS every 2 ms.
// Prints per mode: the outcome, the peak RSS seen, and the time from the task's start to its end.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { compileHarness } from "../lib/runner/sandbox/compile.ts";
import { probeMemoryLimit } from "../lib/runner/sandbox/memory-limit.ts";
import { descendantsOf } from "../lib/runner/sandbox/proc.ts";
import { startWorker } from "../lib/runner/sandbox/sandbox.ts";

const { values } = parseArgs({
  options: {
    "limit-mb": { type: "string", default: "256" },
    "block-mb": { type: "string", default: "1024" },
    runs: { type: "string", default: "3" },
    child: { type: "boolean", default: false },
  },
});
const limitMb = Number(values["limit-mb"]);
const blockMb = Number(values["block-mb"]);
const runs = Number(values.runs);
const self = fileURLToPath(import.meta.url);
const harness = `export default { async run(task) { return Buffer.alloc(task.input * 1024 * 1024, 1).length; } };`;

function rssOf(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    return Number(status.match(/^VmRSS:\s+(\d+) kB/m)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

async function measure(): Promise<void> {
  const probe = await probeMemoryLimit();
  const compiled = await compileHarness(harness, { filename: "block.ts" });
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.errors));
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "bench-memory-"));
  fs.chmodSync(scratch, 0o755);
  for (let run = 0; run < runs; run++) {
    const worker = await startWorker({ code: compiled.code, role: "harness", scratchDir: scratch, memoryMb: limitMb });
    const root = worker.pid!;
    let peak = 0;
    const sampler = setInterval(() => {
      const rss = [root, ...descendantsOf(root)].reduce((sum, pid) => sum + rssOf(pid), 0);
      peak = Math.max(peak, rss);
    }, 2);
    const started = performance.now();
    const outcome = await worker.runTask({ task: { id: "t", input: blockMb }, timeoutMs: 30_000, envDir: scratch });
    const ms = performance.now() - started;
    clearInterval(sampler);
    await worker.close();
    const result = outcome.error ? `${outcome.error.kind}: ${outcome.error.message}` : `allocated ${outcome.output}`;
    console.log(
      `${probe.kind.padEnd(6)} run ${run + 1}: peak RSS ${(peak / 2 ** 20).toFixed(0).padStart(5)} MiB ` +
        `(limit ${limitMb}) · ${ms.toFixed(0).padStart(4)} ms · ${result}`,
    );
  }
  fs.rmSync(scratch, { recursive: true, force: true });
}

if (values.child) {
  await measure();
} else {
  console.log(`One ${blockMb} MiB allocation in a worker limited to ${limitMb} MiB, ${runs} runs per mode.`);
  for (const mode of ["poll", "rlimit", "cgroup"]) {
    const env = { ...process.env, STUDIO_MEMORY_LIMIT: mode };
    const child = spawnSync(
      process.execPath,
      ["--import", "tsx", self, "--child", ...process.argv.slice(2).filter((a) => a !== "--child")],
      { env, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
    );
    const lines = child.stdout.trim().split("\n").filter(Boolean);
    // Where a mode is not available the probe falls back: report that once instead of repeating a weaker mode.
    const got = lines[0]?.split(" ")[0];
    if (got && got !== mode) console.log(`${mode.padEnd(6)} not available here (the probe chose ${got})`);
    else console.log(lines.join("\n"));
  }
}
