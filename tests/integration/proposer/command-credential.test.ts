// The command proposer's model calls, the real path: runIteration opens the iteration's
// recording proxy and makes a fresh credential; the proposer script (sandboxed) calls the model
// with nothing but the environment it was given; the fake Anthropic server, which accepts only
// the studio's real key, must see that key and never the iteration's; the iteration records each
// call in its transcript, counts it as the proposer's, and holds it to the proposer's budget.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../helpers/db.ts";
import { startFakeAnthropic, type FakeAnthropic, type FakeRequest } from "../../fakes/anthropic-server.ts";
import { createProject } from "../../../lib/projects/create.ts";
import { runIteration } from "../../../lib/iterations/run.ts";
import { costUsd } from "../../../lib/runner/proxy/prices.ts";
import { probeIsolation } from "../../../lib/runner/sandbox/isolation.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-command-credential-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");

const REAL_KEY = "sk-ant-the-studio-real-key";
const PROPOSER_MODEL = "claude-opus-5-5";
const PROPOSER_USAGE = { input_tokens: 300, output_tokens: 40, cache_read_input_tokens: 1_000 };
const probe = await probeIsolation();

let fake: FakeAnthropic;
beforeAll(async () => {
  fake = await startFakeAnthropic({
    requireApiKey: REAL_KEY,
    respond: (request: FakeRequest) => {
      const text = JSON.stringify(request.body.messages);
      if (text.includes("propose")) return { text: "Think step by step.", usage: PROPOSER_USAGE };
      const sum = /What is (\d+)\+(\d+)/.exec(text);
      return { text: sum ? String(Number(sum[1]) + Number(sum[2])) : "?" };
    },
  });
});
afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const SEED = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: { a: number; b: number } }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "What is " + task.input.a + "+" + task.input.b + "?" }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};
`;

/**
 * A coding agent in miniature: two model calls with the credential and base URL from its
 * environment (plain fetch, as any agent would), what it got written down, then a harness whose
 * prompt comes from the model's first answer.
 */
const AGENT = `
import fs from "node:fs";
import path from "node:path";
const env = process.env;
const call = async (n) => {
  try {
    const res = await fetch(env.ANTHROPIC_BASE_URL + "/v1/messages", {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": env.ANTHROPIC_API_KEY },
      body: JSON.stringify({ model: env.PROPOSER_MODEL, max_tokens: 64, messages: [{ role: "user", content: "propose " + n }] }),
    });
    return { status: res.status, body: await res.json() };
  } catch (error) {
    return { status: 0, error: String(error.cause ?? error) };
  }
};
const first = await call(1);
const second = await call(2);
fs.writeFileSync(path.join(env.PROPOSAL_DIR, "calls.json"), JSON.stringify({ key: env.ANTHROPIC_API_KEY, base: env.ANTHROPIC_BASE_URL, first, second }));
const hint = first.body?.content?.[0]?.text ?? "";
const dir = path.join(env.PROPOSAL_DIR, "asked");
fs.mkdirSync(dir, { recursive: true });
fs.writeFileSync(path.join(dir, "harness.ts"), ${JSON.stringify(SEED)}.replace('"What is "', JSON.stringify(hint + " What is ")));
`;

async function newProject(name: string) {
  const dir = fs.mkdtempSync(path.join(scratch, "project-"));
  fs.chmodSync(dir, 0o755); // the proposer's script is read by its own uid
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name, description: "Add two numbers.", mode: "independent", grader: { type: "numeric" } }),
  );
  const tasks = Array.from({ length: 4 }, (_, i) => ({
    id: `${i < 3 ? "s" : "t"}${i}`,
    input: { a: i, b: 2 },
    expected: i + 2,
    split: i < 3 ? "search" : "test",
  }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), SEED);
  const created = await createProject({ suiteDir: path.join(dir, "suite"), harnessFile: path.join(dir, "harness.ts") });
  await db.project.update({
    where: { id: created.projectId },
    data: { candidatesPerIteration: 1, proposerModel: PROPOSER_MODEL },
  });
  const script = path.join(dir, "agent.mjs");
  fs.writeFileSync(script, AGENT);
  return { ...created, command: `node ${script}` };
}

const proposerRequests = () =>
  fake.requests.filter((request) => JSON.stringify(request.body?.messages ?? "").includes("propose"));

describe("the command proposer's credential", () => {
  it("is made per iteration, swapped for the real key by the iteration's proxy, and every call is recorded and counted", async () => {
    fake.requests.length = 0;
    const project = await newProject("credential");
    const summary = await runIteration(project.projectId, {
      optimizationId: null,
      proposerKind: "command",
      proposerCommand: project.command,
      upstreamUrl: fake.url,
      apiKey: REAL_KEY,
    });

    const iteration = await db.iteration.findUniqueOrThrow({
      where: { id: summary.iterationId },
      include: { events: { orderBy: { seq: "asc" } }, checks: true },
    });
    const calls = JSON.parse(
      fs.readFileSync(
        path.join(process.env.STUDIO_DATA_DIR!, "workspaces", project.projectId, "proposals/1/calls.json"),
        "utf8",
      ),
    );
    // What the proposer was given: a fresh studio credential for a loopback proxy, never the key.
    expect(calls.key).toMatch(/^sk-studio-[\w-]{32}$/);
    expect(calls.base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(calls.base).not.toBe(fake.url);
    expect(calls.first).toMatchObject({
      status: 200,
      body: { content: [{ type: "text", text: "Think step by step." }] },
    });
    expect(calls.second.status).toBe(200);

    // What upstream saw: both calls, with the real key only.
    const upstream = proposerRequests();
    expect(upstream).toHaveLength(2);
    for (const request of upstream) {
      expect(request.headers["x-api-key"]).toBe(REAL_KEY);
      expect(request.body.model).toBe(PROPOSER_MODEL);
    }
    expect(JSON.stringify(fake.requests.map((request) => request.headers))).not.toContain(calls.key);

    // Recorded: each call in the iteration's transcript, in full, without either key.
    const modelCalls = iteration.events.filter((event) => event.kind === "model_call");
    expect(modelCalls).toHaveLength(2);
    expect(modelCalls.map((event) => (event.body as any).request.body.messages[0].content)).toEqual([
      "propose 1",
      "propose 2",
    ]);
    expect(modelCalls[0]).toMatchObject({ genAiRequestModel: PROPOSER_MODEL, genAiUsageInputTokens: 1_300 });
    const transcript = JSON.stringify(iteration.events.map((event) => event.body));
    expect(transcript).not.toContain(REAL_KEY);
    expect(transcript).not.toContain(calls.key);

    // Counted as the proposer's: its two calls priced exactly, plus the smoke run of its proposal.
    const [smoke] = iteration.checks;
    expect(smoke).toMatchObject({ kind: "smoke", summary: "1 of 1 search tasks passed" });
    const perCall = costUsd(PROPOSER_MODEL, PROPOSER_USAGE).usd;
    expect(iteration.inputTokens).toBe(2 * 1_300 + smoke.inputTokens);
    expect(iteration.outputTokens).toBe(2 * 40 + smoke.outputTokens);
    expect(iteration.costUsd).toBeCloseTo(2 * perCall + smoke.costUsd!, 10);
    expect(iteration.stopKind).toBeNull();
    expect(iteration.proposerIsolation).toBe(probe.isolation);
    expect(summary.proposer).toMatchObject({ inputTokens: iteration.inputTokens, isolation: probe.isolation });
    // The harness built from the model's answer is the iteration's candidate.
    expect(summary.candidates).toEqual([expect.objectContaining({ valid: true, searchScore: 1 })]);

    // The credential ends with its iteration: its proxy is gone.
    await expect(fetch(`${calls.base}/v1/messages`, { method: "POST" })).rejects.toThrow();
  });

  it("is held to the proposer's budget: past it the proxy refuses the next call, and the iteration says why", async () => {
    fake.requests.length = 0;
    const project = await newProject("credential-budget");
    await db.project.update({
      where: { id: project.projectId },
      data: { settings: { budgets: { iteration: { proposer: { tokens: 1_000 } } } } },
    });
    const summary = await runIteration(project.projectId, {
      optimizationId: null,
      proposerKind: "command",
      proposerCommand: project.command,
      upstreamUrl: fake.url,
      apiKey: REAL_KEY,
    });
    const calls = JSON.parse(
      fs.readFileSync(
        path.join(process.env.STUDIO_DATA_DIR!, "workspaces", project.projectId, "proposals/1/calls.json"),
        "utf8",
      ),
    );
    // The first call (1,340 tokens) spent the 1,000-token budget; the second never went upstream.
    expect(calls.first.status).toBe(200);
    expect(calls.second.status).toBe(400);
    const refusal = calls.second.body.error.message;
    expect(refusal).toMatch(/^Token budget exhausted: iteration proposer used 1340 of 1000 tokens/);
    expect(proposerRequests()).toHaveLength(1);

    const iteration = await db.iteration.findUniqueOrThrow({
      where: { id: summary.iterationId },
      include: { events: { where: { kind: "model_call" } } },
    });
    expect(iteration.events).toHaveLength(2); // the answered call and the refused one, both recorded
    expect(iteration).toMatchObject({ stopKind: "proposer_budget", stopReason: refusal, inputTokens: 1_300 });
    // Its proposal could not be smoke-run past the budget, and is rejected in words.
    expect(summary.candidates).toEqual([
      expect.objectContaining({ valid: false, rejectReason: expect.stringMatching(/^The smoke run could not run: /) }),
    ]);
  });
});
