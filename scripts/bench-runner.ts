// npm run bench:runner [-- --tasks 500 --runs 5]
// The studio's evaluation engine against a bare baseline on the same harness and the same
// fake model server: 500 trivial tasks, each one model call answered at once.
//   baseline: the "plain Node script calling the same harness function in-process":
//             `node baseline.mjs` imports the compiled harness and the SDK, calls run() for every
//             task with a client pointed straight at the fake server, records nothing, and exits.
//             Timed from spawn to exit, a fresh process each run, as a user runs a script.
//   studio:   prepareEvaluation + runEvaluation: sandbox workers, the recording proxy, every
//             trace event written to Postgres (a throwaway embedded one). Measured warm, as a
//             long-running studio is (its first evaluation is printed as "cold"); its workers
//             start fresh for every evaluation either way.
//   reference: the same run() looped inside this bench's own warm process, after thousands of
//             earlier calls (a hot JIT and connection pool no script or worker ever has). Printed
//             as a stricter second ratio; the target is not judged on it.
// Each side runs --runs times (default 5), alternating, and the medians are compared.
// Prints wall times, the ratios (target ≤ 2.0) and trace events stored per second.
import Anthropic from "@anthropic-ai/sdk";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { pathToFileURL } from "node:url";
import { spawn } from "node:child_process";
import { startEmbeddedPostgres } from "../lib/db/embedded.ts";
import { migrate } from "../lib/db/migrate.ts";
import { startFakeAnthropic } from "../tests/fakes/anthropic-server.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "500" },
    concurrency: { type: "string" },
    runs: { type: "string", default: "5" },
  },
});
const TASKS = Number(values.tasks);
const RUNS = Math.max(1, Number(values.runs)); // timed runs of each side, alternating; medians are reported
const CONCURRENCY = Number(values.concurrency ?? os.availableParallelism());

const HARNESS = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { id: string; input: { n: number } }, ctx: { model: Anthropic; log: (value: unknown) => void }) {
    ctx.log({ task: task.id });
    const reply = await ctx.model.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 16,
      messages: [{ role: "user", content: "Echo " + task.input.n }],
    });
    const text = reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
    return text;
  },
};
`;

// The baseline: what a user would write to run the harness by hand. No sandbox, no proxy, no
// recording. Its `@anthropic-ai/sdk` is the single-file copy the workers load (see writeProgram),
// which loads faster than the installed package: the baseline is not slowed by the layout.
const BASELINE_SCRIPT = `import Anthropic from "@anthropic-ai/sdk";
import harness from "./module.mjs";
const [baseURL, tasks, lanes] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
const model = new Anthropic({ baseURL, apiKey: "bench" });
let next = 0;
let correct = 0;
await Promise.all(
  Array.from({ length: lanes }, async () => {
    for (let n = next++; n < tasks; n = next++) {
      const output = await harness.run({ id: "t" + n, input: { n } }, { model, log: () => {}, state: {}, signal: new AbortController().signal });
      if (output === String(n)) correct++;
    }
  }),
);
if (correct !== tasks) throw new Error(\`the baseline script got \${correct}/\${tasks} right\`);
`;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-bench-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "data"); // caches start cold, and nothing lands in ./data
const fake = await startFakeAnthropic({
  respond: (request) => ({
    text: String(/Echo (\d+)/.exec(JSON.stringify(request.body.messages))?.[1] ?? "?"),
    usage: { input_tokens: 12, output_tokens: 2 },
  }),
});
const server = await startEmbeddedPostgres(path.join(scratch, "data"));
try {
  await migrate(server.url);
  process.env.DATABASE_URL = server.url;
  const { db, disconnectDb } = await import("../lib/db/client.ts");
  const { createProject } = await import("../lib/projects/create.ts");
  const { prepareEvaluation, runEvaluation } = await import("../lib/evaluations/run.ts");
  const { compileHarness } = await import("../lib/runner/sandbox/compile.ts");
  const { hostBundle, writeProgram } = await import("../lib/runner/sandbox/host-bundle.ts");

  // The suite and harness, as a user would write them.
  const suiteDir = path.join(scratch, "suite");
  fs.mkdirSync(suiteDir);
  fs.writeFileSync(
    path.join(suiteDir, "suite.json"),
    JSON.stringify({ name: "bench", description: "Echo the number.", mode: "independent", grader: { type: "exact" } }),
  );
  fs.writeFileSync(
    path.join(suiteDir, "tasks.jsonl"),
    Array.from({ length: TASKS }, (_, n) =>
      JSON.stringify({ id: `t${n}`, input: { n }, expected: String(n), split: "search" }),
    ).join("\n") + "\n",
  );
  fs.writeFileSync(path.join(scratch, "harness.ts"), HARNESS);
  const { seedCandidateId } = await createProject({ suiteDir, harnessFile: path.join(scratch, "harness.ts") });

  // Baseline: the same compiled module, called in-process.
  const compiled = await compileHarness(HARNESS);
  if (!compiled.ok) throw new Error("the bench harness does not compile");
  // Laid out as in a worker: the module, and the SDK copy its `@anthropic-ai/sdk` import resolves to.
  const programDir = path.join(scratch, "program");
  const modulePath = path.join(programDir, "module.mjs");
  await writeProgram(programDir, compiled.code, await hostBundle());
  const harness = (await import(pathToFileURL(modulePath).href)).default as {
    run(task: unknown, ctx: unknown): Promise<unknown>;
  };
  fs.writeFileSync(path.join(programDir, "baseline.mjs"), BASELINE_SCRIPT);
  const runBaseline = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const child = spawn(
        process.execPath,
        [path.join(programDir, "baseline.mjs"), fake.url, String(TASKS), String(CONCURRENCY)],
        { stdio: ["ignore", "inherit", "inherit"] },
      );
      child.once("error", reject);
      child.once("exit", (code) =>
        code === 0
          ? resolve(performance.now() - started)
          : reject(new Error(`the baseline script exited with ${code}`)),
      );
    });
  const model = new Anthropic({ baseURL: fake.url, apiKey: "bench" });
  const runReference = async () => {
    const started = performance.now();
    let next = 0;
    let correct = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let n = next++; n < TASKS; n = next++) {
          const output = await harness.run(
            { id: `t${n}`, input: { n } },
            { model, log: () => {}, state: {}, signal: new AbortController().signal },
          );
          if (output === String(n)) correct++;
        }
      }),
    );
    if (correct !== TASKS) throw new Error(`the reference got ${correct}/${TASKS} right`);
    return performance.now() - started;
  };
  await runBaseline(); // warms the page cache and the fake server, not the script: each run is a new process
  await runReference(); // warms up the in-process reference

  // The studio: one evaluation to warm up (JIT, connection pools, compile cache), then the timed one.
  const coldStarted = performance.now();
  const { evaluationId: coldId } = await prepareEvaluation(seedCandidateId, "search");
  const cold = await runEvaluation(coldId, { upstreamUrl: fake.url, apiKey: "bench", concurrency: CONCURRENCY });
  const coldMs = performance.now() - coldStarted;
  if (cold.passed !== TASKS) throw new Error(`the studio's warm-up passed ${cold.passed}/${TASKS}`);

  // Alternate the two sides so a noisy moment on the machine hits both, then report medians.
  const baselineRuns: number[] = [];
  const referenceRuns: number[] = [];
  const studioRuns: number[] = [];
  for (let run = 1; run < RUNS; run++) {
    baselineRuns.push(await runBaseline());
    referenceRuns.push(await runReference());
    const started = performance.now();
    const { evaluationId } = await prepareEvaluation(seedCandidateId, "search", { fresh: true });
    const result = await runEvaluation(evaluationId, {
      upstreamUrl: fake.url,
      apiKey: "bench",
      concurrency: CONCURRENCY,
    });
    studioRuns.push(performance.now() - started);
    if (result.passed !== TASKS) throw new Error(`the studio passed ${result.passed}/${TASKS}`);
  }
  baselineRuns.push(await runBaseline());
  referenceRuns.push(await runReference());

  // The last timed run is the one measured in detail (CPU, profile, trace completeness).
  const profiler = process.env.BENCH_PROFILE ? await startProfile() : null;
  const cpuBefore = systemCpu();
  const pidBefore = Number(fs.readFileSync("/proc/loadavg", "utf8").trim().split(" ").at(-1));
  const procBefore = processCpu();
  const threadsBefore = threadCpu();
  const monotonicStart = process.hrtime.bigint();
  const started = performance.now();
  const { evaluationId } = await prepareEvaluation(seedCandidateId, "search", { fresh: true });
  const summary = await runEvaluation(evaluationId, {
    upstreamUrl: fake.url,
    apiKey: "bench",
    concurrency: CONCURRENCY,
  });
  studioRuns.push(performance.now() - started);
  const studioMs = median(studioRuns);
  const baselineMs = median(baselineRuns);
  const referenceMs = median(referenceRuns);
  // For `perf record -k CLOCK_MONOTONIC` then `perf report --time START,END`: the timed run alone.
  if (process.env.BENCH_DEBUG)
    console.log(`timed run, CLOCK_MONOTONIC: ${Number(monotonicStart) / 1e9},${Number(process.hrtime.bigint()) / 1e9}`);
  if (profiler) console.log(`CPU profile of the studio run: ${await profiler.stop(process.env.BENCH_PROFILE!)}`);
  const cpuAfter = systemCpu();
  const pidAfter = Number(fs.readFileSync("/proc/loadavg", "utf8").trim().split(" ").at(-1));
  const procAfter = processCpu();
  const threadsAfter = threadCpu();
  if (process.env.BENCH_DEBUG) {
    console.log("processes created:", pidAfter - pidBefore);
    const deltas = [...procAfter]
      .map(([pid, v]) => [v.name, v.ticks - (procBefore.get(pid)?.ticks ?? 0)] as const)
      .filter(([, d]) => d > 0)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 10);
    console.log(deltas.map(([name, d]) => `${name}: ${d * 10} ms`).join("\n"));
    console.log(
      "threads of this process:",
      [...threadsAfter]
        .map(([tid, v]) => `${v.name}=${(v.ticks - (threadsBefore.get(tid)?.ticks ?? 0)) * 10}ms`)
        .join(" "),
    );
  }

  const events = await db.traceEvent.count({ where: { taskRun: { evaluationId } } });
  const modelCalls = await db.traceEvent.count({ where: { taskRun: { evaluationId }, kind: "model_call" } });
  const declared = await db.taskRun.aggregate({ where: { evaluationId }, _sum: { eventCount: true } });
  if (summary.passed !== TASKS) throw new Error(`the studio passed ${summary.passed}/${TASKS}`);
  if (modelCalls !== TASKS || events !== declared._sum.eventCount)
    throw new Error(`traces incomplete: ${modelCalls} model calls, ${events} events of ${declared._sum.eventCount}`);

  const ratio = studioMs / baselineMs;
  const rows: [string, string][] = [
    ["tasks", String(TASKS)],
    ["concurrency", `${CONCURRENCY} (both sides)`],
    ["isolation", String(summary.isolation)],
    ["timed runs", `${RUNS} of each side, alternating; medians, with the range in brackets`],
    [
      "baseline, plain Node script",
      `${baselineMs.toFixed(0)} ms [${range(baselineRuns)}]  (${(baselineMs / TASKS).toFixed(2)} ms/task; a fresh \`node baseline.mjs\`, spawn to exit)`,
    ],
    [
      "studio, recorded, cold",
      `${coldMs.toFixed(0)} ms  (${(coldMs / TASKS).toFixed(2)} ms/task; the first evaluation in this process)`,
    ],
    [
      "studio, recorded, warm",
      `${studioMs.toFixed(0)} ms [${range(studioRuns)}]  (${(studioMs / TASKS).toFixed(2)} ms/task)`,
    ],
    [
      "ratio studio / baseline",
      `${ratio.toFixed(2)} warm  (target ≤ 2.0: ${ratio <= 2 ? "met" : "NOT met"}); ${(coldMs / baselineMs).toFixed(2)} cold`,
    ],
    [
      "reference, looped in-process",
      `${referenceMs.toFixed(0)} ms [${range(referenceRuns)}]  (run() in this warm process; studio warm / reference = ${(studioMs / referenceMs).toFixed(2)})`,
    ],
    ["trace events stored", `${events} (${modelCalls} model calls, every task run complete)`],
    [
      "machine CPU busy (last studio run)",
      `${(((cpuAfter.busy - cpuBefore.busy) / (cpuAfter.total - cpuBefore.total)) * 100).toFixed(0)}% of ${os.cpus().length} cores`,
    ],
    ["trace events per second", `${(events / (studioMs / 1000)).toFixed(0)}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join("\n"));
  await disconnectDb();
} finally {
  await server.stop();
  await fake.close();
  fs.rmSync(scratch, { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function range(values: number[]): string {
  return `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`;
}

/** Busy and total jiffies of the whole machine, from /proc/stat (Linux). */
function systemCpu(): { busy: number; total: number } {
  try {
    const fields = fs.readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
    const idle = fields[3] + (fields[4] ?? 0);
    const total = fields.reduce((sum, value) => sum + value, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 1 };
  }
}

function processCpu(): Map<string, { name: string; ticks: number }> {
  const result = new Map<string, { name: string; ticks: number }>();
  for (const pid of fs.readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const name = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      result.set(pid, {
        name: `${name}[${pid}]`,
        ticks: Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]),
      });
    } catch {
      // gone
    }
  }
  return result;
}

/** BENCH_PROFILE=file.cpuprofile: a V8 CPU profile of the studio run alone (open it in Chrome DevTools). */
async function startProfile() {
  const { Session } = await import("node:inspector/promises");
  const session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 200 });
  await session.post("Profiler.start");
  return {
    async stop(file: string) {
      const { profile } = await session.post("Profiler.stop");
      fs.writeFileSync(file, JSON.stringify(profile));
      session.disconnect();
      return file;
    },
  };
}

function threadCpu(): Map<string, { name: string; ticks: number }> {
  const result = new Map<string, { name: string; ticks: number }>();
  for (const tid of fs.readdirSync("/proc/self/task")) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      result.set(tid, {
        name: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
        ticks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // gone
    }
  }
  return result;
}
