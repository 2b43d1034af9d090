// The built-in Claude proposer's own model calls in the loop: they go through the iteration's
// recording proxy with the iteration's credential (never the real key), are recorded from the
// proxy's exchanges (attempts, headers, usage, exact cost), and are held to the proposer's budgets.
// The fake Anthropic server accepts only the real key, as the real API would.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../helpers/db.ts";
import {
  startFakeAnthropic,
  type FakeAnthropic,
  type FakeReply,
  type FakeRequest,
} from "../../fakes/anthropic-server.ts";
import { createProject } from "../../../lib/projects/create.ts";
import { runIteration } from "../../../lib/iterations/run.ts";
import { CONTEXT_EDITING_BETA } from "../../../lib/proposer/context.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-proposer-proxy-test-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");

const REAL_KEY = "sk-real-upstream-key";
const USAGE = { input_tokens: 2_000, output_tokens: 200, cache_read_input_tokens: 10_000 };

let fake: FakeAnthropic;
let proposerTurn: (turn: number) => FakeReply = () => ({ text: "nothing" });
/** Answer the next proposer request with one 529 overloaded first (the proxy retries it). */
let overloadNext = false;

beforeAll(async () => {
  fake = await startFakeAnthropic({
    requireApiKey: REAL_KEY,
    respond: (request: FakeRequest) => {
      const tools = (request.body.tools ?? []) as { name: string }[];
      if (!tools.length) return { text: "?", usage: { input_tokens: 10, output_tokens: 1 } }; // a smoke run's task model
      if (overloadNext) {
        overloadNext = false;
        return { status: 529, error: { type: "overloaded_error", message: "Overloaded" } };
      }
      const messages = request.body.messages as { role: string }[];
      return proposerTurn(messages.filter((message) => message.role === "assistant").length);
    },
  });
});
afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const HARNESS = `export default { async run(task: { input: unknown }, ctx: any) { return "4"; } };\n`;

async function newProject(name: string) {
  const dir = fs.mkdtempSync(path.join(scratch, "project-"));
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name, description: "Add two numbers.", mode: "independent", grader: { type: "numeric" } }),
  );
  const tasks = Array.from({ length: 3 }, (_, i) => ({
    id: `t${i}`,
    input: { a: i, b: 2 },
    expected: i + 2,
    split: i < 2 ? "search" : "test",
  }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), HARNESS);
  const created = await createProject({ suiteDir: path.join(dir, "suite"), harnessFile: path.join(dir, "harness.ts") });
  await db.project.update({
    where: { id: created.projectId },
    data: { candidatesPerIteration: 1, proposerModel: "claude-opus-5-5" },
  });
  return created;
}

const tool = (id: string, name: string, input: unknown): FakeReply => ({
  content: [{ type: "tool_use", id, name, input }],
  stopReason: "tool_use",
  usage: USAGE,
});

const proposerRequests = () =>
  fake.requests.filter((request) => request.path === "/v1/messages" && (request.body.tools ?? []).length > 0);

describe("the Claude proposer's own calls through the iteration's recording proxy", () => {
  it("go upstream with the real key only, each recorded with its attempts, and make the iteration's figures", async () => {
    const { projectId } = await newProject("own-proxy");
    const harnessPath = "proposals/1/four/harness.ts";
    proposerTurn = (turn) =>
      [
        tool("w1", "write_file", { path: harnessPath, content: HARNESS.replace('"4"', '"5"') }),
        tool("f1", "finish", {
          proposals: [
            { path: harnessPath, hypothesis: "Five.", axis: "explore", base_candidate_id: null, rationale: "-" },
          ],
        }),
      ][turn] ?? { text: "done" };
    fake.requests.length = 0;
    overloadNext = true;
    const summary = await runIteration(projectId, {
      optimizationId: null,
      proposerKind: "claude",
      upstreamUrl: fake.url,
      apiKey: REAL_KEY,
    });
    expect(summary.proposer.stop).toBeNull();
    expect(summary.candidates).toHaveLength(1);

    // Upstream saw the real key on every request, never the iteration's sk-studio credential.
    const requests = proposerRequests();
    expect(requests).toHaveLength(3); // the 529, its retry, the finish turn
    for (const request of fake.requests) {
      expect(request.headers["x-api-key"]).toBe(REAL_KEY);
      expect(JSON.stringify(request.headers)).not.toContain("sk-studio");
    }
    // The context editing field and its beta header passed through the proxy.
    expect(requests[0].headers["anthropic-beta"]).toContain(CONTEXT_EDITING_BETA);
    expect(requests[0].body.context_management).toBeDefined();

    // Each call is a model_call of the iteration's transcript, recorded by the proxy.
    const calls = await db.traceEvent.findMany({
      where: { iterationId: summary.iterationId, kind: "model_call" },
      orderBy: { seq: "asc" },
    });
    expect(calls).toHaveLength(2);
    const first = calls[0].body as any;
    expect(first.attempts.map((attempt: { status: number }) => attempt.status)).toEqual([529, 200]);
    expect(first.attempts[0].error).toMatch(/overloaded/i);
    expect(first.request.headers["anthropic-beta"]).toContain(CONTEXT_EDITING_BETA);
    expect(JSON.stringify(first.request.headers)).not.toContain("sk-studio");
    expect(first.response.headers).toBeDefined();
    expect(calls.map((call) => call.genAiUsageInputTokens)).toEqual([12_000, 12_000]);
    expect(calls.every((call) => (call.costUsd ?? 0) > 0)).toBe(true);

    // The iteration's figures: the recorded calls, plus its checks (the smoke run).
    const iteration = await db.iteration.findUniqueOrThrow({ where: { id: summary.iterationId } });
    const checks = await db.check.findMany({ where: { iterationId: summary.iterationId } });
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    expect(iteration.inputTokens).toBe(
      sum(calls.map((call) => call.genAiUsageInputTokens ?? 0)) + sum(checks.map((check) => check.inputTokens)),
    );
    expect(iteration.outputTokens).toBe(
      sum(calls.map((call) => call.genAiUsageOutputTokens ?? 0)) + sum(checks.map((check) => check.outputTokens)),
    );
    expect(iteration.costUsd).toBeCloseTo(
      sum(calls.map((call) => call.costUsd ?? 0)) + sum(checks.map((check) => check.costUsd ?? 0)),
      10,
    );
  });

  it("stop at a proposer token budget below one call's usage, with proposer_budget", async () => {
    const { projectId } = await newProject("own-proxy-budget");
    await db.project.update({
      where: { id: projectId },
      data: { settings: { budgets: { iteration: { proposer: { tokens: 5_000 } } } } },
    });
    proposerTurn = (turn) => tool(`l${turn}`, "list_dir", { path: "." });
    fake.requests.length = 0;
    const summary = await runIteration(projectId, {
      optimizationId: null,
      proposerKind: "claude",
      upstreamUrl: fake.url,
      apiKey: REAL_KEY,
    });
    expect(summary.proposer.stop?.kind).toBe("proposer_budget");
    expect(summary.proposer.stop?.message).toContain("Token budget exhausted: iteration proposer used 12200 of 5000");
    // One call went upstream and was recorded; nothing after it.
    expect(proposerRequests()).toHaveLength(1);
    const calls = await db.traceEvent.count({ where: { iterationId: summary.iterationId, kind: "model_call" } });
    expect(calls).toBe(1);
    expect(summary.proposer.inputTokens + summary.proposer.outputTokens).toBe(12_200);
  });
});
