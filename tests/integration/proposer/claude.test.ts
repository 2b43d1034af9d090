// The Claude proposer end to end over real HTTP: the official SDK talks to the studio's recording
// proxy (as in the loop, with a credential of its own), which records each call and forwards it
// with the real key to the fake Anthropic server, whose scripted replies are tool calls; the
// tools act on a real workspace folder.
import fs from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  scripted,
  startFakeAnthropic,
  type FakeAnthropic,
  type FakeMessageReply,
  type FakeRequest,
} from "../../fakes/anthropic-server.ts";
import { createProposer, DEFAULT_INSTRUCTIONS, type ProposerInput } from "../../../lib/proposer/index.ts";
import { costUsd } from "../../../lib/runner/proxy/prices.ts";
import { newBudget, newCredential, startRecordingProxy, type RecordingProxy } from "../../../lib/runner/proxy/index.ts";
import { fromExchange } from "../../../lib/traces/build.ts";
import { makeWorkspace, recorder, type TestWorkspace } from "./workspace.ts";

const MODEL = "claude-opus-5-5";
const USAGE = { input_tokens: 100, output_tokens: 20, cache_creation_input_tokens: 10, cache_read_input_tokens: 50 };

let fake: FakeAnthropic;
let proxy: RecordingProxy;
let workspace: TestWorkspace;
const credential = newCredential();
/** Where the proxy records the current test's calls: its recorder, as the loop's transcript. */
let record: ProposerInput["record"] = () => {};

beforeAll(async () => {
  fake = await startFakeAnthropic({ requireApiKey: "sk-real-key" });
  proxy = await startRecordingProxy({
    upstreamUrl: fake.url,
    apiKey: "sk-real-key",
    retryBaseMs: 10,
    onExchange: (exchange) => record(fromExchange(exchange)),
  });
  proxy.register(credential, {});
});
afterAll(async () => {
  await proxy?.close();
  await fake?.close();
});
afterEach(() => {
  workspace?.remove();
  fake.requests.length = 0;
});

type Call = { id: string; name: string; input: unknown };
const call = (id: string, name: string, input: unknown): Call => ({ id, name, input });
const reply = (...calls: Call[]): FakeMessageReply => ({
  content: calls.map((c) => ({ type: "tool_use" as const, ...c })),
  usage: USAGE,
});

function input(overrides: Partial<ProposerInput> & Pick<ProposerInput, "record">): ProposerInput {
  record = overrides.record;
  return {
    workspaceDir: workspace.workspaceDir,
    proposalDir: workspace.proposalDir,
    iteration: 3,
    candidatesWanted: 3,
    instructions: DEFAULT_INSTRUCTIONS,
    model: MODEL,
    maxTurns: 20,
    client: { baseURL: proxy.url, apiKey: credential },
    ...overrides,
  };
}

const messageRequests = () => fake.requests.filter((request) => request.path === "/v1/messages");

/** The tool results a request carried back (its last user message), by tool_use id. */
function toolResults(request: FakeRequest): Map<string, { content: string; is_error?: boolean }> {
  const last = request.body.messages.at(-1);
  return new Map(
    last.content.filter((block: any) => block.type === "tool_result").map((block: any) => [block.tool_use_id, block]),
  );
}

const HARNESS_A = `// Ask for the answer on a last line and parse only that line.
export default {
  async run(task: { input: unknown }, ctx: any) {
    const reply = await ctx.model.messages.create({ model: "claude-sonnet-5-5", max_tokens: 256, messages: [{ role: "user", content: \`\${JSON.stringify(task.input)}\\nEnd with: ANSWER: <number>\` }] }, { signal: ctx.signal });
    const text = reply.content.find((b: any) => b.type === "text")?.text ?? "";
    return /ANSWER:\\s*(-?[\\d.]+)/.exec(text)?.[1] ?? text;
  },
};
`;
const HARNESS_B = `export default { async run(task: { input: unknown }, ctx: any) { return "vote"; } };\n`;
const HARNESS_C = `export default { async run(task: { input: unknown }, ctx: any) { return "decompose"; } };\n`;

describe("the Claude proposer", () => {
  // check_candidate runs the loop's real checker against the fake server in tests/integration/checks.test.ts.
  it("reads raw traces through its tools, is kept inside the workspace, writes and finishes with k proposals", async () => {
    workspace = makeWorkspace();
    const outsideFile = path.join(workspace.outsideDir, "abs.ts");
    fs.symlinkSync(workspace.outsideDir, path.join(workspace.proposalDir, "escape"));
    fs.symlinkSync(workspace.outsideDir, path.join(workspace.workspaceDir, "candidates", "leak"));
    const trace = fs.readFileSync(
      path.join(workspace.workspaceDir, "candidates/cand-seed/traces/divide.jsonl"),
      "utf8",
    );

    const finish = {
      proposals: [
        {
          path: "proposals/3/last-line/harness.ts",
          hypothesis: "A final ANSWER line fixes the divide failure.",
          axis: "exploit",
          base_candidate_id: "cand-seed",
          rationale: "divide.jsonl: the last number was 3.",
        },
        {
          path: "proposals/3/vote",
          hypothesis: "Voting over three samples.",
          axis: "explore",
          base_candidate_id: null,
          rationale: "untried",
        },
        {
          path: "proposals/3/decompose/harness.ts",
          hypothesis: "Decompose first.",
          axis: "explore",
          base_candidate_id: "cand-two",
          rationale: "cand-two threw on object inputs",
        },
      ],
    };
    fake.setRespond(
      scripted([
        {
          content: [
            { type: "text", text: "Starting with the overview." },
            ...reply(call("t1", "list_dir", { path: "candidates" }), call("t2", "read_file", { path: "README.md" }))
              .content!,
          ],
          usage: USAGE,
        },
        reply(call("t3", "grep", { pattern: '"status": ?"(failed|error)"', glob: "candidates/*/scores.json" })),
        reply(
          call("t4", "read_file", { path: "candidates/cand-seed/traces/divide.jsonl" }),
          call("t5", "read_file", { path: "candidates/cand-seed/traces/divide.jsonl", start_line: 3, end_line: 3 }),
        ),
        reply(
          call("t6", "write_file", { path: "../x.ts", content: "x" }),
          call("t7", "write_file", { path: outsideFile, content: "x" }),
          call("t8", "write_file", { path: "proposals/3/escape/harness.ts", content: "x" }),
          call("t9", "read_file", { path: "../outside/secret.txt" }),
          call("t10", "read_file", { path: "candidates/leak/secret.txt" }),
          call("t11", "write_file", { path: "candidates/cand-seed/harness.ts", content: "overwritten" }),
        ),
        reply(
          call("t12", "write_file", { path: "proposals/3/last-line/harness.ts", content: HARNESS_A }),
          call("t13", "write_file", { path: "proposals/3/vote/harness.ts", content: HARNESS_B }),
          call("t14", "write_file", { path: "proposals/3/decompose/harness.ts", content: HARNESS_C }),
        ),
        reply(call("t16", "finish", finish)),
      ]),
    );

    const log = recorder();
    const result = await createProposer("claude").propose(input({ record: log.record }));

    expect(result.error).toBeUndefined();
    expect(result.stopReason).toBe("done");
    expect(result.proposals).toEqual([
      {
        dir: "proposals/3/last-line",
        source: HARNESS_A,
        hypothesis: finish.proposals[0].hypothesis,
        axis: "exploit",
        baseCandidateId: "cand-seed",
        rationale: finish.proposals[0].rationale,
      },
      {
        dir: "proposals/3/vote",
        source: HARNESS_B,
        hypothesis: "Voting over three samples.",
        axis: "explore",
        baseCandidateId: null,
        rationale: "untried",
      },
      {
        dir: "proposals/3/decompose",
        source: HARNESS_C,
        hypothesis: "Decompose first.",
        axis: "explore",
        baseCandidateId: "cand-two",
        rationale: "cand-two threw on object inputs",
      },
    ]);
    // Each proposal folder keeps its own record.
    expect(
      JSON.parse(fs.readFileSync(path.join(workspace.proposalDir, "last-line/proposal.json"), "utf8")),
    ).toMatchObject({ axis: "exploit", base: "cand-seed" });

    // Files read: in order, each once, although the trace was read twice.
    expect(result.filesRead).toEqual(["README.md", "candidates/cand-seed/traces/divide.jsonl"]);

    const requests = messageRequests();
    expect(requests).toHaveLength(6);
    const afterReads = toolResults(requests[1]);
    expect(afterReads.get("t1")!.content).toContain("cand-seed/");
    expect(afterReads.get("t2")!.content).toContain("Answer each arithmetic question with a single number.");
    // The grep found the failed and the erroring task, with their lines.
    const grepText = toolResults(requests[2]).get("t3")!.content;
    expect(grepText).toMatch(/^2 matching lines in 2 files/);
    expect(grepText).toMatch(/\ncandidates\/cand-seed\/scores\.json:5: +\{"key":"divide","status":"failed"/);
    expect(grepText).toMatch(/\ncandidates\/cand-two\/scores\.json:5: +\{"key":"divide","status":"error"/);
    expect(grepText).not.toContain('"status":"passed"');
    // The raw trace, whole, with line numbers.
    const traceResults = toolResults(requests[3]);
    const traceText = traceResults.get("t4")!.content;
    trace
      .trimEnd()
      .split("\n")
      .forEach((line, index) => expect(traceText).toContain(`${String(index + 1).padStart(6)}\t${line}`));
    expect(traceResults.get("t5")!.content).toContain('"name":"failed"');

    // Refusals come back as tool errors; nothing landed outside.
    const refusals = toolResults(requests[4]);
    for (const id of ["t6", "t7", "t8", "t9", "t10", "t11"]) expect(refusals.get(id)!.is_error, id).toBe(true);
    expect(refusals.get("t6")!.content).toMatch(/outside the workspace; refused/);
    expect(refusals.get("t7")!.content).toMatch(/absolute paths are refused/);
    expect(refusals.get("t8")!.content).toMatch(/symbolic link\); refused/);
    expect(refusals.get("t9")!.content).toMatch(/outside the workspace; refused/);
    expect(refusals.get("t10")!.content).toMatch(/leads outside the workspace/);
    expect(refusals.get("t10")!.content).not.toContain("the studio's secret");
    expect(refusals.get("t11")!.content).toMatch(/only under proposals\/3\//);
    expect(fs.readdirSync(workspace.outsideDir)).toEqual(["secret.txt"]);
    expect(fs.existsSync(path.join(workspace.root, "x.ts"))).toBe(false);
    expect(fs.readFileSync(path.join(workspace.workspaceDir, "candidates/cand-seed/harness.ts"), "utf8")).not.toBe(
      "overwritten",
    );

    // Prompt caching: system, the last tool, and the newest user message carry breakpoints; never more than 4.
    for (const request of requests) {
      expect(request.body.system[0]).toMatchObject({
        type: "text",
        text: DEFAULT_INSTRUCTIONS,
        cache_control: { type: "ephemeral" },
      });
      expect(request.body.tools.at(-1)).toMatchObject({ name: "finish", cache_control: { type: "ephemeral" } });
      expect(request.body.tools.slice(0, -1).every((tool: any) => !tool.cache_control)).toBe(true);
      expect(request.body.messages.at(-1).content.at(-1).cache_control).toEqual({ type: "ephemeral" });
      expect(JSON.stringify(request.body).split('"cache_control"').length - 1).toBeLessThanOrEqual(4);
      expect(request.body.model).toBe(MODEL);
    }
    expect(requests[0].body.messages[0].content[0].text).toContain("Iteration 3: write 3 new candidate harnesses");

    // Tokens: input counts cache reads and writes.
    expect(result.inputTokens).toBe(6 * 160);
    expect(result.outputTokens).toBe(6 * 20);
    expect(result.costUsd).toBeCloseTo(6 * costUsd(MODEL, USAGE).usd, 10);
    expect(result.costUsd).toBeGreaterThan(0);

    // The transcript: every model call, tool call, read and result, in order.
    const tools = (...names: string[]) =>
      names.flatMap((name) =>
        name === "read_file" ? ["tool_call", "file_read", "tool_result"] : ["tool_call", "tool_result"],
      );
    expect(log.kinds()).toEqual([
      "model_call",
      ...tools("list_dir", "read_file"),
      "model_call",
      ...tools("grep"),
      "model_call",
      ...tools("read_file", "read_file"),
      "model_call",
      "tool_call",
      "tool_result",
      "tool_call",
      "tool_result",
      "tool_call",
      "tool_result",
      "tool_call",
      "tool_result",
      "tool_call",
      "tool_result",
      "tool_call",
      "tool_result",
      "model_call",
      ...tools("write_file", "write_file", "write_file"),
      "model_call",
      ...tools("finish"),
      "note",
    ]);
    const toolCalls = log.rows.filter((row) => row.kind === "tool_call");
    expect(toolCalls.map((row) => row.name)).toEqual([
      "list_dir",
      "read_file",
      "grep",
      "read_file",
      "read_file",
      "write_file",
      "write_file",
      "write_file",
      "read_file",
      "read_file",
      "write_file",
      "write_file",
      "write_file",
      "write_file",
      "finish",
    ]);
    expect(log.body(toolCalls[3])).toEqual({ id: "t4", input: { path: "candidates/cand-seed/traces/divide.jsonl" } });
    const traceResult = log.rows.filter((row) => row.kind === "tool_result")[3];
    expect(traceResult.name).toBe("read_file");
    expect(log.body(traceResult).text).toBe(traceText);
    expect(log.rows.filter((row) => row.kind === "file_read").map((row) => row.name)).toEqual([
      "README.md",
      "candidates/cand-seed/traces/divide.jsonl",
      "candidates/cand-seed/traces/divide.jsonl",
    ]);

    const modelCalls = log.rows.filter((row) => row.kind === "model_call");
    expect(modelCalls).toHaveLength(6);
    const first = modelCalls[0];
    expect(first).toMatchObject({
      genAiSystem: "anthropic",
      genAiRequestModel: MODEL,
      genAiResponseModel: MODEL,
      genAiUsageInputTokens: 160,
      genAiUsageOutputTokens: 20,
      genAiResponseFinishReasons: ["tool_use"],
    });
    const firstBody = log.body(first);
    expect(firstBody.request.body.messages[0].content[0].text).toContain("Iteration 3");
    expect(firstBody.response.body.content.map((block: any) => block.type)).toEqual(["text", "tool_use", "tool_use"]);
    // The last call's request holds the whole conversation, as sent.
    expect(log.body(modelCalls[5]).request.body).toEqual(requests[5].body);
  });

  it("stops at maxTurns, and returns the harnesses it had written with their proposal.json", async () => {
    workspace = makeWorkspace();
    let turn = 0;
    fake.setRespond(() => {
      turn++;
      if (turn === 1) {
        return reply(
          call("w1", "write_file", { path: "proposals/3/early/harness.ts", content: HARNESS_B }),
          call("w2", "write_file", {
            path: "proposals/3/early/proposal.json",
            content: JSON.stringify({ hypothesis: "h", axis: "exploit", base: "cand-two", rationale: "r" }),
          }),
        );
      }
      return reply(call(`l${turn}`, "list_dir", { path: "." }));
    });
    const log = recorder();
    const result = await createProposer("claude").propose(input({ record: log.record, maxTurns: 3 }));
    expect(result.stopReason).toBe("max_turns");
    expect(result.error).toBeUndefined();
    expect(messageRequests()).toHaveLength(3);
    expect(result.proposals).toEqual([
      {
        dir: "proposals/3/early",
        source: HARNESS_B,
        hypothesis: "h",
        axis: "exploit",
        baseCandidateId: "cand-two",
        rationale: "r",
      },
    ]);
    expect(log.kinds().filter((kind) => kind === "model_call")).toHaveLength(3);
    expect(log.body(log.rows.at(-1)!)).toMatchObject({ stopReason: "max_turns", turns: 3 });
  });

  it("stops once the token budget is reached", async () => {
    workspace = makeWorkspace();
    let turn = 0;
    fake.setRespond(() => ({
      ...reply(call(`b${++turn}`, "list_dir", {})),
      usage: { input_tokens: 1000, output_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    }));
    const result = await createProposer("claude").propose(input({ record: recorder().record, tokenBudget: 2500 }));
    expect(result.stopReason).toBe("budget");
    // 2 calls = 2200 tokens, under the budget; the 3rd reaches it.
    expect(messageRequests()).toHaveLength(3);
    expect(result.inputTokens + result.outputTokens).toBe(3300);
    expect(result.proposals).toEqual([]);
  });

  it("refuses a finish that names missing files, unknown bases or too many proposals, and accepts the corrected one", async () => {
    workspace = makeWorkspace();
    const entry = (p: string, base: string | null = null) => ({
      path: p,
      hypothesis: "h",
      axis: "explore",
      base_candidate_id: base,
      rationale: "r",
    });
    fake.setRespond(
      scripted([
        reply(call("w", "write_file", { path: "proposals/3/only/harness.ts", content: HARNESS_B })),
        reply(
          call("f1", "finish", {
            proposals: [
              entry("proposals/3/only/harness.ts", "cand-nope"),
              entry("proposals/3/missing/harness.ts"),
              entry("candidates/cand-seed/harness.ts"),
            ],
          }),
        ),
        reply(call("f2", "finish", { proposals: [entry("a"), entry("b"), entry("c"), entry("d")] })),
        reply(call("f3", "finish", { proposals: [{ path: "proposals/3/only/harness.ts", axis: "sideways" }] })),
        reply(call("f4", "finish", { proposals: [entry("proposals/3/only/harness.ts", "cand-seed")] })),
      ]),
    );
    const log = recorder();
    const result = await createProposer("claude").propose(input({ record: log.record }));
    expect(result.stopReason).toBe("done");
    expect(result.proposals).toEqual([
      {
        dir: "proposals/3/only",
        source: HARNESS_B,
        hypothesis: "h",
        axis: "explore",
        baseCandidateId: "cand-seed",
        rationale: "r",
      },
    ]);
    const requests = messageRequests();
    const first = toolResults(requests[2]).get("f1")!;
    expect(first.is_error).toBe(true);
    expect(first.content).toContain('base_candidate_id "cand-nope" is not a folder under candidates/');
    expect(first.content).toContain("proposals/3/missing/harness.ts: no such file");
    expect(first.content).toContain(
      "proposal 3 (candidates/cand-seed/harness.ts): a proposal must be a file written under proposals/3/",
    );
    expect(toolResults(requests[3]).get("f2")!.content).toContain(
      "finish lists 4 proposals, but this iteration wants 3",
    );
    expect(toolResults(requests[4]).get("f3")!.content).toMatch(/invalid input for finish/);
    // Fewer than k is accepted, and said.
    expect(
      log.rows.some(
        (row) => row.kind === "note" && row.preview?.includes("finish accepted 1 proposals; 3 were wanted"),
      ),
    ).toBe(true);
  });

  it("says so when check_candidate has no checker, and reminds a model that stops without finishing", async () => {
    workspace = makeWorkspace();
    fake.setRespond(
      scripted([
        reply(call("w", "write_file", { path: "proposals/3/a/harness.ts", content: HARNESS_B })),
        reply(call("c", "check_candidate", { path: "proposals/3/a/harness.ts" })),
        { text: "I am done.", usage: USAGE },
        reply(
          call("f", "finish", {
            proposals: [
              {
                path: "proposals/3/a/harness.ts",
                hypothesis: "h",
                axis: "explore",
                base_candidate_id: null,
                rationale: "r",
              },
            ],
          }),
        ),
      ]),
    );
    const log = recorder();
    const result = await createProposer("claude").propose(input({ record: log.record, candidatesWanted: 1 }));
    expect(result.stopReason).toBe("done");
    const requests = messageRequests();
    expect(requests[0].body.messages[0].content[0].text).toContain("check_candidate is not available in this run");
    expect(toolResults(requests[2]).get("c")).toMatchObject({
      is_error: true,
      content: expect.stringContaining("check_candidate is not available in this run"),
    });
    expect(requests[3].body.messages.at(-1).content[0].text).toContain("Nothing counts until you call finish");
  });

  it("reports a failed model call as an error, recorded in the transcript", async () => {
    workspace = makeWorkspace();
    fake.setRespond(
      // Not "prompt is too long": that one is answered by clearing old tool results (claude-context.test.ts).
      scripted([{ status: 400, error: { type: "invalid_request_error", message: "messages: roles must alternate" } }]),
    );
    const log = recorder();
    const result = await createProposer("claude").propose(input({ record: log.record }));
    expect(result.stopReason).toBe("error");
    expect(result.error).toBe(
      "model call 1 failed: The model API answered 400 invalid_request_error: messages: roles must alternate.",
    );
    expect(log.kinds()).toEqual(["model_call", "error", "note"]);
    // Recorded by the proxy: upstream's answer, one attempt (a 400 is not retried).
    expect(log.rows[0].preview).toBe("error: 400 invalid_request_error: messages: roles must alternate");
    expect(log.body(log.rows[0]).response.status).toBe(400);
    expect(log.body(log.rows[0]).attempts).toMatchObject([{ status: 400 }]);
  });

  it("stops with budget when the proxy refuses a call past the proposer's budget", async () => {
    workspace = makeWorkspace();
    fake.setRespond(() => reply(call("l", "list_dir", {})));
    // Spent before the first call (by another iteration, say): the proxy refuses it.
    const spent = newCredential();
    proxy.register(spent, { budgets: [newBudget("project proposer", { tokens: 1_000 }, { tokens: 1_200, usd: 0 })!] });
    const log = recorder();
    const result = await createProposer("claude").propose({
      ...input({ record: log.record }),
      client: { baseURL: proxy.url, apiKey: spent },
    });
    proxy.unregister(spent);
    expect(result.stopReason).toBe("budget");
    expect(result.error).toContain("Token budget exhausted: project proposer used 1200 of 1000 tokens");
    expect(messageRequests()).toHaveLength(0);
    expect(log.kinds()).toEqual(["model_call", "error", "note"]);
    expect(log.body(log.rows[0]).response.status).toBe(400);
  });

  it("stops as cancelled when the signal fires during a model call", async () => {
    workspace = makeWorkspace();
    fake.setRespond(() => ({ ...reply(call("slow", "list_dir", {})), delayMs: 5_000 }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const result = await createProposer("claude").propose(
      input({ record: recorder().record, signal: controller.signal }),
    );
    expect(result.stopReason).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it("refuses a proposal folder outside the workspace without calling the model", async () => {
    workspace = makeWorkspace();
    const result = await createProposer("claude").propose(
      input({ record: recorder().record, proposalDir: workspace.outsideDir }),
    );
    expect(result.stopReason).toBe("error");
    expect(result.error).toMatch(/must be a folder inside the workspace/);
    expect(messageRequests()).toHaveLength(0);
  });

  it("on a model with no price: refuses a dollar budget before any call, and reports its cost as unknown without one", async () => {
    workspace = makeWorkspace();
    const refused = await createProposer("claude").propose(
      input({ record: recorder().record, model: "acme-proposer-1", usdBudget: 5 }),
    );
    expect(refused.stopReason).toBe("budget");
    expect(refused.error).toMatch(
      /^Dollar budget cannot be enforced: the proposer's model acme-proposer-1 has no price\. Add its price/,
    );
    expect(messageRequests()).toHaveLength(0);

    let turn = 0;
    fake.setRespond(() => reply(call(`u${++turn}`, "list_dir", {})));
    const unbudgeted = await createProposer("claude").propose(
      input({ record: recorder().record, model: "acme-proposer-1", maxTurns: 2 }),
    );
    expect(unbudgeted.stopReason).toBe("max_turns");
    expect(messageRequests()).toHaveLength(2);
    expect(unbudgeted.inputTokens).toBeGreaterThan(0);
    expect(unbudgeted.costUsd).toBeNull(); // unknown, not $0
  });
});
