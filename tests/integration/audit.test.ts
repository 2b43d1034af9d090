// The harness audit end to end: a tool-using harness runs in the sandbox against the fake
// Anthropic server; the runner stores each task run's audit; the pages' queries and the
// workspace's audit.json read it. The harness offers one extra tool only on held-out tasks, so
// the workspace check (nothing of the test split) could fail.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { startFakeAnthropic, type FakeAnthropic, type FakeRequest } from "../fakes/anthropic-server.ts";
import { createProject } from "../../lib/projects/create.ts";
import { prepareEvaluation, runEvaluation } from "../../lib/evaluations/run.ts";
import { commonPrefixLength, promptText, readAudit } from "../../lib/audit/compute.ts";
import { evaluationAudit, taskRunAudit } from "../../lib/audit/queries.ts";
import { buildWorkspace } from "../../lib/workspace/build.ts";

const HELD_OUT_TOOL = "held_out_probe";
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-audit-test-"));
fs.chmodSync(scratch, 0o755);
let fake: FakeAnthropic;
let projectId: string;
let seedId: string;
let searchId: string;
let testId: string;

const tasks = [
  ...["s-1", "s-2", "s-3"].map((id, i) => ({ id, input: { a: i, b: 10 }, expected: i + 10, split: "search" })),
  ...["t-1", "t-2"].map((id, i) => ({
    id,
    input: { a: 100 + i, b: 1, heldOut: true },
    expected: 101 + i,
    split: "test",
  })),
];

// An agent loop: the model asks for the calculator, the harness runs it and sends the result back,
// until the model answers in text. A `bad` request is answered with an error result.
const HARNESS = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: { a: number; b: number; heldOut?: boolean } }, ctx: { model: Anthropic }) {
    const tools = [
      { name: "calculator", description: "adds", input_schema: { type: "object" as const, properties: {} } },
      { name: "search", description: "never needed", input_schema: { type: "object" as const, properties: {} } },
      ...(task.input.heldOut ? [{ name: "${HELD_OUT_TOOL}", input_schema: { type: "object" as const, properties: {} } }] : []),
    ];
    const messages: Anthropic.MessageParam[] = [{ role: "user", content: "Add " + task.input.a + " and " + task.input.b }];
    for (let turn = 0; turn < 5; turn++) {
      const reply = await ctx.model.messages.create({ model: "claude-sonnet-5-5", max_tokens: 64, system: "You add.", tools, messages });
      const use = reply.content.find((block) => block.type === "tool_use");
      if (!use || use.type !== "tool_use") return Number(reply.content.map((b) => (b.type === "text" ? b.text : "")).join(""));
      const input = use.input as { bad?: boolean };
      messages.push({ role: "assistant", content: reply.content });
      messages.push({ role: "user", content: [input.bad
        ? { type: "tool_result", tool_use_id: use.id, is_error: true, content: "bad input" }
        : { type: "tool_result", tool_use_id: use.id, content: String(task.input.a + task.input.b) }] });
    }
    return null;
  },
};
`;

/** Turn 0: a bad calculator call; turn 1: a good one; turn 2: the answer. Later turns read from the cache. */
function respond(request: FakeRequest) {
  const messages = request.body.messages as { role: string; content: unknown }[];
  const turn = messages.filter((message) => message.role === "assistant").length;
  const [a, b] = (/Add (\d+) and (\d+)/.exec(JSON.stringify(messages[0].content)) ?? []).slice(1).map(Number);
  const usage = turn > 0 ? { cache_read_input_tokens: 100 * turn } : {};
  if (turn < 2)
    return {
      content: [{ type: "tool_use" as const, name: "calculator", input: turn === 0 ? { bad: true } : {} }],
      stopReason: "tool_use" as const,
      usage,
    };
  return { text: String(a + b), usage };
}

beforeAll(async () => {
  fake = await startFakeAnthropic({ respond });
  fs.mkdirSync(path.join(scratch, "suite"));
  fs.writeFileSync(
    path.join(scratch, "suite", "suite.json"),
    JSON.stringify({
      name: "adding",
      description: "Add two numbers.",
      mode: "independent",
      grader: { type: "numeric" },
    }),
  );
  fs.writeFileSync(path.join(scratch, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(scratch, "harness.ts"), HARNESS);
  const created = await createProject({
    suiteDir: path.join(scratch, "suite"),
    harnessFile: path.join(scratch, "harness.ts"),
  });
  projectId = created.projectId;
  seedId = created.seedCandidateId;
  const ids: string[] = [];
  for (const split of ["search", "test"] as const) {
    const { evaluationId } = await prepareEvaluation(seedId, split);
    const summary = await runEvaluation(evaluationId, { upstreamUrl: fake.url, apiKey: "k", concurrency: 2 });
    expect(summary).toMatchObject({ status: "done", passed: split === "search" ? 3 : 2 });
    ids.push(evaluationId);
  }
  [searchId, testId] = ids;
});

afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("the harness audit", () => {
  it("is stored with each task run: its calls, tokens, tools and prompt repeat, as the trace records them", async () => {
    const runs = await db.taskRun.findMany({
      where: { evaluationId: searchId },
      include: { task: true, events: { where: { kind: "model_call" }, orderBy: { seq: "asc" } } },
    });
    expect(runs).toHaveLength(3);
    for (const run of runs) {
      const audit = readAudit(run.audit);
      expect(audit, run.task.key).not.toBeNull();
      expect(audit!.modelCalls).toBe(run.events.length);
      expect(audit!.modelCalls).toBe(3);
      // Input includes the cache reads; the trace's gen_ai columns and the run's totals agree.
      expect(audit!.inputTokens).toBe(run.events.reduce((sum, e) => sum + e.genAiUsageInputTokens!, 0));
      expect(audit!.inputTokens).toBe(run.inputTokens);
      expect(audit!.outputTokens).toBe(run.outputTokens);
      expect(audit!.cachedInputTokens).toBe(100 + 200);
      expect(audit!.tools).toEqual({
        calculator: { offered: 3, called: 2, errored: 1 },
        search: { offered: 3, called: 0, errored: 0 },
      });
      // The repeat, from the request bodies the fake server received for this task.
      const bodies = fake.requests
        .filter((request) =>
          JSON.stringify(request.body.messages[0]).includes(`Add ${(run.task.input as { a: number }).a} and`),
        )
        .map((request) => promptText(request.body));
      expect(bodies).toHaveLength(3);
      expect(audit!.promptChars).toBe(bodies.reduce((sum, text) => sum + text.length, 0));
      expect(audit!.repeatedChars).toBe(
        commonPrefixLength(bodies[0], bodies[1]) + commonPrefixLength(bodies[1], bodies[2]),
      );
      expect(audit!.repeatedChars / audit!.promptChars).toBeGreaterThan(0.5);
    }
  });

  it("sums an evaluation per task, and audits a run stored without an audit from its trace", async () => {
    const stored = await evaluationAudit(searchId);
    const one = await db.taskRun.findFirstOrThrow({
      where: { evaluationId: searchId },
      select: { id: true, audit: true },
    });
    await db.$executeRaw`update "TaskRun" set audit = null where id = ${one.id}`;
    expect(await taskRunAudit(one.id)).toEqual(one.audit);
    const again = await db.taskRun.findUniqueOrThrow({ where: { id: one.id }, select: { audit: true } });
    expect(again.audit).toEqual(one.audit); // stored again, so the next read is the column's

    expect(await evaluationAudit(searchId)).toEqual(stored);
    expect(stored).toMatchObject({ taskRuns: 3, perTask: { modelCalls: 3, cachedInputTokens: 300 } });
    expect(stored!.perTask.wallMs).toBeGreaterThan(0);
    expect(
      stored!.tools.map((tool) => [tool.name, tool.offered, tool.called, tool.errored, tool.tasksCalling]),
    ).toEqual([
      ["calculator", 9, 6, 3, 3],
      ["search", 9, 0, 0, 0],
    ]);
    // The held-out evaluation has its own audit, with the tool its tasks were offered.
    const heldOut = await evaluationAudit(testId);
    expect(heldOut!.tools.map((tool) => tool.name)).toContain(HELD_OUT_TOOL);
  });

  it("lands in the workspace as audit.json beside the traces, from the search split only", async () => {
    const ws = path.join(scratch, "workspace");
    await buildWorkspace(projectId, ws);
    const folder = path.join(ws, "candidates", seedId);
    expect(fs.existsSync(path.join(folder, "traces", "s-1.jsonl"))).toBe(true);
    const text = fs.readFileSync(path.join(folder, "audit.json"), "utf8");
    const file = JSON.parse(text);
    expect(file).toMatchObject({ split: "search", evaluationId: searchId, taskRuns: 3 });
    expect(file.perTask.modelCalls).toBe(3);
    expect(file.promptRepeatShare).toBeGreaterThan(0.5);
    expect(file.tasks.map((task: { key: string }) => task.key)).toEqual(["s-1", "s-2", "s-3"]);
    expect(file.tasks[0].tools.calculator).toEqual({ offered: 3, called: 2, errored: 1 });
    // One line per task, for grep.
    expect(text.split("\n").filter((line) => line.includes('"key":"s-'))).toHaveLength(3);
    for (const sealed of [HELD_OUT_TOOL, testId, "t-1", "t-2"]) expect(text).not.toContain(sealed);
  });
});
