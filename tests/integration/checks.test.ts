// check_candidate and validation smoke runs, the real path: an iteration with the Claude proposer
// (played by a fake Anthropic server over real HTTP) calls check_candidate, the loop's real
// checker runs the harness in the sandbox through the recording proxy, and the checks land in
// the database as task runs of the iteration, with traces the proposer can read, counted as the
// proposer's spending.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { startFakeAnthropic, type FakeAnthropic, type FakeReply, type FakeRequest } from "../fakes/anthropic-server.ts";
import { createProject } from "../../lib/projects/create.ts";
import { runIteration, workspaceDir } from "../../lib/iterations/run.ts";
import { listIterationChecks } from "../../lib/iterations/queries.ts";
import { costUsd } from "../../lib/runner/proxy/prices.ts";
import { exportLine } from "../../lib/traces/export.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-checks-test-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");

const TASK_USAGE = { input_tokens: 1_000, output_tokens: 100, cache_read_input_tokens: 4_000 };

let fake: FakeAnthropic;
/** What the proposer's tool results said, by tool_use id (the requests carry them back). */
const toolResults = new Map<string, string>();
let proposerTurn: (turn: number) => FakeReply = () => ({ text: "nothing" });

beforeAll(async () => {
  fake = await startFakeAnthropic({
    respond: (request: FakeRequest) => {
      const tools = (request.body.tools ?? []) as { name: string }[];
      if (!tools.length) {
        const text = JSON.stringify(request.body.messages);
        const sum = /What is (\d+)\+(\d+)/.exec(text);
        return { text: sum ? String(Number(sum[1]) + Number(sum[2])) : "?", usage: TASK_USAGE };
      }
      const messages = request.body.messages as { role: string; content: unknown }[];
      for (const block of (messages.at(-1)?.content ?? []) as {
        type: string;
        tool_use_id?: string;
        content?: string;
      }[])
        if (block.type === "tool_result" && block.tool_use_id) toolResults.set(block.tool_use_id, block.content ?? "");
      return proposerTurn(messages.filter((message) => message.role === "assistant").length);
    },
  });
});
afterAll(async () => {
  await fake?.close();
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const HARNESS = `
import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(task: { input: { a: number; b: number } }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "What is " + task.input.a + "+" + task.input.b + "?" }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};
`;

async function newProject(name: string) {
  const dir = fs.mkdtempSync(path.join(scratch, "project-"));
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name, description: "Add two numbers.", mode: "independent", grader: { type: "numeric" } }),
  );
  const tasks = Array.from({ length: 5 }, (_, i) => ({
    id: `${i < 4 ? "s" : "t"}${i}`,
    input: { a: i, b: 2 },
    expected: i + 2,
    split: i < 4 ? "search" : "test",
  }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), HARNESS);
  // The model the harness names, so every call goes where it asks (the proxy points calls at the project's model).
  const created = await createProject({
    suiteDir: path.join(dir, "suite"),
    harnessFile: path.join(dir, "harness.ts"),
    model: "claude-haiku-4-5",
  });
  await db.project.update({ where: { id: created.projectId }, data: { candidatesPerIteration: 1 } });
  return created;
}

/** The proposer's trace parser: how many events, what the model was asked, the grade. */
const PARSE_TRACE = [
  'const events = require("fs").readFileSync(process.argv[1], "utf8").trim().split("\\n").map(JSON.parse);',
  'const call = events.find((e) => e.kind === "model_call");',
  'console.log("events", events.length, "asked", JSON.stringify(call.body.request.body.messages[0].content), "score", events.find((e) => e.kind === "grade").body.score);',
].join(" ");

const tool = (id: string, name: string, input: unknown): FakeReply => ({
  content: [{ type: "tool_use", id, name, input }],
  stopReason: "tool_use",
  usage: { input_tokens: 2_000, output_tokens: 200, cache_read_input_tokens: 10_000 },
});

describe("check_candidate through the real checker", () => {
  it("stores the check's task runs, hands back status, score and a trace path that exists, and counts its spend", async () => {
    const { projectId } = await newProject("checks");
    const harnessPath = "proposals/1/plain/harness.ts";
    proposerTurn = (turn) =>
      [
        tool("w1", "write_file", { path: harnessPath, content: HARNESS.replace("max_tokens: 64", "max_tokens: 32") }),
        tool("c1", "check_candidate", { path: harnessPath }),
        // The proposer reads the trace the checker said it wrote, through its own read_file.
        tool("r1", "read_file", { path: /trace (\S+\.jsonl)/.exec(toolResults.get("c1") ?? "")?.[1] ?? "missing" }),
        // ...and parses it with a script in its sandboxed shell.
        tool("b1", "bash", {
          command: `node -e '${PARSE_TRACE}' ${/trace (\S+\.jsonl)/.exec(toolResults.get("c1") ?? "")?.[1] ?? "missing"}`,
        }),
        tool("f1", "finish", {
          proposals: [
            {
              path: harnessPath,
              hypothesis: "Shorter answers.",
              axis: "explore",
              base_candidate_id: null,
              rationale: "-",
            },
          ],
        }),
      ][turn] ?? { text: "done" };

    const summary = await runIteration(projectId, {
      optimizationId: null,
      proposerKind: "claude",
      upstreamUrl: fake.url,
      apiKey: "k",
    });
    expect(summary.proposer.stop).toBeNull();
    expect(summary.candidates).toHaveLength(1);
    expect(summary.candidates[0].valid).toBe(true);

    // The checker's answer: each task's status, score and the workspace path of its new trace.
    const answer = toolResults.get("c1")!;
    expect(answer).toContain("3 of 3 search tasks passed");
    const dir = workspaceDir(projectId);
    for (const key of ["s0", "s1", "s2"]) {
      const tracePath = `proposals/1/checks/1/${key}.jsonl`;
      expect(answer).toContain(`${key}: passed, score 1, trace ${tracePath}`);
      const lines = fs.readFileSync(path.join(dir, tracePath), "utf8").trim().split("\n");
      expect(lines.map((line) => JSON.parse(line).kind)).toEqual(expect.arrayContaining(["model_call", "grade"]));
    }
    // The first of them, read by the proposer itself: the real path end to end.
    const read = toolResults.get("r1")!;
    expect(read).toContain("proposals/1/checks/1/s0.jsonl");
    expect(read).toContain('"kind":"model_call"');
    expect(read).toContain("What is 0+2?");
    // It is the real trace of that check's task run: the file is the stored events, exported.
    const [checkRun] = await db.taskRun.findMany({
      where: { check: { iterationId: summary.iterationId, kind: "check_candidate" }, task: { key: "s0" } },
      select: { id: true },
    });
    const stored = await db.traceEvent.findMany({ where: { taskRunId: checkRun.id }, orderBy: { seq: "asc" } });
    expect(stored.length).toBeGreaterThan(2);
    expect(fs.readFileSync(path.join(dir, "proposals/1/checks/1/s0.jsonl"), "utf8")).toBe(
      stored.map((event) => exportLine(event, "workspace")).join(""),
    );
    expect(toolResults.get("b1")).toMatch(
      new RegExp(`^events ${stored.length} asked "What is 0\\+2\\?" score 1\n\\[exit code 0 after`),
    );

    // Stored: the check (3 task runs) and the smoke run (1), as the iteration's, with their traces.
    const checks = await listIterationChecks(summary.iterationId);
    expect(checks.map((check) => [check.kind, check.summary])).toEqual([
      ["check_candidate", "3 of 3 search tasks passed"],
      ["smoke", "1 of 1 search tasks passed"],
    ]);
    expect(checks[0].taskRuns.map((run) => [run.taskKey, run.status, run.score])).toEqual([
      ["s0", "passed", 1],
      ["s1", "passed", 1],
      ["s2", "passed", 1],
    ]);
    const runs = await db.taskRun.findMany({
      where: { check: { iterationId: summary.iterationId } },
      select: { evaluationId: true, eventCount: true, costUsd: true, inputTokens: true },
    });
    expect(runs).toHaveLength(4);
    const perTask = costUsd("claude-haiku-4-5", TASK_USAGE).usd;
    for (const run of runs) {
      expect(run.evaluationId).toBeNull();
      expect(run.eventCount).toBeGreaterThan(0);
      expect(run.costUsd).toBeCloseTo(perTask, 12);
      expect(run.inputTokens).toBe(5_000); // cache reads included
    }
    expect(checks[0].costUsd).toBeCloseTo(3 * perTask, 12);

    // The proposer's figures: its own five calls, plus the check and the smoke run.
    const proposerCall = costUsd("claude-opus-5-5", {
      input_tokens: 2_000,
      output_tokens: 200,
      cache_read_input_tokens: 10_000,
    }).usd;
    const iteration = await db.iteration.findUniqueOrThrow({ where: { id: summary.iterationId } });
    expect(iteration.costUsd).toBeCloseTo(5 * proposerCall + 4 * perTask, 10);
    expect(iteration.inputTokens).toBe(5 * 12_000 + 4 * 5_000);
    expect(iteration.filesRead).toContain("proposals/1/checks/1/s0.jsonl");
  });

  it("prices the proposer's calls exactly against its dollar budget: cache reads at their own rate", async () => {
    const { projectId } = await newProject("proposer-dollars");
    // claude-opus-5-5: $4 in, $20 out, $0.20 cache reads. 100 in + 20 out + 100,000 cache reads = $0.0208 a call.
    const usage = { input_tokens: 100, output_tokens: 20, cache_read_input_tokens: 100_000 };
    const perCall = costUsd("claude-opus-5-5", usage).usd;
    expect(perCall).toBeCloseTo(0.0208, 10);
    await db.project.update({
      where: { id: projectId },
      data: { settings: { budgets: { iteration: { proposer: { usd: 0.05 } } } } },
    });
    proposerTurn = (turn) => ({ ...tool(`l${turn}`, "list_dir", { path: "." }), usage });
    const summary = await runIteration(projectId, {
      optimizationId: null,
      proposerKind: "claude",
      upstreamUrl: fake.url,
      apiKey: "k",
    });
    // Tokens at the input price would have allowed 12,500 tokens: one call. Priced exactly, three ($0.0624).
    expect(summary.proposer.stop?.kind).toBe("proposer_budget");
    const calls = await db.traceEvent.count({ where: { iterationId: summary.iterationId, kind: "model_call" } });
    expect(calls).toBe(3);
    expect(summary.proposer.costUsd).toBeCloseTo(3 * perCall, 10);
  });

  it("holds smoke runs to the proposer's budget: past it, a proposal cannot be smoke-run and is rejected in words", async () => {
    const { projectId } = await newProject("smoke-budget");
    // Two proposer calls at $0.014 each ($4/MTok in, $20 out, $0.20 cache reads) spend $0.028 of $0.02.
    await db.project.update({
      where: { id: projectId },
      data: { settings: { budgets: { iteration: { proposer: { usd: 0.02 } } } } },
    });
    const harnessPath = "proposals/1/late/harness.ts";
    proposerTurn = (turn) =>
      [
        tool("w2", "write_file", { path: harnessPath, content: HARNESS.replace("max_tokens: 64", "max_tokens: 48") }),
        tool("f2", "finish", {
          proposals: [
            { path: harnessPath, hypothesis: "Late.", axis: "explore", base_candidate_id: null, rationale: "-" },
          ],
        }),
      ][turn] ?? { text: "done" };
    const summary = await runIteration(projectId, {
      optimizationId: null,
      proposerKind: "claude",
      upstreamUrl: fake.url,
      apiKey: "k",
    });
    const message = "Dollar budget exhausted: iteration proposer spent $0.03 of $0.02";
    expect(summary.candidates).toHaveLength(1);
    expect(summary.candidates[0].valid).toBe(false);
    expect(summary.candidates[0].rejectReason).toContain(message);
    expect(summary.candidates[0].rejectReason).toMatch(/^The smoke run could not run: /);
    // Nothing went upstream for it: the budget was spent before its task started.
    const [smoke] = await listIterationChecks(summary.iterationId);
    expect(smoke).toMatchObject({ kind: "smoke", costUsd: 0 });
    expect(smoke.summary).toContain(`stopped: ${message}`);
    expect(smoke.taskRuns.map((run) => run.status)).toEqual(["pending"]);
  });
});
