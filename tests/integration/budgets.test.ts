// Budgets that hold while an evaluation runs: a fake Anthropic server over real HTTP reports
// costly usage (priced by the built-in table), the harnesses call it through the recording proxy
// in the sandbox, and the evaluation stops at the call after a budget is spent, with the stop
// stored in words. Each task makes two calls, so the refused call lands inside a task.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import type { Prisma } from "../../lib/db/client.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { createProject } from "../../lib/projects/create.ts";
import { prepareEvaluation, runEvaluation } from "../../lib/evaluations/run.ts";
import { costUsd } from "../../lib/runner/proxy/prices.ts";

let fake: FakeAnthropic;
const folders: string[] = [];

/** What every answer reports: on claude-haiku-4-5 ($1 in, $5 out, cache reads $0.10), exactly $0.05 without cache. */
let usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number } = {
  input_tokens: 40_000,
  output_tokens: 2_000,
};

beforeAll(async () => {
  fake = await startFakeAnthropic({ requireApiKey: "the-real-key", respond: () => ({ text: "ok", usage }) });
});
afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

const harness = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(_task: unknown, ctx: { model: Anthropic }) {
    const ask = () => ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "Say ok." }] });
    await ask();
    const reply = await ask();
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};`;

async function project(name: string, settings: Prisma.InputJsonObject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-budget-test-"));
  folders.push(dir);
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name, description: "Costly answers.", mode: "independent", grader: { type: "exact" } }),
  );
  const tasks = Array.from({ length: 6 }, (_, i) => ({ id: `t${i}`, input: i, expected: "ok", split: "search" }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), harness);
  const created = await createProject({ suiteDir: path.join(dir, "suite"), harnessFile: path.join(dir, "harness.ts") });
  // The harness's own model: every call goes to the project's, and the costs below are Haiku's.
  await db.project.update({ where: { id: created.projectId }, data: { settings, model: "claude-haiku-4-5" } });
  return created;
}

async function evaluate(candidateId: string) {
  const { evaluationId } = await prepareEvaluation(candidateId, "search", { fresh: true });
  return runEvaluation(evaluationId, { upstreamUrl: fake.url, apiKey: "the-real-key", concurrency: 1 });
}

async function runs(evaluationId: string) {
  const rows = await db.taskRun.findMany({
    where: { evaluationId },
    select: { status: true, errorMessage: true, costUsd: true, inputTokens: true, task: { select: { key: true } } },
    orderBy: { task: { position: "asc" } },
  });
  return rows.map((row) => ({ key: row.task.key, ...row }));
}

describe("a dollar budget per evaluation", () => {
  it("refuses the call after the budget is spent and stops the evaluation there, within one task's cost", async () => {
    usage = { input_tokens: 40_000, output_tokens: 2_000 };
    const perCall = costUsd("claude-haiku-4-5", usage).usd;
    expect(perCall).toBeCloseTo(0.05, 12);
    const { seedCandidateId } = await project("dollars", { budgets: { evaluation: { usd: 0.22 } } });
    const before = fake.requests.length;
    const summary = await evaluate(seedCandidateId);

    // t0 and t1 spend $0.20; t2's first call goes at $0.20 (under $0.22) and spends $0.25; its second is refused.
    const message = "Dollar budget exhausted: evaluation spent $0.25 of $0.22 (set in the project's budgets)";
    const rows = await runs(summary.evaluationId);
    expect(rows.map((row) => [row.key, row.status])).toEqual([
      ["t0", "passed"],
      ["t1", "passed"],
      ["t2", "error"],
      ["t3", "pending"],
      ["t4", "pending"],
      ["t5", "pending"],
    ]);
    expect(rows[2].errorMessage).toContain(message);
    expect(rows[2].costUsd).toBeCloseTo(perCall, 12);
    expect(fake.requests.length - before).toBe(5);

    expect(summary.status).toBe("failed");
    expect(summary.stop).toEqual({ kind: "budget", message });
    expect(summary.costUsd).toBeCloseTo(0.25, 12);
    expect(summary.costUsd! - 0.22).toBeLessThan(2 * perCall); // one task's cost
    const stored = await db.evaluation.findUniqueOrThrow({ where: { id: summary.evaluationId } });
    expect(stored).toMatchObject({ status: "failed", stopKind: "budget", stopReason: message });
    expect(stored.error).toBe(`${message}; 3 task runs were not run.`);
  });
});

describe("token budgets and the project's evaluation budget", () => {
  it("count cache reads, and hold while an evaluation runs, from what earlier evaluations spent", async () => {
    // 100 in + 10 out + 1,000 read from the cache: 1,110 tokens a call, 2,220 a task.
    usage = { input_tokens: 100, output_tokens: 10, cache_read_input_tokens: 1_000 };
    const { projectId, seedCandidateId } = await project("project-tokens", {});
    const first = await evaluate(seedCandidateId);
    expect(first).toMatchObject({ status: "done", passed: 6, stop: null });
    expect(first.inputTokens + first.outputTokens).toBe(6 * 2_220);

    // Room for 5,000 more tokens: two tasks (4,440), then the third task's first call (at 4,440) crosses it.
    const limit = 6 * 2_220 + 5_000;
    await db.project.update({
      where: { id: projectId },
      data: { settings: { budgets: { project: { evaluation: { tokens: limit } } } } },
    });
    const second = await evaluate(seedCandidateId);
    const message = `Token budget exhausted: project evaluation used ${6 * 2_220 + 5 * 1_110} of ${limit} tokens, cache reads and writes included (set in the project's budgets)`;
    const rows = await runs(second.evaluationId);
    expect(rows.map((row) => row.status)).toEqual(["passed", "passed", "error", "pending", "pending", "pending"]);
    expect(rows[2].errorMessage).toContain(message);
    expect(second.stop).toEqual({ kind: "budget", message });
    // Without cache reads counted, 110 tokens a call would never have reached it.
    expect(second.inputTokens + second.outputTokens).toBe(5 * 1_110);
  });
});
