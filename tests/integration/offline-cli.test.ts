// Offline mode from the CLI, as the README shows it: create from an example, score the seed,
// run 3 iterations; every result is marked simulated and the search score rises 15+ points.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { runCli, studioEnv } from "../helpers/studio.ts";

let admin: pg.Client;
let dbName: string;
let env: NodeJS.ProcessEnv;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-offline-cli-"));

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  dbName = `studio_offline_cli_${Date.now()}`;
  await admin.query(`create database ${dbName}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${dbName}`;
  env = studioEnv({ DATABASE_URL: url.toString(), STUDIO_DATA_DIR: dataDir }); // no API key
});

afterAll(async () => {
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it("project create --example, eval --offline, optimize --offline: simulated, and the score rises", async () => {
  const created = await runCli(["project", "create", "--example", "text-classification"], env);
  expect(created.code, created.stderr).toBe(0);
  const projectId = created.stdout.trim();

  const seed = await runCli(["eval", "--project", projectId, "--split", "search", "--offline", "--json"], env, 120_000);
  expect(seed.code, seed.stderr).toBe(0);
  const seedSummary = JSON.parse(seed.stdout);
  expect(seedSummary.simulated).toBe(true);

  const optimized = await runCli(
    ["optimize", "--project", projectId, "--iterations", "3", "--offline", "--json"],
    env,
    240_000,
  );
  expect(optimized.code, optimized.stderr).toBe(0);
  expect(optimized.stderr).toContain("marked simulated");
  const lines = optimized.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(lines).toHaveLength(3);
  expect(lines.every((line) => line.simulated === true)).toBe(true);
  const best = Math.max(
    ...lines.flatMap((line) =>
      line.candidates.map((candidate: { searchScore: number | null }) => candidate.searchScore ?? 0),
    ),
  );
  expect(best - seedSummary.score).toBeGreaterThanOrEqual(0.15);

  const unknown = await runCli(["project", "create", "--example", "no-such-example"], env);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain("Bundled examples: ");
});
