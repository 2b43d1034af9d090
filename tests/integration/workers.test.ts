// A job worker's slots are shared by every job it takes, and `studio workers` shows who is up.
// A real `studio worker --slots 2` process takes two evaluations (each project asking for 4 lanes):
// at no moment do more than 2 of their task runs run, and 2 do run at once. While they run the
// worker's row says so (busy, the work it holds); stopped, it is gone from `studio workers`.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ownDatabase } from "../helpers/own-database.ts";
import { mostAtOnce } from "../helpers/overlap.ts";
import { runCli, studioEnv } from "../helpers/studio.ts";
import { db, disconnectDb } from "../../lib/db/client.ts";
import { studioRoot } from "../../lib/paths.ts";
import { createProject } from "../../lib/projects/create.ts";
import { startEvaluation } from "../../lib/evaluations/candidate.ts";
import { liveWorkers, type LiveWorker } from "../../lib/jobs/workers.ts";

const TASKS = 4;
const TASK_MS = 2_500; // long enough for a heartbeat (every 5 s) to see every slot busy
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-workers-"));
fs.chmodSync(scratch, 0o755);
let databaseUrl: string;
let worker: ChildProcess | undefined;
let workerOutput = "";

beforeAll(async () => {
  databaseUrl = await ownDatabase("workers");
  process.env.DATABASE_URL = databaseUrl;
  process.env.STUDIO_DATA_DIR = path.join(scratch, "data");
});

afterAll(async () => {
  worker?.kill("SIGKILL");
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function newProject(name: string) {
  const dir = fs.mkdtempSync(path.join(scratch, "project-"));
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name, description: "Double it, slowly.", mode: "independent", grader: { type: "numeric" } }),
  );
  const tasks = Array.from({ length: TASKS + 1 }, (_, i) => ({
    id: `d${i}`,
    input: i,
    expected: 2 * i,
    split: i < TASKS ? "search" : "test",
  }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(
    path.join(dir, "harness.ts"),
    `export default { async run(task: { input: number }) { await new Promise((r) => setTimeout(r, ${TASK_MS})); return task.input * 2; } };\n`,
  );
  const created = await createProject({ suiteDir: path.join(dir, "suite"), harnessFile: path.join(dir, "harness.ts") });
  await db.project.update({ where: { id: created.projectId }, data: { settings: { concurrency: TASKS } } });
  return created;
}

async function waitFor<T>(what: string, check: () => Promise<T | null | undefined | false>, timeoutMs = 90_000) {
  for (const started = Date.now(); ;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}\n${workerOutput}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("studio worker --slots", () => {
  it("shares its slots between the jobs it takes, and shows itself in studio workers while it is up", async () => {
    const env = studioEnv({ DATABASE_URL: databaseUrl, STUDIO_DATA_DIR: path.join(scratch, "data") });
    const none = await runCli(["workers"], env);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).toContain("No job worker is up");

    worker = spawn(process.execPath, [path.join(studioRoot, "bin", "studio.js"), "worker", "--slots", "2"], {
      cwd: studioRoot,
      env,
    });
    worker.stdout!.on("data", (chunk) => (workerOutput += chunk));
    worker.stderr!.on("data", (chunk) => (workerOutput += chunk));
    await waitFor("the worker to be ready", async () => workerOutput.includes("Job worker ready: 2 slots."));

    const idle = await runCli(["workers", "--json"], env);
    expect(idle.code, idle.stderr).toBe(0);
    const [listed] = JSON.parse(idle.stdout) as LiveWorker[];
    expect(listed).toMatchObject({ host: os.hostname(), pid: worker.pid, slots: 2, busy: 0, work: [] });

    const [a, b] = [await newProject("slots a"), await newProject("slots b")];
    const started = [
      await startEvaluation(a.projectId, a.seedCandidateId, "search"),
      await startEvaluation(b.projectId, b.seedCandidateId, "search"),
    ];

    // While both run, the worker's row holds both and its slots are full.
    const busy = await waitFor("both evaluations on the worker, every slot busy", async () => {
      const [live] = await liveWorkers();
      return live && live.work.length === 2 && live.busy === 2 ? live : null;
    });
    expect(busy.work.map((work) => [work.kind, work.what, work.projectName]).sort()).toEqual([
      ["evaluation", "#1 on search", "slots a"],
      ["evaluation", "#1 on search", "slots b"],
    ]);
    const text = await runCli(["workers"], env);
    expect(text.stdout).toContain("1 worker up");
    // One of the two may have finished by now (their task runs take turns in queue order).
    expect(text.stdout).toMatch(/evaluation \(#1 on search\) in slots [ab]/);

    await waitFor("both evaluations to finish", async () => {
      const rows = await db.evaluation.findMany({ where: { id: { in: started.map((s) => s.evaluationId) } } });
      return rows.every((row) => row.status === "done" || row.status === "failed");
    });
    const evaluations = await db.evaluation.findMany({
      where: { id: { in: started.map((s) => s.evaluationId) } },
      include: { taskRuns: { select: { status: true, workerId: true, startedAt: true, finishedAt: true } } },
    });
    for (const evaluation of evaluations) {
      expect(evaluation.status, workerOutput).toBe("done");
      expect(evaluation.taskRuns.map((run) => run.status)).toEqual(Array(TASKS).fill("passed"));
      // Each of its task runs was a job this worker took off the queue.
      expect(new Set(evaluation.taskRuns.map((run) => run.workerId))).toEqual(
        new Set([`${os.hostname()}:${worker.pid}`]),
      );
    }
    // The worker ran 2 task runs at a time over both evaluations: never more, and 2 at once.
    expect(mostAtOnce(evaluations.flatMap((evaluation) => evaluation.taskRuns))).toBe(2);

    worker.kill("SIGTERM");
    await waitFor("the worker to stop", async () => worker!.exitCode !== null || worker!.signalCode !== null);
    expect(await liveWorkers()).toEqual([]);
    const after = await runCli(["workers"], env);
    expect(after.stdout).toContain("No job worker is up");
  });

  it("refuses a slot count that is not a whole number from 1 to 256", async () => {
    const result = await runCli(["worker", "--slots", "0"], studioEnv({ DATABASE_URL: databaseUrl }));
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("--slots must be a whole number from 1 to 256");
  });
});
