// Price overrides and unpriced models, end to end in one process: a fake Anthropic server over
// real HTTP answers as a made-up model that the built-in table does not know; harnesses call it
// through the recording proxy in the sandbox. Without an override every cost is null (unknown,
// never $0) from the trace event up to the evaluation; with one, the evaluation costs exactly the
// override's figure; a dollar budget over an unpriced model refuses before any call.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import type { Prisma } from "../../lib/db/client.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { createProject } from "../../lib/projects/create.ts";
import { prepareEvaluation, runEvaluation } from "../../lib/evaluations/run.ts";
import { deletePrice, listPrices, savePrice } from "../../lib/prices/overrides.ts";
import { StudioError } from "../../lib/errors.ts";
import { projectBudgetReached } from "../../lib/loop/budget.ts";
import { readSettings } from "../../lib/projects/settings.ts";

// Unique to this file: the ModelPrice table is one for the whole database.
const MODEL = `acme-prices-${process.pid}-large-2`;
const FAMILY = `acme-prices-${process.pid}-large`;
const OTHER = `acme-prices-${process.pid}-other`;

let fake: FakeAnthropic;
const folders: string[] = [];
/** Every answer's usage: 1,000 in, 200 out, 5,000 read from the cache, 400 written to it. */
const usage = {
  input_tokens: 1_000,
  output_tokens: 200,
  cache_read_input_tokens: 5_000,
  cache_creation_input_tokens: 400,
};

beforeAll(async () => {
  // Answers as whatever model was asked for, as the real API does.
  fake = await startFakeAnthropic({
    requireApiKey: "the-real-key",
    respond: (request) => ({ text: "ok", usage, model: String(request.body?.model) }),
  });
});
afterAll(async () => {
  await fake?.close();
  await db.modelPrice.deleteMany({ where: { model: { in: [MODEL, FAMILY, OTHER] } } });
  await disconnectDb();
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

/** A harness that makes `calls` calls to `model` per task. */
const harness = (models: string[]) => `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(_task: unknown, ctx: { model: Anthropic }) {
    let text = "";
    for (const model of ${JSON.stringify(models)}) {
      const reply = await ctx.model.messages.create({ model, max_tokens: 64, messages: [{ role: "user", content: "Say ok." }] });
      text = reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
    }
    return text;
  },
};`;

async function project(name: string, models: string[], settings: Prisma.InputJsonObject = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-prices-test-"));
  folders.push(dir);
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name, description: "Say ok.", mode: "independent", grader: { type: "exact" } }),
  );
  const tasks = Array.from({ length: 3 }, (_, i) => ({ id: `t${i}`, input: i, expected: "ok", split: "search" }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), harness(models));
  const created = await createProject({ suiteDir: path.join(dir, "suite"), harnessFile: path.join(dir, "harness.ts") });
  await db.project.update({ where: { id: created.projectId }, data: { settings, model: MODEL } });
  return created;
}

async function evaluate(candidateId: string) {
  const { evaluationId } = await prepareEvaluation(candidateId, "search", { fresh: true });
  return runEvaluation(evaluationId, { upstreamUrl: fake.url, apiKey: "the-real-key", concurrency: 1 });
}

async function stored(evaluationId: string) {
  const [evaluation, runs, events] = await Promise.all([
    db.evaluation.findUniqueOrThrow({ where: { id: evaluationId }, select: { costUsd: true, status: true } }),
    db.taskRun.findMany({ where: { evaluationId }, select: { costUsd: true, status: true, inputTokens: true } }),
    db.traceEvent.findMany({
      where: { taskRun: { evaluationId }, kind: "model_call" },
      select: { costUsd: true, genAiResponseModel: true },
    }),
  ]);
  return { evaluation, runs, events };
}

describe("a model the built-in table does not know", () => {
  it("is unpriced without an override: null cost (never 0) on each call, task run and the evaluation", async () => {
    const { projectId, seedCandidateId } = await project("unpriced", [MODEL], {
      budgets: { evaluation: { tokens: 10_000_000 } },
    });
    const summary = await evaluate(seedCandidateId);
    expect(summary).toMatchObject({ status: "done", passed: 3, costUsd: null, unpriced: true });
    expect(summary.inputTokens).toBe(3 * 6_400); // tokens are still counted, cache included

    const { evaluation, runs, events } = await stored(summary.evaluationId);
    expect(evaluation.costUsd).toBeNull();
    expect(runs.map((run) => [run.status, run.costUsd])).toEqual([
      ["passed", null],
      ["passed", null],
      ["passed", null],
    ]);
    expect(events).toHaveLength(3);
    for (const event of events) expect(event).toEqual({ costUsd: null, genAiResponseModel: MODEL });

    // The loop's dollar budgets never take those runs for $0; token budgets are unaffected.
    const stop = await projectBudgetReached(
      projectId,
      readSettings({ budgets: { project: { evaluation: { usd: 100 } } } }),
    );
    expect(stop).toEqual({
      kind: "budget",
      message: expect.stringMatching(
        /^Project evaluation dollar budget cannot be enforced: earlier runs' model had no price, so what they cost is unknown\. /,
      ),
    });
    expect(
      await projectBudgetReached(
        projectId,
        readSettings({ budgets: { project: { evaluation: { tokens: 10_000_000 } } } }),
      ),
    ).toBeNull();
  });

  it("is priced by an override (its family's prefix), and the evaluation costs exactly the override's figure", async () => {
    const saved = await savePrice({
      model: FAMILY.toUpperCase(), // stored lower-case: ids match whatever case they were typed in
      inputPerMTok: 2,
      outputPerMTok: 10,
      cacheReadPerMTok: 0.2,
      cacheWritePerMTok: 2.5,
    });
    expect(saved).toMatchObject({ model: FAMILY, cacheReadPerMTok: 0.2, replaces: null });
    expect((await listPrices()).overrides.map((row) => row.model)).toContain(FAMILY);

    const { seedCandidateId } = await project("priced", [MODEL]);
    const summary = await evaluate(seedCandidateId);
    // Per call: 1,000 × $2 + 200 × $10 + 5,000 × $0.20 + 400 × $2.50 = $6,000 per million = $0.006.
    const perCall = (1_000 * 2 + 200 * 10 + 5_000 * 0.2 + 400 * 2.5) / 1_000_000;
    expect(summary).toMatchObject({ status: "done", unpriced: false });
    expect(summary.costUsd).toBeCloseTo(3 * perCall, 15);

    const { evaluation, runs, events } = await stored(summary.evaluationId);
    expect(evaluation.costUsd).toBeCloseTo(0.018, 15);
    for (const run of runs) expect(run.costUsd).toBeCloseTo(perCall, 15);
    for (const event of events) expect(event.costUsd).toBeCloseTo(perCall, 15);

    // Cache rates left out: a tenth and 1.25 times the input rate.
    await savePrice({ model: FAMILY, inputPerMTok: 2, outputPerMTok: 10 });
    const defaults = await evaluate(seedCandidateId);
    expect(defaults.costUsd).toBeCloseTo((3 * (1_000 * 2 + 200 * 10 + 5_000 * 0.2 + 400 * 2.5)) / 1_000_000, 15);
    await deletePrice(FAMILY);
  });

  it("refuses to start an evaluation held to a dollar budget, in words, before any call", async () => {
    const { seedCandidateId } = await project("unpriced-dollars", [MODEL], { budgets: { evaluation: { usd: 5 } } });
    const before = fake.requests.length;
    const summary = await evaluate(seedCandidateId);
    expect(fake.requests.length).toBe(before); // nothing went upstream
    const message =
      `Dollar budget cannot be enforced: the model ${MODEL} has no price, and the evaluation budget is in dollars. ` +
      "Add its price on the settings page (Model prices) or with `studio prices --set MODEL input=… output=…`, or use a token budget.";
    expect(summary).toMatchObject({ status: "failed", stop: { kind: "budget", message } });
    const { evaluation, runs } = await stored(summary.evaluationId);
    expect(evaluation.status).toBe("failed");
    // The task runs wait: once a price is added, the same evaluation resumes.
    expect(runs.map((run) => run.status)).toEqual(["pending", "pending", "pending"]);

    await savePrice({ model: MODEL, inputPerMTok: 1, outputPerMTok: 1 });
    const resumed = await runEvaluation(summary.evaluationId, {
      upstreamUrl: fake.url,
      apiKey: "the-real-key",
      concurrency: 1,
    });
    expect(resumed).toMatchObject({ status: "done", passed: 3, unpriced: false });
    expect(resumed.costUsd).toBeCloseTo((3 * (1_000 + 200 + 5_000 * 0.1 + 400 * 1.25)) / 1_000_000, 15);
    await deletePrice(MODEL);
  });

  it("holds a dollar budget when a harness names an unpriced model: the proxy points its calls at the evaluation's", async () => {
    await savePrice({ model: MODEL, inputPerMTok: 1, outputPerMTok: 1 });
    // The project's model is priced; the harness also names an unpriced one in its code.
    const { seedCandidateId } = await project("sneaky", [OTHER, MODEL], { budgets: { evaluation: { usd: 5 } } });
    const before = fake.requests.length;
    const summary = await evaluate(seedCandidateId);
    const upstream = fake.requests.slice(before);
    expect(upstream).toHaveLength(6); // two calls a task, both answered
    for (const request of upstream) expect(request.body.model).toBe(MODEL);
    expect(summary.status).toBe("done");
    expect(summary.unpriced).toBe(false);
    expect(summary.costUsd).toBeGreaterThan(0);
    const { events } = await stored(summary.evaluationId);
    for (const event of events) expect(event.genAiResponseModel).toBe(MODEL);
    await deletePrice(MODEL);
  });
});

describe("validation of an override", () => {
  it("refuses bad input with one sentence per field and saves nothing", async () => {
    const error = await savePrice({
      model: "has space",
      inputPerMTok: -1,
      outputPerMTok: "abc",
      cacheReadPerMTok: 20_000,
      extra: 1,
    }).catch((e) => e);
    expect(error).toBeInstanceOf(StudioError);
    expect(error.message).toBe("This price is not valid; nothing was saved.");
    expect(error.details.fields).toEqual({
      model: expect.stringMatching(/^The model must be an id such as my-model-1/),
      inputPerMTok: "The input price must be $0 or more per million tokens",
      outputPerMTok: "The output price must be a number of dollars per million tokens",
      cacheReadPerMTok: "The cache read price must be at most $10,000 per million tokens",
      extra: "Not a price field: use model, inputPerMTok, outputPerMTok, cacheReadPerMTok, cacheWritePerMTok",
    });
    expect(await db.modelPrice.findUnique({ where: { model: "has space" } })).toBeNull();
    await expect(deletePrice(`${OTHER}-never-set`)).rejects.toThrow(
      `There is no price override for ${OTHER}-never-set.`,
    );
  });
});
