// `npx studio project create` and `npx studio eval` as a person runs them, including an
// evaluation killed with SIGKILL midway and resumed: only unfinished tasks run again.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { studioRoot } from "../../lib/paths.ts";
import { runCli, studioEnv } from "../helpers/studio.ts";

let databaseUrl: string;
let admin: pg.Client;
let dbName: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-eval-cli-"));

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  dbName = `studio_eval_cli_${Date.now()}`;
  await admin.query(`create database ${dbName}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${dbName}`;
  databaseUrl = url.toString();

  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({
      name: "slow doubling",
      description: "Double the number.",
      mode: "independent",
      grader: { type: "numeric" },
      timeoutMs: 10_000,
    }),
  );
  const tasks = Array.from({ length: 12 }, (_, i) => ({
    id: `d${i}`,
    input: i,
    expected: 2 * i,
    split: i < 10 ? "search" : "test",
  }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n") + "\n");
  fs.writeFileSync(
    path.join(dir, "harness.ts"),
    `export default { async run(task: { input: number }) { await new Promise((r) => setTimeout(r, 400)); return task.input * 2; } };\n`,
  );
});

afterAll(async () => {
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("studio project create / eval", () => {
  it("creates a project, and resumes an evaluation killed midway without running a finished task twice", async () => {
    const env = studioEnv({ DATABASE_URL: databaseUrl });
    const created = await runCli(
      ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "harness.ts"), "--json"],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { projectId, tasks } = JSON.parse(created.stdout);
    expect(tasks).toEqual({ search: 10, test: 2 });

    const plain = await runCli(
      ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "harness.ts")],
      env,
    );
    expect(plain.stdout.trim()).toMatch(/^[a-z0-9]+$/); // just the id, for scripts

    // First run: killed with SIGKILL once a few task runs are stored.
    const first = spawn(
      process.execPath,
      [path.join(studioRoot, "bin", "studio.js"), "eval", "--project", projectId, "--concurrency", "2", "--json"],
      { cwd: studioRoot, env },
    );
    const db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    const finished = async () =>
      Number((await db.query(`select count(*) from "TaskRun" where status <> 'pending'`)).rows[0].count);
    for (let waited = 0; (await finished()) < 3; waited += 100) {
      if (waited > 30_000) throw new Error("the first evaluation never stored a task run");
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    first.kill("SIGKILL");
    await new Promise((resolve) => first.once("exit", resolve));
    const before = (await db.query(`select id, "finishedAt" from "TaskRun" where status <> 'pending' order by id`))
      .rows;
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.length).toBeLessThan(10);

    // Second run: picks up the same evaluation and runs only what did not finish.
    const second = await runCli(["eval", "--project", projectId, "--json"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain("Resuming evaluation");
    const summary = JSON.parse(second.stdout.trim().split("\n").at(-1)!);
    expect(summary).toMatchObject({ split: "search", tasks: 10, passed: 10, failed: 0, errors: 0, score: 1 });
    for (const key of [
      "evaluationId",
      "candidateId",
      "inputTokens",
      "outputTokens",
      "costUsd",
      "durationMs",
      "isolation",
      "memoryLimit",
    ])
      expect(summary).toHaveProperty(key);
    expect(["cgroup", "rlimit", "poll"]).toContain(summary.memoryLimit);
    // 10 of 10 passed: Wilson's 95% interval is 0.7225 to 1, stored with the evaluation.
    expect(summary.scoreLow).toBeCloseTo(0.7225, 4);
    expect(summary.scoreHigh).toBe(1);

    const evaluations = (await db.query(`select id, status, "passedCount" from "Evaluation"`)).rows;
    expect(evaluations).toEqual([{ id: summary.evaluationId, status: "done", passedCount: 10 }]);
    const runs = (
      await db.query(
        `select count(*)::int as n, count(distinct "taskId")::int as tasks from "TaskRun" where "evaluationId" = $1`,
        [summary.evaluationId],
      )
    ).rows[0];
    expect(runs).toEqual({ n: 10, tasks: 10 });
    const after = (
      await db.query(`select id, "finishedAt" from "TaskRun" where id = any($1::text[]) order by id`, [
        before.map((row) => row.id),
      ])
    ).rows;
    expect(after).toEqual(before); // finished task runs were kept as they were

    // The held-out split on request.
    const test = await runCli(["eval", "--project", projectId, "--split", "test", "--json"], env);
    expect(JSON.parse(test.stdout)).toMatchObject({ split: "test", tasks: 2, passed: 2 });
    await db.end();
  });

  it("reports a suite's problems by file and line, and creates nothing", async () => {
    const broken = path.join(dir, "broken");
    fs.mkdirSync(broken);
    fs.writeFileSync(
      path.join(broken, "suite.json"),
      JSON.stringify({ name: "b", description: "b", mode: "independent", grader: { type: "exact" } }),
    );
    fs.writeFileSync(
      path.join(broken, "tasks.jsonl"),
      '{"id":"a","input":1,"expected":1,"split":"search"}\n{"id":"b","input":1,"expected":1,"split":"dev"}\n{oops\n',
    );
    const result = await runCli(
      ["project", "create", "--suite", broken, "--harness", path.join(dir, "harness.ts")],
      studioEnv({ DATABASE_URL: databaseUrl }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("tasks.jsonl:2:");
    expect(result.stderr).toContain("tasks.jsonl:3:");
  });
});
