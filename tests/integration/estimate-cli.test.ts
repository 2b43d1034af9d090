// Cost before the spend, from the CLI: `studio eval` and `studio optimize` print the estimate
// made from this project's earlier task runs (seeded here with known costs, per model and per
// split), refuse without a terminal above confirmAboveUsd unless given --yes, and start at once
// below it, offline, or with no history yet.
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
let db: pg.Client;
let dbName: string;
let env: NodeJS.ProcessEnv;
let projectId: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-estimate-cli-"));
const MODEL = "claude-haiku-4-5";
const PROPOSER_MODEL = "claude-opus-4-1";
let ids = 0;
const id = () => `cseed${String(++ids).padStart(20, "0")}`;

/** The CLI on a terminal (a pseudo-terminal from util-linux `script`), answering its question with `answer`. */
function runOnTerminal(args: string[], answer: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, path.join(studioRoot, "bin", "studio.js"), ...args].join(" ");
  return new Promise((resolve) => {
    const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: studioRoot, env });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
      // Answer once the question is on the screen, as a person would.
      if (output.includes("[y/N]") && !child.stdin.writableEnded) child.stdin.end(`${answer}\n`);
    });
    child.on("exit", (code) => resolve({ code, output }));
  });
}

const count = async (table: string) => Number((await db.query(`select count(*) from "${table}"`)).rows[0].count);

/** An earlier evaluation of the seed candidate: one task run per cost, each with a model call to `model`. */
async function seedEvaluation(options: {
  split: "search" | "test";
  model: string;
  costs: number[];
  simulated?: boolean;
  pending?: number;
}) {
  const [candidate] = (await db.query(`select id from "Candidate" where "projectId" = $1 and number = 1`, [projectId]))
    .rows;
  const tasks = (
    await db.query(
      `select t.id from "Task" t join "TaskSuite" s on s.id = t."suiteId" where s."projectId" = $1 and t.split = $2 order by position`,
      [projectId, options.split],
    )
  ).rows;
  const evaluationId = id();
  await db.query(
    `insert into "Evaluation" (id, "candidateId", split, model, status, simulated, "costUsd", "taskCount") values ($1, $2, $3, $4, 'done', $5, $6, $7)`,
    [evaluationId, candidate.id, options.split, options.model, options.simulated ?? false, 0, tasks.length],
  );
  const statuses = [
    ...options.costs.map((_, i) => (i % 3 === 2 ? "error" : "passed")),
    ...Array(options.pending ?? 0).fill("pending"),
  ];
  for (const [i, status] of statuses.entries()) {
    const runId = id();
    const cost = options.costs[i] ?? 0;
    await db.query(
      `insert into "TaskRun" (id, "evaluationId", "taskId", status, "costUsd") values ($1, $2, $3, $4, $5)`,
      [runId, evaluationId, tasks[i % tasks.length].id, status, cost],
    );
    if (status !== "pending")
      await db.query(
        `insert into "TraceEvent" ("taskRunId", seq, kind, gen_ai_request_model, "costUsd") values ($1, 1, 'model_call', $2, $3)`,
        [runId, options.model, cost],
      );
  }
}

async function seedIteration(number: number, kind: string, model: string, costUsd: number, simulated = false) {
  const iterationId = id();
  await db.query(
    `insert into "Iteration" (id, "projectId", number, status, "proposerKind", "costUsd", simulated) values ($1, $2, $3, 'done', $4, $5, $6)`,
    [iterationId, projectId, number, kind, costUsd, simulated],
  );
  await db.query(
    `insert into "TraceEvent" ("iterationId", seq, kind, gen_ai_request_model) values ($1, 1, 'model_call', $2)`,
    [iterationId, model],
  );
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  dbName = `studio_estimate_cli_${Date.now()}`;
  await admin.query(`create database ${dbName}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${dbName}`;
  databaseUrl = url.toString();
  // A model that is never reachable: the seed harness calls none, and nothing may leave the machine.
  env = studioEnv({ DATABASE_URL: databaseUrl, ANTHROPIC_BASE_URL: "http://127.0.0.1:9" });

  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "answers", description: "Answer 42.", mode: "independent", grader: { type: "numeric" } }),
  );
  fs.writeFileSync(
    path.join(dir, "suite", "tasks.jsonl"),
    Array.from({ length: 6 }, (_, i) =>
      JSON.stringify({ id: `q${i}`, input: i, expected: 42, split: i < 4 ? "search" : "test" }),
    ).join("\n"),
  );
  fs.writeFileSync(path.join(dir, "seed.ts"), "export default { async run() { return 42; } };\n");
  const created = await runCli(
    ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "seed.ts"), "--json"],
    env,
  );
  expect(created.code, created.stderr).toBe(0);
  projectId = JSON.parse(created.stdout).projectId;
  const set = await runCli(
    ["settings", "--project", projectId, "--set", `model=${MODEL}`, "--set", `proposerModel=${PROPOSER_MODEL}`],
    env,
  );
  expect(set.code, set.stderr).toBe(0);
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();

  // Search with the project's model: $0.30, $0.50, $0.40 → $0.40 a task (a pending run does not count).
  await seedEvaluation({ split: "search", model: MODEL, costs: [0.3, 0.5, 0.4], pending: 1 });
  // Another model, and a simulated run: neither may move the figure.
  await seedEvaluation({ split: "search", model: "claude-opus-4-1", costs: [5, 5, 5, 5] });
  await seedEvaluation({ split: "search", model: MODEL, costs: [9, 9], simulated: true });
  // Test with the project's model: $0.10 a task.
  await seedEvaluation({ split: "test", model: MODEL, costs: [0.05, 0.15] });
  // The proposer: $0.75 and $1.25 an iteration with its model → $1.00; other kinds and simulated runs do not count.
  await seedIteration(1, "claude", PROPOSER_MODEL, 0.75);
  await seedIteration(2, "claude", PROPOSER_MODEL, 1.25);
  await seedIteration(3, "claude", "claude-haiku-4-5", 40);
  await seedIteration(4, "command", PROPOSER_MODEL, 50);
  await seedIteration(5, "claude", PROPOSER_MODEL, 30, true);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("cost before the spend (CLI)", () => {
  it("estimates a search evaluation from earlier task runs with the same model and split, and refuses without a terminal above $1", async () => {
    const evaluations = await count("Evaluation");
    const refused = await runCli(["eval", "--project", projectId, "--json"], env);
    expect(refused.code).toBe(1);
    // 4 search tasks at $0.40 a task.
    expect(refused.stderr).toContain("Estimated cost: $1.60.");
    expect(refused.stderr).toContain(`$0.40 a task, from 3 earlier search task runs with ${MODEL}`);
    expect(refused.stderr).toContain("above this project's confirmation setting (confirmAboveUsd = $1.00)");
    expect(refused.stderr).toContain("there is no terminal to ask. Add --yes to start the search evaluation anyway.");
    expect(refused.stderr).toContain(`npx studio settings --project ${projectId} --set confirmAboveUsd=`);
    expect(refused.stdout).toBe("");
    // Nothing was recorded, nothing ran.
    expect(await count("Evaluation")).toBe(evaluations);
  });

  it("on a terminal it asks: no leaves nothing behind, yes starts it", async () => {
    const evaluations = await count("Evaluation");
    const no = await runOnTerminal(["eval", "--project", projectId], "n");
    expect(no.code).toBe(1);
    expect(no.output).toContain("Estimated cost: $1.60.");
    expect(no.output).toContain("Start the search evaluation? [y/N]");
    expect(no.output).toContain("Not started: not confirmed.");
    expect(await count("Evaluation")).toBe(evaluations);

    const yes = await runOnTerminal(["eval", "--project", projectId, "--fresh"], "y");
    expect(yes.code, yes.output).toBe(0);
    expect(yes.output).toMatch(/Evaluation \w+ of candidate #\d+ \(search\): done/);
    expect(await count("Evaluation")).toBe(evaluations + 1);
  });

  it("--yes starts it", async () => {
    const evaluations = await count("Evaluation");
    const started = await runCli(["eval", "--project", projectId, "--fresh", "--yes", "--json"], env);
    expect(started.code, started.stderr).toBe(0);
    expect(started.stderr).toContain("Estimated cost: $1.60.");
    expect(started.stderr).toContain("--yes given, so it starts");
    expect(JSON.parse(started.stdout.trim().split("\n").at(-1)!)).toMatchObject({
      split: "search",
      tasks: 4,
      passed: 4,
    });
    expect(await count("Evaluation")).toBe(evaluations + 1);
  });

  it("starts at once below the setting: the test split's own history, and a raised setting", async () => {
    const test = await runCli(["eval", "--project", projectId, "--split", "test", "--json"], env);
    expect(test.code, test.stderr).toBe(0);
    // 2 test tasks at $0.10 a task.
    expect(test.stderr).toContain("Estimated cost: $0.20.");
    expect(test.stderr).toContain(`$0.10 a task, from 2 earlier test task runs with ${MODEL}`);
    expect(test.stderr).not.toContain("confirmation setting");

    const raised = await runCli(["settings", "--project", projectId, "--set", "confirmAboveUsd=2"], env);
    expect(raised.code, raised.stderr).toBe(0);
    const search = await runCli(["eval", "--project", projectId, "--json"], env);
    expect(search.code, search.stderr).toBe(0);
    // The --yes run above made no model call, so it taught the estimate nothing: still $1.60.
    expect(search.stderr).toContain("Estimated cost: $1.60.");
    expect(search.stderr).not.toContain("confirmation setting");
    await runCli(["settings", "--project", projectId, "--set", "confirmAboveUsd="], env);
  });

  it("offline costs nothing and asks nothing; no history says so and asks nothing", async () => {
    const offline = await runCli(["eval", "--project", projectId, "--offline", "--json"], env);
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stderr).toContain("Estimated cost: $0 (offline");

    await runCli(["settings", "--project", projectId, "--set", "model=claude-sonnet-4-5"], env);
    const fresh = await runCli(["eval", "--project", projectId, "--json"], env);
    expect(fresh.code, fresh.stderr).toBe(0);
    expect(fresh.stderr).toContain("Estimated cost: no estimate yet");
    expect(fresh.stderr).toContain("no earlier search task runs with claude-sonnet-4-5");
    await runCli(["settings", "--project", projectId, "--set", `model=${MODEL}`], env);
  });

  it("estimates an optimization: proposer per iteration, its candidates' search evaluations, a frontier test run", async () => {
    const optimizations = await count("Optimization");
    const refused = await runCli(["optimize", "--project", projectId, "--iterations", "2", "--json"], env);
    expect(refused.code).toBe(1);
    // Proposer 2 × $1.00 + 2 × 3 candidates × 4 tasks × $0.40 + 2 test tasks × $0.10 = $11.80.
    expect(refused.stderr).toContain("Estimated cost: $11.80.");
    expect(refused.stderr).toContain(
      "$2.00  the proposer, 2 iterations · $1.00 an iteration, from 2 earlier iterations",
    );
    expect(refused.stderr).toContain("$9.60  search evaluations of 6 new candidates (4 tasks each)");
    expect(refused.stderr).toContain("$0.20  at the end, a new frontier candidate on test (2 tasks)");
    expect(refused.stderr).toContain("Add --yes to start 2 iterations anyway.");
    expect(await count("Optimization")).toBe(optimizations);

    // The command proposer has its own history ($50 an iteration).
    const command = await runCli(
      ["optimize", "--project", projectId, "--iterations", "1", "--proposer", "command", "--proposer-command", "true"],
      env,
    );
    expect(command.code).toBe(1);
    expect(command.stderr).toContain(
      "$50.00  the proposer, 1 iteration · $50.00 an iteration, from 1 earlier iteration",
    );
    expect(await count("Optimization")).toBe(optimizations);
  });
});
