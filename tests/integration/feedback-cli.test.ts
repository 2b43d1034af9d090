// `studio optimize --feedback`: one mode of the feedback ablation from the command line, offline.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli, studioEnv } from "../helpers/studio.ts";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-feedback-cli-"));
fs.chmodSync(dir, 0o755);
const dataDir = path.join(dir, "data");
let admin: pg.Client;
let client: pg.Client;
let dbName: string;
let env: NodeJS.ProcessEnv;
let projectId: string;

/** Every file under `root`, relative, posix. */
function filesUnder(root: string, relative = ""): string[] {
  return fs.readdirSync(path.join(root, relative), { withFileTypes: true }).flatMap((entry) => {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(root, child) : [child];
  });
}

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  dbName = `studio_feedback_cli_${Date.now()}`;
  await admin.query(`create database ${dbName}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${dbName}`;
  env = studioEnv({ DATABASE_URL: url.toString(), STUDIO_DATA_DIR: dataDir }); // no API key: offline
  client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "answers", description: "Answer 42.", mode: "independent", grader: { type: "numeric" } }),
  );
  fs.writeFileSync(
    path.join(dir, "suite", "tasks.jsonl"),
    [0, 1, 2, 3, 4]
      .map((i) => JSON.stringify({ id: `q${i}`, input: i, expected: 42, split: i < 4 ? "search" : "test" }))
      .join("\n"),
  );
  fs.writeFileSync(path.join(dir, "seed.ts"), "export default { async run() { return 41; } };\n");
  const created = await runCli(
    ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "seed.ts")],
    env,
  );
  expect(created.code, created.stderr).toBe(0);
  projectId = created.stdout.trim();
});

afterAll(async () => {
  await client?.end();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("studio optimize --feedback", () => {
  it("refuses an unknown mode with the list of modes and records nothing", async () => {
    const result = await runCli(
      ["optimize", "--project", projectId, "--iterations", "1", "--offline", "--feedback", "vibes"],
      env,
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("--feedback must be one of raw, summary, scores");
    const { rows } = await client.query(`select count(*)::int as n from "Optimization"`);
    expect(rows[0].n).toBe(0);
  });

  it("runs a scores-only optimization: recorded as such, said on stderr and in the JSON, and its workspace has no trace", async () => {
    const result = await runCli(
      ["optimize", "--project", projectId, "--iterations", "1", "--offline", "--feedback", "scores", "--json", "--yes"],
      env,
      300_000,
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain("Feedback: scores only");
    const line = JSON.parse(result.stdout.trim().split("\n")[0]);
    expect(line).toMatchObject({ iteration: 1, feedback: "scores", simulated: true });
    const { rows } = await client.query(`select feedback::text from "Optimization" where "projectId" = $1`, [
      projectId,
    ]);
    expect(rows).toEqual([{ feedback: "scores" }]);

    const workspace = path.join(dataDir, "workspaces", projectId);
    const files = filesUnder(workspace);
    expect(files.some((file) => file.endsWith("/scores.json"))).toBe(true);
    expect(files.filter((file) => file.endsWith(".jsonl"))).toEqual([]);

    // `studio export` lays out the mode of the project's newest optimization: no traces either.
    const out = path.join(dir, "export");
    const exported = await runCli(["export", "--project", projectId, "--out", out], env);
    expect(exported.code, exported.stderr).toBe(0);
    expect(filesUnder(out).filter((file) => file.endsWith(".jsonl"))).toEqual([]);
    expect(fs.readFileSync(path.join(out, "README.md"), "utf8")).toContain("scores only");
  });
});
