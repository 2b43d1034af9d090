// `npx studio settings` as a person runs it: the table, --json (the API's shape), --set with
// valid and invalid values (the settings page's words, nothing saved), and clearing with `key=`.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli, studioEnv } from "../helpers/studio.ts";

let databaseUrl: string;
let admin: pg.Client;
let db: pg.Client;
let dbName: string;
let env: NodeJS.ProcessEnv;
let projectId: string;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-settings-cli-"));

const storedSettings = async () =>
  (await db.query(`select settings, model, "proposerCommand" from "Project" where id = $1`, [projectId])).rows[0];

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  dbName = `studio_settings_cli_${Date.now()}`;
  await admin.query(`create database ${dbName}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${dbName}`;
  databaseUrl = url.toString();
  env = studioEnv({ DATABASE_URL: databaseUrl });

  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({
      name: "answers",
      description: "Answer 42.",
      mode: "independent",
      grader: { type: "numeric" },
      timeoutMs: 30_000,
    }),
  );
  fs.writeFileSync(
    path.join(dir, "suite", "tasks.jsonl"),
    [0, 1].map((i) => JSON.stringify({ id: `q${i}`, input: i, expected: 42, split: i ? "test" : "search" })).join("\n"),
  );
  fs.writeFileSync(path.join(dir, "seed.ts"), "export default { async run() { return 42; } };\n");
  const created = await runCli(
    ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "seed.ts"), "--json"],
    env,
  );
  expect(created.code, created.stderr).toBe(0);
  projectId = JSON.parse(created.stdout).projectId;
  db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("studio settings", () => {
  it("reads every setting as a table of key, value and meaning", async () => {
    const read = await runCli(["settings", "--project", projectId], env);
    expect(read.code, read.stderr).toBe(0);
    const lines = read.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^key\s+value\s+meaning$/);
    const row = (key: string) => lines.find((line) => line.startsWith(`${key} `));
    expect(row("candidatesPerIteration")).toMatch(/^candidatesPerIteration\s+3\s+How many new harnesses/);
    expect(row("proposerKind")).toMatch(/\sclaude\s+What writes the next candidates/);
    expect(row("budgets.evaluation.usd")).toMatch(/\s—\s+Dollar limit of each evaluation/);
    expect(row("budgets.project.proposer.tokens")).toMatch(/\s—\s+Token limit of the whole project's proposer/);
    expect(row("confirmAboveUsd")).toMatch(/\s—\s+Ask before an evaluation or optimization.*empty: \$1$/);
    expect(row("timeoutMs")).toMatch(/\s30000 \(30(\.0)? ?s\)\s+Task time limit, from the suite \(read-only\)/);
    // Every budget: 6 scopes, tokens and dollars.
    expect(lines.filter((line) => line.startsWith("budgets.")).length).toBe(12);
  });

  it("sets valid values, saved as the runner reads them, and prints them back", async () => {
    const set = await runCli(
      [
        "settings",
        "--project",
        projectId,
        "--set",
        "budgets.evaluation.usd=5",
        "--set",
        "budgets.iteration.proposer.tokens=200000",
        "--set",
        "confirmAboveUsd=2.5",
        "--set",
        "model=claude-haiku-4-5",
        "--set",
        "proposerContextWindow=100,000",
      ],
      env,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(set.stderr).toContain("Saved 5 changes");
    expect(set.stdout).toMatch(/^budgets\.evaluation\.usd\s+5\s/m);
    expect(set.stdout).toMatch(/^confirmAboveUsd\s+2\.5\s/m);
    const row = await storedSettings();
    expect(row.model).toBe("claude-haiku-4-5");
    expect(row.settings).toEqual({
      budgets: { evaluation: { usd: 5 }, iteration: { proposer: { tokens: 200000 } } },
      confirmAboveUsd: 2.5,
      proposerContextWindow: 100000,
    });
  });

  it("refuses invalid values in the settings page's words and saves nothing", async () => {
    const before = await storedSettings();
    const bad = await runCli(
      [
        "settings",
        "--project",
        projectId,
        "--set",
        "budgets.evaluation.usd=-1",
        "--set",
        "budgets.task.tokens=lots",
        "--set",
        "candidatesPerIteration=50",
        "--set",
        "budgets.weekly.usd=3",
        "--set",
        "budgets.project.proposer.usd=7",
      ],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stdout).toBe("");
    // The API's words (tests/integration/settings-api.test.ts asserts the same ones), under CLI keys.
    expect(bad.stderr).toContain("Some settings are not valid; nothing was saved.");
    expect(bad.stderr).toContain("budgets.evaluation.usd must be more than $0");
    expect(bad.stderr).toContain("budgets.task.tokens must be a number");
    expect(bad.stderr).toContain("candidatesPerIteration must be a whole number from 1 to 20");
    expect(bad.stderr).toContain("budgets.weekly is not a setting the studio knows");
    // All or nothing: the valid change in the same command was not saved either.
    expect(await storedSettings()).toEqual(before);

    const json = await runCli(["settings", "--project", projectId, "--set", "confirmAboveUsd=-2", "--json"], env);
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      error: "Some settings are not valid; nothing was saved.",
      fields: { "settings.confirmAboveUsd": "must be $0 or more" },
    });

    const command = await runCli(["settings", "--project", projectId, "--set", "proposerKind=command"], env);
    expect(command.code).toBe(1);
    expect(command.stderr).toContain("proposerCommand is needed when the proposer is a command");

    const malformed = await runCli(["settings", "--project", projectId, "--set", "budgets.task.tokens"], env);
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('--set needs key=value, not "budgets.task.tokens"');
    const readOnly = await runCli(["settings", "--project", projectId, "--set", "timeoutMs=5"], env);
    expect(readOnly.stderr).toContain("timeoutMs belongs to the task suite");
    const unknown = await runCli(["settings", "--project", "no-such-project"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/no-such-project/);
  });

  it("clears an optional setting with key=, and a required one cannot be cleared", async () => {
    const cleared = await runCli(
      [
        "settings",
        "--project",
        projectId,
        "--set",
        "budgets.iteration.proposer.tokens=",
        "--set",
        "confirmAboveUsd=",
        "--set",
        "proposerContextWindow=",
      ],
      env,
    );
    expect(cleared.code, cleared.stderr).toBe(0);
    expect(cleared.stdout).toMatch(/^budgets\.iteration\.proposer\.tokens\s+—\s/m);
    // The emptied scope is dropped, not stored as {}.
    expect((await storedSettings()).settings).toEqual({ budgets: { evaluation: { usd: 5 } } });

    const required = await runCli(["settings", "--project", projectId, "--set", "model="], env);
    expect(required.code).toBe(1);
    expect(required.stderr).toContain("model must not be empty");
    expect((await storedSettings()).model).toBe("claude-haiku-4-5");
  });

  it("--json prints the settings as GET /api/projects/:id/settings answers them", async () => {
    const json = await runCli(["settings", "--project", projectId, "--json"], env);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      model: "claude-haiku-4-5",
      proposerKind: "claude",
      proposerModel: expect.any(String),
      proposerCommand: null,
      candidatesPerIteration: 3,
      settings: { budgets: { evaluation: { usd: 5 } } },
      timeoutMs: 30_000,
    });
    const set = await runCli(
      [
        "settings",
        "--project",
        projectId,
        "--set",
        "proposerKind=command",
        "--set",
        "proposerCommand=./propose.sh  -v",
        "--json",
      ],
      env,
    );
    expect(set.code, set.stderr).toBe(0);
    expect(JSON.parse(set.stdout)).toMatchObject({ proposerKind: "command", proposerCommand: "./propose.sh  -v" });
    const clear = await runCli(
      ["settings", "--project", projectId, "--set", "proposerKind=claude", "--set", "proposerCommand=", "--json"],
      env,
    );
    expect(JSON.parse(clear.stdout)).toMatchObject({ proposerKind: "claude", proposerCommand: null });
  });

  it("is listed in studio --help", async () => {
    const help = await runCli(["--help"], env);
    expect(help.stdout).toContain("studio settings --project ID [--set key=value ...] [--json]");
  });
});
