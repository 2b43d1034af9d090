// Offline mode from the CLI, as the README shows it: create from an example, score the seed,
// run 5 iterations; every result is marked simulated. Each iteration is checked on its own, one
// change at a time: the first writes three candidates (bare labels, the best; memory alone,
// which scores nothing; bare labels from the template); the second adds the memory to that
// best; the third matches examples on content words; the fourth and fifth write nothing, and
// their transcripts say why (the offline proposer's fixes are spent). At the end the frontier is
// scored on test, and an export of the workspace holds nothing of it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, expect, inject, it } from "vitest";
import { runCli, studioEnv } from "../helpers/studio.ts";

let admin: pg.Client;
let client: pg.Client;
let dbName: string;
let env: NodeJS.ProcessEnv;
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-offline-cli-"));
const EXAMPLE = path.resolve(import.meta.dirname, "../../examples/text-classification");

beforeAll(async () => {
  admin = new pg.Client({ connectionString: inject("databaseUrl") });
  await admin.connect();
  dbName = `studio_offline_cli_${Date.now()}`;
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
  proposer: { filesRead: number; inputTokens: number };
  frontier: string[];
  simulated?: boolean;
}

it("project create --example, eval --offline, optimize --offline: what each iteration did, simulated", async () => {
  const created = await runCli(["project", "create", "--example", "text-classification"], env);
  expect(created.code, created.stderr).toBe(0);
  const projectId = created.stdout.trim();

  const seed = await runCli(["eval", "--project", projectId, "--split", "search", "--offline", "--json"], env, 120_000);
  expect(seed.code, seed.stderr).toBe(0);
  const seedSummary = JSON.parse(seed.stdout);
  expect(seedSummary.simulated).toBe(true);

  const optimized = await runCli(
    ["optimize", "--project", projectId, "--iterations", "5", "--offline", "--json"],
    env,
    400_000,
  );
  expect(optimized.code, optimized.stderr).toBe(0);
  expect(optimized.stderr).toContain("marked simulated");
  const lines: Line[] = optimized.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line));
  expect(lines.map((line) => [line.iteration, line.simulated])).toEqual([
    [1, true],
    [2, true],
    [3, true],
    [4, true],
    [5, true],
  ]);
  // Every iteration read the workspace (README, leaderboard, the base's harness and scores, traces).
  for (const line of lines) expect(line.proposer.filesRead).toBeGreaterThan(3);
  // The offline proposer calls no model: its tokens are its proposals' smoke runs, so 4 and 5 have none.
  expect(lines.map((line) => line.proposer.inputTokens > 0)).toEqual([true, true, true, false, false]);
  for (const line of lines)
    expect(line.candidates.every((candidate) => candidate.valid && candidate.searchScore !== null)).toBe(true);

  // What each iteration wrote, and the best search score after it: a climb in three steps.
  const [first, second, third, fourth, fifth] = lines;
  const scores = (line: Line) => line.candidates.map((candidate) => candidate.searchScore);
  expect(seedSummary.score).toBe(0);
  expect(scores(first)).toEqual([0.26, 0, 0.26]); // bare labels; memory alone (still sentences); bare from the template
  expect(scores(second)).toEqual([0.815, 0.815]); // memory added to the best; the same in a fresh harness
  expect(scores(third)).toEqual([0.87, 0.87]); // examples matched on content words
  expect([fourth.candidates, fifth.candidates]).toEqual([[], []]);
  let best = seedSummary.score as number;
  const bests = lines.map((line) => (best = Math.max(best, ...scores(line).map(Number))));
  expect(bests).toEqual([0.26, 0.815, 0.87, 0.87, 0.87]);

  // Each iteration builds on the one before it.
  const [exploit] = first.candidates;
  expect(second.candidates[0].parents).toEqual([exploit.id]);
  const [refined] = third.candidates;
  // The two candidates of iteration 2 tie; the next builds on either (and the same for 3's).
  const secondIds = second.candidates.map((candidate) => candidate.id);
  expect(secondIds).toContain(refined.parents[0]);
  const thirdIds = third.candidates.map((candidate) => candidate.id).join("|");
  expect(first.frontier).toContain(exploit.id);
  expect(third.frontier).toContain(refined.id);
  expect(fifth.frontier).toEqual(third.frontier);
  const rows = await client.query<{ number: number; status: string; candidates: number; evaluations: number }>(
    `select i.number, i.status::text,
       (select count(*)::int from "Candidate" c where c."iterationId" = i.id) as candidates,
       (select count(*)::int from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
         where c."iterationId" = i.id and e.split = 'search' and e.status = 'done') as evaluations
     from "Iteration" i where i."projectId" = $1 order by i.number`,
    [projectId],
  );
  expect(rows.rows).toEqual([
    { number: 1, status: "done", candidates: 3, evaluations: 3 },
    { number: 2, status: "done", candidates: 2, evaluations: 2 },
    { number: 3, status: "done", candidates: 2, evaluations: 2 },
    { number: 4, status: "done", candidates: 0, evaluations: 0 },
    { number: 5, status: "done", candidates: 0, evaluations: 0 },
  ]);
  const rationale = await client.query<{ rationale: string }>(`select rationale from "Candidate" where id = $1`, [
    refined.id,
  ]);
  expect(rationale.rows[0].rationale).toMatch(
    new RegExp(
      `candidates/${refined.parents[0]}/traces/ticket-\\d+\\.jsonl: the model answered .*, which shares only \``,
    ),
  );
  const notes = await client.query<{ number: number; message: string }>(
    `select i.number, t.body->>'message' as message from "TraceEvent" t join "Iteration" i on i.id = t."iterationId"
     where i."projectId" = $1 and t.kind = 'note' and t.body->>'message' like 'wrote nothing:%' order by i.number`,
    [projectId],
  );
  expect(notes.rows.map((row) => row.number)).toEqual([4, 5]);
  expect(notes.rows[0].message).toMatch(
    new RegExp(
      `^wrote nothing: the traces of candidate (${thirdIds})'s \\d+ failing search tasks show no failure pattern it knows, and every fix it has for this suite \\(learn-examples, content-words, bare-answer\\) is in that harness already$`,
    ),
  );

  // The run ended by scoring the frontier on test; an export of the workspace still holds none of it.
  const tests = await client.query<{ id: string; score: number }>(
    `select e.id, e.score from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
     where c."projectId" = $1 and e.split = 'test' and e.status = 'done'`,
    [projectId],
  );
  expect(tests.rows.length).toBe(fifth.frontier.length);
  const out = path.join(dataDir, "exported");
  const exported = await runCli(["export", "--project", projectId, "--out", out], env);
  expect(exported.code, exported.stderr).toBe(0);
  const tasks = fs
    .readFileSync(path.join(EXAMPLE, "tasks.jsonl"), "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { id: string; input: { text: string }; split: string });
  const searchTexts = tasks.filter((task) => task.split === "search").map((task) => task.input.text);
  const held = tasks.filter((task) => task.split === "test");
  const heldIds = new Set(held.map((task) => task.id));
  expect([...heldIds].every((id) => /^ticket-\d+$/.test(id))).toBe(true);
  const needles = [
    // Test texts that are not also part of a search text.
    ...held.map((task) => task.input.text).filter((text) => !searchTexts.some((search) => search.includes(text))),
    ...tests.rows.flatMap((row) => [row.id, ...(String(row.score).length > 6 ? [String(row.score)] : [])]),
  ];
  expect(needles.length).toBeGreaterThan(100);
  for (const file of fs.readdirSync(out, { recursive: true }).map(String)) {
    const absolute = path.join(out, file);
    if (!fs.statSync(absolute).isFile() || file.startsWith(".studio")) continue;
    const text = fs.readFileSync(absolute, "utf8");
    for (const needle of needles) expect(text.includes(needle), `${file} contains ${needle}`).toBe(false);
    // Task ids in one pass: every ticket id named anywhere must be a search task's.
    const named = [...text.matchAll(/ticket-\d+/g)].map((match) => match[0]);
    expect(
      named.filter((id) => heldIds.has(id)),
      file,
    ).toEqual([]);
  }
  // The search material is there, so the check above can fail.
  const firstTask = tasks.find((task) => task.split === "search")!;
  expect(fs.readFileSync(path.join(out, "tasks", `${firstTask.id}.json`), "utf8")).toContain(firstTask.input.text);
  const trace = path.join(out, "candidates", exploit.id, "traces", `${firstTask.id}.jsonl`);
  expect(fs.readFileSync(trace, "utf8")).toContain(firstTask.input.text);

  const unknown = await runCli(["project", "create", "--example", "no-such-example"], env);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain("Bundled examples: ");
}, 600_000); // five iterations of a 200-task stream take minutes on a small machine
