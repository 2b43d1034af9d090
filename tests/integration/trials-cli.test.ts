// `studio eval --trials 3` as a person runs it: three task runs per task, each with its own
// trace, a task scored by its mean over them, and the score's interval over those means. And
// the `trials` setting (`studio settings --set trials=2`) as the default when no flag is given.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, studioEnv } from "../helpers/studio.ts";
import { ownDatabase } from "../helpers/own-database.ts";

let databaseUrl: string;
let db: pg.Client;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-trials-cli-"));

beforeAll(async () => {
  databaseUrl = await ownDatabase("studio_trials_cli");
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({
      name: "flaky doubling",
      description: "Double the number.",
      mode: "independent",
      grader: { type: "numeric" },
      timeoutMs: 10_000,
    }),
  );
  const tasks = Array.from({ length: 6 }, (_, i) => ({ id: `d${i}`, input: i, expected: 2 * i, split: "search" }));
  tasks.push({ id: "t0", input: 9, expected: 18, split: "test" });
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n") + "\n");
  // A flaky harness: each run answers right about half the time, and logs which way it went.
  fs.writeFileSync(
    path.join(dir, "harness.ts"),
    `export default { async run(task: { input: number }, ctx: { log: (...a: unknown[]) => void }) {
  const right = Math.random() < 0.5;
  ctx.log(right ? "answering right" : "answering wrong");
  return right ? task.input * 2 : -1;
} };\n`,
  );
});

afterAll(async () => {
  await db?.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("studio eval --trials", () => {
  it("stores three task runs per task, each with its own trace, and scores each task by their mean", async () => {
    const env = studioEnv({ DATABASE_URL: databaseUrl });
    const created = await runCli(
      ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "harness.ts"), "--json"],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { projectId } = JSON.parse(created.stdout);

    const refused = await runCli(["eval", "--project", projectId, "--trials", "0", "--yes"], env);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("--trials must be a whole number from 1 to 20");

    const run = await runCli(["eval", "--project", projectId, "--trials", "3", "--yes", "--json"], env, 120_000);
    expect(run.code, run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
    expect(summary).toMatchObject({ status: "done", tasks: 6, trials: 3 });

    const runs = await db.query<{ id: string; key: string; trial: number; score: number; events: number }>(
      `select r.id, t.key, r.trial, r.score, (select count(*)::int from "TraceEvent" e where e."taskRunId" = r.id) as events
       from "TaskRun" r join "Task" t on t.id = r."taskId" where r."evaluationId" = $1 order by t.position, r.trial`,
      [summary.evaluationId],
    );
    expect(runs.rows).toHaveLength(18);
    const byTask = new Map<string, typeof runs.rows>();
    for (const row of runs.rows) byTask.set(row.key, [...(byTask.get(row.key) ?? []), row]);
    expect([...byTask.keys()]).toEqual(["d0", "d1", "d2", "d3", "d4", "d5"]);
    for (const trials of byTask.values()) expect(trials.map((row) => row.trial)).toEqual([1, 2, 3]);
    // Each trial has a trace of its own, with its own log line.
    expect(runs.rows.every((row) => row.events > 0)).toBe(true);
    const logs = await db.query<{ taskRunId: string }>(
      `select distinct e."taskRunId" from "TraceEvent" e join "TaskRun" r on r.id = e."taskRunId"
       where r."evaluationId" = $1 and e.kind = 'log'`,
      [summary.evaluationId],
    );
    expect(logs.rows).toHaveLength(18);

    // The score is the mean over tasks of each task's mean over its trials.
    const means = [...byTask.values()].map((trials) => trials.reduce((sum, row) => sum + row.score, 0) / 3);
    expect(summary.score).toBeCloseTo(means.reduce((a, b) => a + b, 0) / means.length, 10);
    expect(summary.passed + summary.failed + summary.errors).toBe(18);
    // And it carries a 95% interval around it.
    expect(summary.scoreLow).toBeTypeOf("number");
    expect(summary.scoreHigh).toBeTypeOf("number");
    expect(summary.scoreLow).toBeLessThanOrEqual(summary.score);
    expect(summary.scoreHigh).toBeGreaterThanOrEqual(summary.score);
    // Some task mean is 1/3 or 2/3 unless the coin was very one-sided: then the bootstrap is used,
    // which is never wider than [0, 1] and (with 6 tasks) never a point.
    if (means.some((mean) => mean > 0 && mean < 1)) expect(summary.scoreHigh - summary.scoreLow).toBeGreaterThan(0);
  }, 180_000);

  it("takes the trials setting when no flag is given", async () => {
    const env = studioEnv({ DATABASE_URL: databaseUrl });
    const { rows } = await db.query<{ id: string }>(`select id from "Project" order by "createdAt" desc limit 1`);
    const projectId = rows[0].id;
    const set = await runCli(["settings", "--project", projectId, "--set", "trials=2", "--set", "testTrials=4"], env);
    expect(set.code, set.stderr).toBe(0);
    const bad = await runCli(["settings", "--project", projectId, "--set", "trials=21"], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("trials");

    const search = await runCli(["eval", "--project", projectId, "--fresh", "--yes", "--json"], env, 120_000);
    expect(search.code, search.stderr).toBe(0);
    const searchSummary = JSON.parse(search.stdout.trim().split("\n").at(-1)!);
    expect(searchSummary.trials).toBe(2);
    const test = await runCli(["eval", "--project", projectId, "--split", "test", "--yes", "--json"], env, 120_000);
    expect(test.code, test.stderr).toBe(0);
    const testSummary = JSON.parse(test.stdout.trim().split("\n").at(-1)!);
    expect(testSummary.trials).toBe(4);
    const counted = await db.query<{ evaluationId: string; runs: number }>(
      `select "evaluationId", count(*)::int as runs from "TaskRun" where "evaluationId" in ($1, $2) group by 1`,
      [searchSummary.evaluationId, testSummary.evaluationId],
    );
    expect(Object.fromEntries(counted.rows.map((row) => [row.evaluationId, row.runs]))).toEqual({
      [searchSummary.evaluationId]: 12,
      [testSummary.evaluationId]: 4,
    });
  }, 240_000);
});
