// npm run bench:scale [-- --tasks 200 --latency 300 --workers 1,2,4 --slots 2]
// One evaluation spread over job workers: --tasks tasks, each one model call to a fake Anthropic
// server that answers after --latency ms, evaluated with 1, 2 and 4 `studio worker --slots S`
// processes on this machine (each with a data folder of its own, all on one throwaway embedded
// Postgres). Each evaluation is put on the queue as the Run button does, and timed from then to
// its end. Prints the wall time, the speed-up over one worker, task runs per second, and what an
// ideal run (tasks × latency ÷ slots in all) would take, so the overhead shows; also the same
// evaluation run in-process (`studio eval` without --queue) with one worker's slots, for the
// queue's own cost.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn, type ChildProcess } from "node:child_process";
import { parseArgs } from "node:util";
import { startEmbeddedPostgres } from "../lib/db/embedded.ts";
import { migrate } from "../lib/db/migrate.ts";
import { startFakeAnthropic } from "../tests/fakes/anthropic-server.ts";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "200" },
    latency: { type: "string", default: "300" },
    workers: { type: "string", default: "1,2,4" },
    slots: { type: "string", default: "2" },
  },
});
const TASKS = Number(values.tasks);
const LATENCY_MS = Number(values.latency);
const WORKER_COUNTS = values.workers.split(",").map(Number);
const SLOTS = Number(values.slots);
const root = path.resolve(import.meta.dirname, "..");

const HARNESS = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: { n: number } }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 16,
      messages: [{ role: "user", content: "Echo " + task.input.n }],
    });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};
`;

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-bench-scale-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "lead");
process.env.ANTHROPIC_API_KEY = "bench"; // a real (not simulated) evaluation, answered by the fake
const fake = await startFakeAnthropic({
  respond: (request) => ({
    text: String(/Echo (\d+)/.exec(JSON.stringify(request.body.messages))?.[1] ?? "?"),
    usage: { input_tokens: 12, output_tokens: 2 },
    delayMs: LATENCY_MS,
  }),
});
process.env.ANTHROPIC_BASE_URL = fake.url; // every model call of every process goes to the fake
const server = await startEmbeddedPostgres(path.join(scratch, "postgres"));
const children: ChildProcess[] = [];
try {
  await migrate(server.url);
  process.env.DATABASE_URL = server.url;
  const { db, disconnectDb } = await import("../lib/db/client.ts");
  const { createProject } = await import("../lib/projects/create.ts");
  const { prepareEvaluation, runEvaluation } = await import("../lib/evaluations/run.ts");
  const { enqueue, QUEUES, stopQueue } = await import("../lib/jobs/queue.ts");
  const { setSlotCount } = await import("../lib/runner/slots.ts");

  const suiteDir = path.join(scratch, "suite");
  fs.mkdirSync(suiteDir);
  fs.writeFileSync(
    path.join(suiteDir, "suite.json"),
    JSON.stringify({
      name: "bench scale",
      description: "Echo the number.",
      mode: "independent",
      grader: { type: "exact" },
    }),
  );
  fs.writeFileSync(
    path.join(suiteDir, "tasks.jsonl"),
    Array.from({ length: TASKS }, (_, n) =>
      JSON.stringify({ id: `t${n}`, input: { n }, expected: String(n), split: "search" }),
    ).join("\n") + "\n",
  );
  fs.writeFileSync(path.join(scratch, "harness.ts"), HARNESS);
  const { seedCandidateId } = await createProject({
    suiteDir,
    harnessFile: path.join(scratch, "harness.ts"),
  });

  const startWorkers = async (count: number) => {
    const started = Array.from({ length: count }, (_, index) => {
      const child = spawn(process.execPath, [path.join(root, "bin", "studio.js"), "worker", "--slots", String(SLOTS)], {
        cwd: root,
        env: {
          ...process.env,
          STUDIO_DATA_DIR: path.join(scratch, `worker-${count}-${index}`),
          ANTHROPIC_BASE_URL: fake.url,
          ANTHROPIC_API_KEY: "bench",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(child);
      let output = "";
      return new Promise<ChildProcess>((resolve, reject) => {
        child.stdout!.on("data", (chunk) => {
          output += chunk;
          if (output.includes("Job worker ready")) resolve(child);
        });
        child.stderr!.on("data", (chunk) => (output += chunk));
        child.once("exit", (code) => reject(new Error(`a worker exited with ${code}:\n${output}`)));
      });
    });
    return Promise.all(started);
  };
  const stopWorkers = async (workers: ChildProcess[]) => {
    await Promise.all(
      workers.map(
        (child) =>
          new Promise<void>((resolve) => {
            child.removeAllListeners("exit");
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      ),
    );
  };

  /** Enqueues an evaluation as the Run button does; resolves with its wall time once it ended. */
  const timedOnQueue = async () => {
    const started = performance.now();
    const { evaluationId } = await prepareEvaluation(seedCandidateId, "search", { fresh: true });
    await enqueue(QUEUES.evaluate, { evaluationId });
    for (;;) {
      const row = await db.evaluation.findUniqueOrThrow({ where: { id: evaluationId } });
      if (row.status !== "queued" && row.status !== "running") {
        if (row.status !== "done" || row.passedCount !== TASKS)
          throw new Error(`the evaluation ended ${row.status} with ${row.passedCount}/${TASKS} passed: ${row.error}`);
        const workers = await db.taskRun.groupBy({ by: ["workerId"], where: { evaluationId }, _count: true });
        return { ms: performance.now() - started, workers: workers.length };
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  // In-process, one worker's slots: the same evaluation with no queue in between.
  setSlotCount(SLOTS);
  const local = async () => {
    const started = performance.now();
    const { evaluationId } = await prepareEvaluation(seedCandidateId, "search", { fresh: true });
    const summary = await runEvaluation(evaluationId, { concurrency: SLOTS });
    if (summary.passed !== TASKS) throw new Error(`in-process: ${summary.passed}/${TASKS} passed`);
    return performance.now() - started;
  };
  await local(); // warms the compile cache and this process
  const localMs = await local();

  const results: { workers: number; ms: number; used: number }[] = [];
  for (const count of WORKER_COUNTS) {
    const workers = await startWorkers(count);
    await timedOnQueue(); // warm: each worker's compile cache and connections
    const timed = await timedOnQueue();
    results.push({ workers: count, ms: timed.ms, used: timed.workers });
    await stopWorkers(workers);
  }
  await stopQueue();

  const one = results.find((result) => result.workers === 1)?.ms ?? results[0].ms;
  const ideal = (slots: number) => (TASKS * LATENCY_MS) / slots;
  console.log(
    `bench:scale: ${TASKS} tasks, one model call each answered after ${LATENCY_MS} ms, ${SLOTS} slots per worker, ${os.availableParallelism()} cores`,
  );
  console.log(
    `  in-process (no queue), ${SLOTS} slots: ${(localMs / 1000).toFixed(2)} s  (ideal ${(ideal(SLOTS) / 1000).toFixed(2)} s)`,
  );
  for (const result of results)
    console.log(
      `  ${result.workers} worker${result.workers === 1 ? " " : "s"} on the queue: ${(result.ms / 1000).toFixed(2)} s  ` +
        `speed-up ${(one / result.ms).toFixed(2)}×  ${(TASKS / (result.ms / 1000)).toFixed(1)} task runs/s  ` +
        `(ideal ${(ideal(SLOTS * result.workers) / 1000).toFixed(2)} s; task runs taken by ${result.used} of ${result.workers})`,
    );
  await disconnectDb();
} finally {
  for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  await fake.close();
  await server.stop();
  fs.rmSync(scratch, { recursive: true, force: true });
}
