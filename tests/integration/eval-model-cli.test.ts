// `studio eval --model M` against a fake Anthropic server over real HTTP, with a harness that
// names another model in its code: every call that reaches the server asks for M, each recorded
// model call says which model the harness named and which one it went to, the evaluation records
// M, and the project-model reads (best, frontier, the workspace, the candidate table) leave it out
// while the transfer matrix shows it beside the project model's.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { ownDatabase } from "../helpers/own-database.ts";
import { runCli, studioEnv } from "../helpers/studio.ts";

const PROJECT_MODEL = "claude-sonnet-4-5";
const TRANSFER_MODEL = "claude-haiku-4-5";
const HARD_CODED = "claude-hardcoded-9";
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-eval-model-"));
fs.chmodSync(dir, 0o755);
let fake: FakeAnthropic;
let env: NodeJS.ProcessEnv;
let projectId: string;
let lib: {
  db: typeof import("../../lib/db/client.ts").db;
  disconnectDb: typeof import("../../lib/db/client.ts").disconnectDb;
  bestCandidate: typeof import("../../lib/candidates/standings.ts").bestCandidate;
  projectFrontier: typeof import("../../lib/candidates/standings.ts").projectFrontier;
  loadLatestSearchEvaluations: typeof import("../../lib/workspace/data.ts").loadLatestSearchEvaluations;
  listCandidateTable: typeof import("../../lib/candidates/queries.ts").listCandidateTable;
  transferMatrix: typeof import("../../lib/transfer/matrix.ts").transferMatrix;
};

beforeAll(async () => {
  const databaseUrl = await ownDatabase("studio_eval_model");
  // This process's own reads (lib/db/client.ts connects on first use) go to the same database.
  process.env.DATABASE_URL = databaseUrl;
  lib = {
    ...(await import("../../lib/db/client.ts")),
    ...(await import("../../lib/candidates/standings.ts")),
    ...(await import("../../lib/workspace/data.ts")),
    ...(await import("../../lib/candidates/queries.ts")),
    ...(await import("../../lib/transfer/matrix.ts")),
  };
  // The transfer model answers right and the project's model wrong, so the two scores differ.
  fake = await startFakeAnthropic({
    requireApiKey: "the-real-key",
    respond: (request) => ({
      text: request.body?.model === TRANSFER_MODEL ? "ok" : "no",
      model: String(request.body?.model),
      usage: { input_tokens: 100, output_tokens: 10 },
    }),
  });
  env = studioEnv({ DATABASE_URL: databaseUrl, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: "the-real-key" });

  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "say ok", description: "Say ok.", mode: "independent", grader: { type: "exact" } }),
  );
  fs.writeFileSync(
    path.join(dir, "suite", "tasks.jsonl"),
    [0, 1, 2].map((i) => JSON.stringify({ id: `t${i}`, input: i, expected: "ok", split: "search" })).join("\n"),
  );
  fs.writeFileSync(
    path.join(dir, "harness.ts"),
    `import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(_task: unknown, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: ${JSON.stringify(HARD_CODED)}, max_tokens: 64, messages: [{ role: "user", content: "Say ok." }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};\n`,
  );
  const created = await runCli(
    ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "harness.ts"), "--json"],
    env,
  );
  expect(created.code, created.stderr).toBe(0);
  projectId = JSON.parse(created.stdout).projectId;
  const set = await runCli(["settings", "--project", projectId, "--set", `model=${PROJECT_MODEL}`], env);
  expect(set.code, set.stderr).toBe(0);
}, 240_000);

afterAll(async () => {
  await lib?.disconnectDb();
  await fake?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("studio eval --model", () => {
  it("points every call at the evaluation's model, records the rewrite, and keeps the score out of the search", async () => {
    const own = await runCli(["eval", "--project", projectId, "--concurrency", "1", "--json"], env);
    expect(own.code, own.stderr).toBe(0); // done, even though every answer was wrong
    const ownSummary = JSON.parse(own.stdout);
    expect(ownSummary.model).toBe(PROJECT_MODEL);
    expect(ownSummary.score).toBe(0);
    const callsBefore = fake.requests.length;
    expect(callsBefore).toBe(3);
    expect(fake.requests.map((request) => request.body.model)).toEqual([PROJECT_MODEL, PROJECT_MODEL, PROJECT_MODEL]);

    const transfer = await runCli(
      ["eval", "--project", projectId, "--model", TRANSFER_MODEL, "--concurrency", "1", "--yes", "--json"],
      env,
    );
    expect(transfer.code, transfer.stderr).toBe(0);
    const summary = JSON.parse(transfer.stdout);
    expect(summary.model).toBe(TRANSFER_MODEL);
    expect(summary.score).toBe(1);
    expect(summary.evaluationId).not.toBe(ownSummary.evaluationId);

    // Upstream: every call of the transfer evaluation asked for the transfer model, none for the harness's own.
    const upstream = fake.requests.slice(callsBefore);
    expect(upstream).toHaveLength(3);
    for (const request of upstream) expect(request.body.model).toBe(TRANSFER_MODEL);

    // The evaluation and its trace say so.
    const evaluation = await lib.db.evaluation.findUniqueOrThrow({ where: { id: summary.evaluationId } });
    expect(evaluation.model).toBe(TRANSFER_MODEL);
    const calls = await lib.db.traceEvent.findMany({
      where: { kind: "model_call", taskRun: { evaluationId: summary.evaluationId } },
      select: { genAiRequestModel: true, genAiResponseModel: true, body: true },
    });
    expect(calls).toHaveLength(3);
    for (const call of calls) {
      const body = call.body as { harnessModel?: string; requestModel?: string; request: { body: { model: string } } };
      expect(call.genAiRequestModel).toBe(TRANSFER_MODEL);
      expect(call.genAiResponseModel).toBe(TRANSFER_MODEL);
      expect(body.harnessModel).toBe(HARD_CODED);
      expect(body.request.body.model).toBe(TRANSFER_MODEL);
    }

    // The project-model reads ignore it: the seed's search score is the project model's 0, not 1.
    const best = await lib.bestCandidate(projectId);
    expect(best?.score).toBe(0);
    expect((await lib.projectFrontier(projectId)).map((point) => point.score)).toEqual([0]);
    expect((await lib.loadLatestSearchEvaluations(projectId)).map((row) => row.id)).toEqual([ownSummary.evaluationId]);
    expect((await lib.listCandidateTable(projectId)).map((row) => row.searchScore)).toEqual([0]);

    // The transfer matrix shows both, the project's model first.
    const matrix = await lib.transferMatrix(projectId, "search");
    expect(matrix.models).toEqual([PROJECT_MODEL, TRANSFER_MODEL]);
    expect(matrix.rows).toHaveLength(1);
    expect(matrix.rows[0].cells[PROJECT_MODEL]?.evaluationId).toBe(ownSummary.evaluationId);
    expect(matrix.rows[0].cells[TRANSFER_MODEL]?.evaluationId).toBe(summary.evaluationId);
    expect(matrix.rows[0].cells[TRANSFER_MODEL]?.score).toBe(1);
  }, 240_000);

  it("refuses a model name that is not one, recording nothing", async () => {
    const before = await lib.db.evaluation.count();
    const bad = await runCli(["eval", "--project", projectId, "--model", "not a model", "--json"], env);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("--model must be a model name");
    expect(await lib.db.evaluation.count()).toBe(before);
  });
});
