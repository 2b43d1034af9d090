// The offline world keeps climbing: five offline iterations of the math and terminal examples
// from the CLI (text-classification has its own, in offline-cli.test.ts), each iteration
// checked on its own: which candidates it wrote, whether each is valid, each one's search score,
// and the best search score after it. One change at a time, so the best rises in three of the
// five iterations, with explorations that score below their parent along the way.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { runCli, studioEnv } from "../helpers/studio.ts";

let admin: pg.Client;
let client: pg.Client;
let dbName: string;
let env: NodeJS.ProcessEnv;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-offline-climb-"));

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  dbName = `studio_offline_climb_${Date.now()}`;
  await admin.query(`create database ${dbName}`);
  const url = new URL(inject("databaseUrl"));
  url.pathname = `/${dbName}`;
  env = studioEnv({ DATABASE_URL: url.toString(), STUDIO_DATA_DIR: dataDir }); // no API key
  client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
});

afterAll(async () => {
  await client?.end();
  await admin.query(`drop database if exists ${dbName} with (force)`);
  await admin.end();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

interface Line {
  iteration: number;
  candidates: { id: string; parents: string[]; valid: boolean; searchScore: number | null }[];
  simulated?: boolean;
}

async function climb(example: string): Promise<{ seed: number; lines: Line[]; projectId: string }> {
  const created = await runCli(["project", "create", "--example", example], env);
  expect(created.code, created.stderr).toBe(0);
  const projectId = created.stdout.trim();
  const optimized = await runCli(
    ["optimize", "--project", projectId, "--iterations", "5", "--offline", "--json"],
    env,
    400_000,
  );
  expect(optimized.code, optimized.stderr).toBe(0);
  const lines: Line[] = optimized.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(lines.map((line) => [line.iteration, line.simulated])).toEqual([1, 2, 3, 4, 5].map((n) => [n, true]));
  const seed = await client.query<{ score: number }>(
    `select e.score from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
     where c."projectId" = $1 and c.origin = 'seed' and e.split = 'search' and e.status = 'done'`,
    [projectId],
  );
  expect(seed.rows).toHaveLength(1);
  return { seed: seed.rows[0].score, lines, projectId };
}

const round = (score: number | null) => (score === null ? null : Math.round(score * 100) / 100);

/** The best search score after each iteration, starting from the seed's. */
function bests(seed: number, lines: Line[]): number[] {
  let best = seed;
  return lines.map((line) => {
    for (const candidate of line.candidates)
      if (candidate.searchScore !== null) best = Math.max(best, candidate.searchScore);
    return round(best)!;
  });
}

/** Each candidate's axis (exploit or explore), as the proposer wrote it. */
async function axesOf(ids: string[]): Promise<string[]> {
  const rows = await client.query<{ id: string; axis: string }>(
    `select id, axis::text from "Candidate" where id = any($1)`,
    [ids],
  );
  const byId = new Map(rows.rows.map((row) => [row.id, row.axis]));
  return ids.map((id) => byId.get(id) ?? "?");
}

/** The ids of an iteration's best-scoring candidates. */
function bestIds(line: Line): string[] {
  const top = Math.max(...line.candidates.map((candidate) => candidate.searchScore ?? 0));
  return line.candidates.filter((candidate) => candidate.searchScore === top).map((candidate) => candidate.id);
}

describe("five offline iterations climb in steps", () => {
  it("math-word-problems: reasoning, then checking each step, then more room for the checked answers", async () => {
    const { seed, lines } = await climb("math-word-problems");
    expect(round(seed)).toBe(0.33);
    for (const line of lines) expect(line.candidates.every((candidate) => candidate.valid)).toBe(true);
    const scores = lines.map((line) => line.candidates.map((candidate) => round(candidate.searchScore)));
    // Each of the first three: the lead fix, the lead fix with a bare number (no room to reason,
    // so only one-operation problems pass: below its parent from iteration 2 on), the lead fix
    // in a fresh harness.
    expect(scores.slice(0, 3)).toEqual([
      [0.75, 0.33, 0.75],
      [0.84, 0.33, 0.84],
      [1, 0.33, 1],
    ]);
    expect(await axesOf(lines[1].candidates.map((candidate) => candidate.id))).toEqual([
      "exploit",
      "explore",
      "explore",
    ]);
    // Nothing left to fix: at most a bare-number exploration, which scores below its parent.
    for (const line of lines.slice(3)) for (const score of scores[line.iteration - 1]) expect(score).toBe(0.33);
    expect(bests(seed, lines)).toEqual([0.75, 0.84, 1, 1, 1]);
    // Each iteration's exploit builds on the previous iteration's best.
    for (const n of [1, 2]) expect(bestIds(lines[n - 1])).toContain(lines[n].candidates[0].parents[0]);
  }, 600_000);

  it("terminal-tasks: the command loop, then one command more or the listing up front, then the other", async () => {
    const { seed, lines } = await climb("terminal-tasks");
    expect(seed).toBe(0);
    for (const line of lines) expect(line.candidates.every((candidate) => candidate.valid)).toBe(true);
    const scores = lines.map((line) => line.candidates.map((candidate) => round(candidate.searchScore)));
    // Log searches pass first (a listing and a grep), then conversions (a look at the CSV
    // first), then script fixes (read it, run it, fix it).
    expect(scores).toEqual([[0.33, 0.33], [0.67, 0.67, 0.67], [1, 1], [], []]);
    expect(bests(seed, lines)).toEqual([0.33, 0.67, 1, 1, 1]);
    for (const n of [1, 2]) expect(bestIds(lines[n - 1])).toContain(lines[n].candidates[0].parents[0]);
  }, 600_000);
});
