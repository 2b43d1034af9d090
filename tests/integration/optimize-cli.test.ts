// `npx studio optimize`, `instructions` and `cancel` as a person runs them.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { runCli, studioEnv } from "../helpers/studio.ts";
import { probeIsolation } from "../../lib/runner/sandbox/isolation.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-optimize-cli-"));
fs.chmodSync(dir, 0o755);
let admin: pg.Client;
let databaseUrl: string;
let dbName: string;
let fake: FakeAnthropic;
let env: NodeJS.ProcessEnv;
let projectId: string;

beforeAll(async () => {
  fake = await startFakeAnthropic({ respond: () => ({ text: "42" }) });
  admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  dbName = `studio_optimize_cli_${Date.now()}`;
  await admin.query(`create database ${dbName}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${dbName}`;
  databaseUrl = url.toString();
  env = studioEnv({
    DATABASE_URL: databaseUrl,
    ANTHROPIC_BASE_URL: fake.url,
    ANTHROPIC_API_KEY: "k",
    STUDIO_DATA_DIR: path.join(dir, "data"),
  });

  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "answers", description: "Answer 42.", mode: "independent", grader: { type: "numeric" } }),
  );
  fs.writeFileSync(
    path.join(dir, "suite", "tasks.jsonl"),
    [0, 1, 2, 3]
      .map((i) => JSON.stringify({ id: `q${i}`, input: i, expected: 42, split: i < 3 ? "search" : "test" }))
      .join("\n"),
  );
  fs.writeFileSync(path.join(dir, "seed.ts"), "export default { async run() { return 41; } };\n");
  fs.writeFileSync(
    path.join(dir, "proposer.mjs"),
    `import fs from "node:fs"; import path from "node:path";
     const target = path.join(process.env.PROPOSAL_DIR, "ask-the-model"); fs.mkdirSync(target, { recursive: true });
     fs.writeFileSync(path.join(target, "harness.ts"), 'import Anthropic from "@anthropic-ai/sdk";\\nexport default { async run(_t: unknown, ctx: { model: Anthropic }) { const r = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 8, messages: [{ role: "user", content: "answer" }] }); return r.content[0].type === "text" ? r.content[0].text : ""; } };\\n');
     fs.writeFileSync(path.join(target, "proposal.json"), JSON.stringify({ hypothesis: "ask the model", axis: "explore", base: null, rationale: "the seed never asks" }));`,
  );
  const created = await runCli(
    ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "seed.ts"), "--json"],
    env,
  );
  projectId = JSON.parse(created.stdout).projectId;
});

afterAll(async () => {
  await fake.close();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("studio optimize", () => {
  it("prints one JSON line per iteration with the candidates, the proposer's figures and the frontier", async () => {
    const seed = await runCli(["eval", "--project", projectId, "--json"], env);
    expect(JSON.parse(seed.stdout).score).toBe(0);
    const result = await runCli(
      [
        "optimize",
        "--project",
        projectId,
        "--iterations",
        "2",
        "--proposer",
        "command",
        "--proposer-command",
        `node ${path.join(dir, "proposer.mjs")}`,
        "--json",
      ],
      env,
      120_000,
    );
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(2);
    // The offline proposer calls no model; its figures are the smoke runs of its proposals (the proposer's spending).
    expect(lines[0]).toMatchObject({
      iteration: 1,
      proposer: {
        filesRead: expect.any(Number),
        inputTokens: expect.any(Number),
        costUsd: expect.any(Number),
        // The command proposer's sandbox: bubblewrap where it works, else a plain process.
        isolation: (await probeIsolation()).isolation,
      },
    });
    expect(lines[0].proposer.inputTokens).toBeGreaterThan(0);
    expect(lines[0].candidates).toEqual([
      {
        id: expect.any(String),
        number: 2,
        parents: [expect.any(String)],
        valid: true,
        searchScore: 1,
        inputTokens: expect.any(Number),
        outputTokens: expect.any(Number),
      },
    ]);
    // 0 of the few search tasks against all of them is within noise (their 95% intervals overlap), so the
    // selection rule keeps the cheaper of the two alone on the frontier.
    const seedRun = JSON.parse(seed.stdout);
    const perTask = (run: { inputTokens: number; outputTokens: number }) =>
      (run.inputTokens + run.outputTokens) / seedRun.tasks;
    const cheaper =
      perTask(lines[0].candidates[0]) < perTask(seedRun) ? lines[0].candidates[0].id : seedRun.candidateId;
    expect(lines[0].frontier).toEqual([cheaper]);
    // The same proposal again is rejected as a duplicate, with its reason kept.
    expect(lines[1].candidates).toEqual([expect.objectContaining({ valid: false, searchScore: null })]);
  });

  it("refuses bad arguments with a clear error", async () => {
    const result = await runCli(["optimize", "--project", projectId, "--proposer", "command"], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("--proposer-command");
    const unknown = await runCli(["optimize", "--project", projectId, "--proposer", "codex"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("--proposer must be one of claude, claude-code, command, offline.");
  });

  it("says how to install Claude Code when --proposer claude-code finds none, before recording anything", async () => {
    const iterations = new pg.Client({ connectionString: databaseUrl });
    await iterations.connect();
    const countIterations = async () =>
      Number(
        (await iterations.query('select count(*) from "Iteration" where "projectId" = $1', [projectId])).rows[0].count,
      );
    const before = await countIterations();
    const missing = path.join(os.tmpdir(), "no-claude-code-here");
    const result = await runCli(["optimize", "--project", projectId, "--proposer", "claude-code"], {
      ...env,
      STUDIO_CLAUDE_CODE: missing,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${missing} is not an executable file.`);
    expect(result.stderr).toContain("npm install -g @anthropic-ai/claude-code");
    expect(await countIterations()).toBe(before);
    await iterations.end();
  });
});

describe("studio instructions", () => {
  it("shows the defaults, saves an edit as a new version, and lists the versions with their iterations", async () => {
    const shown = await runCli(["instructions", "--project", projectId], env);
    expect(shown.stdout).toContain("harness");
    fs.writeFileSync(path.join(dir, "skill.md"), "Read the failing traces first.\n");
    const saved = await runCli(
      ["instructions", "--project", projectId, "--set", path.join(dir, "skill.md"), "--note", "shorter"],
      env,
    );
    expect(saved.stdout).toContain("version 2");
    const history = await runCli(["instructions", "--project", projectId, "--history"], env);
    expect(history.stdout).toMatch(/v2 .* 0 iteration\(s\) +shorter/);
    expect(history.stdout).toMatch(/v1 .* 2 iteration\(s\)/);
  });
});

describe("studio cancel", () => {
  it("asks running work to stop, and closes an optimization no worker has taken yet", async () => {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(
      `insert into "Optimization" (id, "projectId", "iterationsRequested", status) values ('opt-running', $1, 5, 'running'), ('opt-queued', $1, 5, 'queued')`,
      [projectId],
    );
    const result = await runCli(["cancel", "--project", projectId], env);
    expect(result.stdout).toContain("Asked 2 optimization(s)");
    const rows = await client.query(
      `select id, status, "stopReason", "cancelRequested", "finishedAt" is not null as finished from "Optimization" where id like 'opt-%' order by id`,
    );
    expect(rows.rows).toEqual([
      { id: "opt-queued", status: "cancelled", stopReason: "cancelled", cancelRequested: true, finished: true },
      { id: "opt-running", status: "running", stopReason: null, cancelRequested: true, finished: false },
    ]);
    await client.end();
  });
});
