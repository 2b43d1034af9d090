// The lineage tree's one query (lib/candidates/tree.ts) against the real Postgres: each
// candidate's iteration (a person's edit in the iteration before it), its parents (several for
// one), its newest finished search score, the frontier and the best by the shared rules, and a
// rejected proposal with its reason. Also the route that serves it, packed.
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { candidateTree, type TreeNode } from "../../lib/candidates/tree.ts";
import { unpackRows, type Packed } from "../../lib/candidates/packed.ts";
import { GET } from "../../app/api/projects/[id]/tree/route.ts";

afterAll(disconnectDb);

const id = (name: string) => `${name}${crypto.randomBytes(6).toString("hex")}`;
let projectId: string;
const ids: Record<number, string> = {};
const T0 = Date.parse("2026-01-01T00:00:00Z");
const at = (minutes: number) => new Date(T0 + minutes * 60_000);

beforeAll(async () => {
  const project = await db.project.create({
    data: { id: id("p"), name: "lineage", suite: { create: { name: "triage", grader: { type: "exact" } } } },
  });
  projectId = project.id;
  const iterations: Record<number, string> = {};
  for (const number of [1, 2]) {
    const row = await db.iteration.create({
      data: { projectId, number, status: "done", proposerKind: "offline", createdAt: at(number * 10) },
    });
    iterations[number] = row.id;
  }
  // number, iteration that made it (null: seed or person), status, parents, created at (minutes)
  const rows = [
    { number: 1, iteration: null, origin: "seed", status: "valid", parents: [], minute: 0 },
    { number: 2, iteration: 1, origin: "proposer", status: "valid", parents: [1], minute: 11 },
    { number: 3, iteration: 1, origin: "proposer", status: "rejected", parents: [1], minute: 12 },
    { number: 4, iteration: null, origin: "person", status: "valid", parents: [2], minute: 15 },
    { number: 5, iteration: 2, origin: "proposer", status: "valid", parents: [2, 4], minute: 21 },
    { number: 6, iteration: 2, origin: "proposer", status: "pending", parents: [5], minute: 22 },
  ] as const;
  for (const row of rows) {
    const candidate = await db.candidate.create({
      data: {
        projectId,
        number: row.number,
        source: `// #${row.number}`,
        sha256: `sha${row.number}`,
        origin: row.origin,
        status: row.status,
        iterationId: row.iteration ? iterations[row.iteration] : null,
        iterationNumber: row.iteration,
        hypothesis:
          row.number === 1
            ? null
            : row.number === 6
              ? `${"word ".repeat(40)}\nmore`
              : `Hypothesis ${row.number}\nmore detail`,
        rationale: row.number === 1 ? "The seed, as written by people." : null,
        rejectReason: row.status === "rejected" ? "It does not compile: harness.ts(3,1) ';' expected." : null,
        createdAt: at(row.minute),
        parents: { create: row.parents.map((parent) => ({ parentId: ids[parent] })) },
      },
    });
    ids[row.number] = candidate.id;
  }
  // Search scores (tokens per task): #1 0.4 (100), #2 0.6 (300), #4 0.6 (200), #5 0.8 (500).
  // #2 had an older, better evaluation: the newest finished one counts. #5's test score is not a search score.
  const evaluations = [
    { number: 1, split: "search", score: 0.4, tokens: 100, minute: 5 },
    { number: 2, split: "search", score: 0.9, tokens: 300, minute: 12 },
    { number: 2, split: "search", score: 0.6, tokens: 300, minute: 13 },
    { number: 4, split: "search", score: 0.6, tokens: 200, minute: 16 },
    { number: 5, split: "search", score: 0.8, tokens: 500, minute: 23 },
    { number: 5, split: "test", score: 0.1, tokens: 500, minute: 24 },
  ] as const;
  const { model } = await db.project.findUniqueOrThrow({ where: { id: projectId }, select: { model: true } });
  for (const evaluation of evaluations)
    await db.evaluation.create({
      data: {
        candidateId: ids[evaluation.number],
        model,
        split: evaluation.split,
        status: "done",
        score: evaluation.score,
        inputTokens: evaluation.tokens,
        taskCount: 1,
        finishedAt: at(evaluation.minute),
      },
    });
});

describe("candidateTree", () => {
  let tree: TreeNode[];
  beforeAll(async () => {
    tree = await candidateTree(projectId);
  });
  const node = (number: number) => tree.find((row) => row.number === number)!;

  it("reads every candidate, rejected ones too, by number, with its iteration and parents", () => {
    expect(tree.map((row) => [row.number, row.iteration, row.status, row.parents])).toEqual([
      [1, 0, "valid", []],
      [2, 1, "valid", [1]],
      [3, 1, "rejected", [1]],
      // A person's edit belongs to the last iteration before it.
      [4, 1, "valid", [2]],
      [5, 2, "valid", [2, 4]],
      [6, 2, "pending", [5]],
    ]);
    expect(tree.map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6].map((number) => ids[number]));
  });

  it("gives each its newest finished search score, none to those without", () => {
    expect(tree.map((row) => row.score)).toEqual([0.4, 0.6, null, 0.6, 0.8, null]);
  });

  it("marks the frontier and the best by the shared rules", () => {
    // #2 (0.6 at 300 tokens) is dominated by #4 (0.6 at 200).
    expect(tree.filter((row) => row.frontier).map((row) => row.number)).toEqual([1, 4, 5]);
    expect(tree.filter((row) => row.best).map((row) => row.number)).toEqual([5]);
  });

  it("gives the hypothesis's first line (the rationale's without one), and a rejected proposal's reason", () => {
    expect(node(1).summary).toBe("The seed, as written by people.");
    expect(node(5).summary).toBe("Hypothesis 5");
    // Cut, and saying so: the candidate page has the whole text.
    expect(node(6).summary).toBe(`${"word ".repeat(20).trimEnd()}…`);
    expect(node(3).reason).toBe("It does not compile: harness.ts(3,1) ';' expected.");
    expect(tree.filter((row) => row.reason != null).map((row) => row.number)).toEqual([3]);
  });

  it("refuses an unknown project", async () => {
    await expect(candidateTree("no-such-project")).rejects.toThrow("No project no-such-project.");
  });
});

describe("GET /api/projects/<id>/tree", () => {
  const get = (project: string) =>
    GET(new Request(`http://localhost/api/projects/${project}/tree`), { params: Promise.resolve({ id: project }) });

  it("answers the tree packed as columns, and 404 for an unknown project", async () => {
    const response = await get(projectId);
    expect(response.status).toBe(200);
    const rows = unpackRows((await response.json()) as Packed<TreeNode>);
    expect(rows.map((row) => row.number)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows.find((row) => row.number === 5)).toMatchObject({ best: true, frontier: true, parents: [2, 4] });
    expect((await get("no-such-project")).status).toBe(404);
  });
});
