// The Claude proposer at the method's scale: it reads 200 large raw traces (about 3M tokens of
// tool results) in one session against a fake Anthropic server that refuses any prompt over a
// small window with the real API's 400 "prompt is too long", and still finishes with a valid
// harness. The fake ignores context_management, so only the proposer's own clearing holds.
import { afterEach, describe, expect, it } from "vitest";
import {
  promptTokens,
  startFakeAnthropic,
  type FakeAnthropic,
  type FakeContentBlock,
  type FakeRequest,
} from "../../fakes/anthropic-server.ts";
import { deepReader, deepTracePath, writeDeepTraces, DEEP_HARNESS } from "../../fakes/deep-reader.ts";
import { createProposer, DEFAULT_INSTRUCTIONS, type ProposerInput } from "../../../lib/proposer/index.ts";
import { compileHarness } from "../../../lib/runner/sandbox/compile.ts";
import { makeWorkspace, recorder, throughProxy, type TestWorkspace } from "./workspace.ts";

const MODEL = "claude-opus-5-5";
const WINDOW = 60_000;

let fake: FakeAnthropic | undefined;
let workspace: TestWorkspace | undefined;
/** The recording proxy between the proposer and the fake, as in the loop (some tests). */
let proxy: Awaited<ReturnType<typeof throughProxy>> | undefined;

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  await fake?.close();
  workspace?.remove();
});

function input(reads: number, record: ProposerInput["record"]): ProposerInput {
  return {
    workspaceDir: workspace!.workspaceDir,
    proposalDir: workspace!.proposalDir,
    iteration: 3,
    candidatesWanted: 1,
    instructions: DEFAULT_INSTRUCTIONS,
    model: MODEL,
    maxTurns: reads + 10,
    client: proxy?.client ?? { baseURL: fake!.url, apiKey: "sk-test" },
    record,
  };
}

const messageRequests = () => fake!.requests.filter((request) => request.path === "/v1/messages");
const systemText = (request: FakeRequest) => request.body.system.map((block: any) => block.text).join("\n");
const toolResultTexts = (request: FakeRequest): string[] =>
  request.body.messages.flatMap((message: any) =>
    Array.isArray(message.content)
      ? message.content.filter((block: any) => block.type === "tool_result").map((block: any) => String(block.content))
      : [],
  );

describe("the Claude proposer's context", () => {
  it("reads 200 large traces under a 60K window, clearing old results to stubs, and writes a valid harness", async () => {
    const reads = 200;
    workspace = makeWorkspace();
    writeDeepTraces(workspace.workspaceDir, reads);
    fake = await startFakeAnthropic({ respond: deepReader(reads, 3), maxPromptTokens: WINDOW });
    const log = recorder();
    // Through the recording proxy, as in the loop: every call is recorded there.
    proxy = await throughProxy(fake.url, log.record, "sk-test");

    const result = await createProposer("claude", { contextWindow: WINDOW }).propose(input(reads, log.record));

    expect(result.error).toBeUndefined();
    expect(result.stopReason).toBe("done");
    expect(result.proposals).toHaveLength(1);
    expect(result.proposals[0].source).toBe(DEEP_HARNESS);
    expect((await compileHarness(result.proposals[0].source)).ok).toBe(true);
    expect(result.filesRead.filter((file) => file.includes("/deep-"))).toHaveLength(reads);

    const requests = messageRequests();
    // One request per read, the write and the finish; none refused: each stayed under the window.
    expect(requests).toHaveLength(reads + 2);
    expect(log.rows.filter((row) => row.kind === "model_call")).toHaveLength(reads + 2);
    const sizes = requests.map((request) => promptTokens(request.body));
    expect(Math.max(...sizes)).toBeLessThanOrEqual(WINDOW);
    // Every read's page reached the model whole once: the request after it carried it.
    for (let i = 0; i < reads; i++) {
      const texts = toolResultTexts(requests[i + 1]);
      expect(texts.at(-1)).toContain(`trace ${i} line 0:`);
    }
    const tokensOfResults = requests.reduce((sum, request, i) => {
      const newest = toolResultTexts(request).at(-1);
      return i > 0 && newest ? sum + Math.ceil(newest.length / 4) : sum;
    }, 0);
    expect(tokensOfResults).toBeGreaterThan(3_000_000);

    // Old pages are stubs that say what was read and how to read it again.
    const last = requests.at(-1)!;
    const stubs = toolResultTexts(last).filter((text) => text.startsWith("[cleared: read_file"));
    expect(stubs.length).toBeGreaterThan(reads - 10);
    expect(stubs[0]).toContain(JSON.stringify({ path: deepTracePath(0) }));
    expect(stubs[0]).toContain("call read_file again");
    // The read list is in the system prompt of later requests, naming the first and latest reads.
    expect(systemText(last)).toContain(`- ${deepTracePath(0)} (lines 1-`);
    expect(systemText(last)).toContain(deepTracePath(reads - 5));
    expect(systemText(requests[0])).not.toContain("Files read this session");
    // The instructions keep their cache breakpoint as the first system block.
    expect(last.body.system[0]).toMatchObject({ text: DEFAULT_INSTRUCTIONS, cache_control: { type: "ephemeral" } });
    // The API's own context editing is asked for (the fake ignores it).
    expect(last.headers["anthropic-beta"]).toContain("context-management-2025-06-27");
    expect(last.body.context_management.edits[0]).toMatchObject({ type: "clear_tool_uses_20250919" });
    // The transcript says when it cleared.
    const notes = log.rows.filter((row) => row.kind === "note").map((row) => log.body(row).message as string);
    expect(notes.some((note) => /context kept under its window: \d+ old tool result/.test(note))).toBe(true);

    const figures = {
      filesRead: result.filesRead.length,
      requests: requests.length,
      tokensSent: sizes.reduce((a, b) => a + b, 0),
      toolResultTokens: tokensOfResults,
      largestRequest: Math.max(...sizes),
      window: WINDOW,
    };
    console.log(`proposer context figures: ${JSON.stringify(figures)}`);
  }, 120_000);

  it("stays under the window when one turn reads more than the window holds", async () => {
    const reads = 6;
    workspace = makeWorkspace();
    writeDeepTraces(workspace.workspaceDir, reads);
    const all = Array.from({ length: reads }, (_, i) => ({
      type: "tool_use" as const,
      id: `many_${i}`,
      name: "read_file",
      input: { path: deepTracePath(i) },
    }));
    let turn = 0;
    fake = await startFakeAnthropic({
      maxPromptTokens: WINDOW,
      respond: () =>
        turn++ === 0
          ? { content: all }
          : {
              content: [
                {
                  type: "tool_use",
                  name: "write_file",
                  input: { path: "proposals/3/a/harness.ts", content: DEEP_HARNESS },
                },
              ],
            },
    });
    const log = recorder();
    const result = await createProposer("claude", { contextWindow: WINDOW }).propose({
      ...input(reads, log.record),
      maxTurns: 2,
    });

    // Two turns, nothing refused; the second request kept the last page whole and stubbed the others.
    expect(result.error).toBeUndefined();
    expect(result.stopReason).toBe("max_turns");
    expect(result.proposals.map((proposal) => proposal.dir)).toEqual(["proposals/3/a"]);
    const requests = messageRequests();
    expect(requests).toHaveLength(2);
    expect(promptTokens(requests[1].body)).toBeLessThanOrEqual(WINDOW);
    const texts = toolResultTexts(requests[1]);
    expect(texts).toHaveLength(reads);
    expect(texts.at(-1)).toContain(`trace ${reads - 1} line 0:`);
    expect(texts.filter((text) => text.startsWith("[cleared: read_file")).length).toBeGreaterThanOrEqual(2);
  });

  it("goes on without context_management when the upstream refuses the field", async () => {
    workspace = makeWorkspace();
    writeDeepTraces(workspace.workspaceDir, 2);
    const reader = deepReader(2, 3);
    fake = await startFakeAnthropic({
      respond: (request) =>
        request.body.context_management
          ? {
              status: 400,
              error: { type: "invalid_request_error", message: "context_management: Extra inputs are not permitted" },
            }
          : reader(request),
    });
    const log = recorder();
    proxy = await throughProxy(fake.url, log.record, "sk-test");
    const result = await createProposer("claude").propose(input(2, log.record));

    expect(result.error).toBeUndefined();
    expect(result.stopReason).toBe("done");
    const requests = messageRequests();
    // Refused once with the field, then every request without it (or its beta header).
    expect(requests).toHaveLength(2 + 2 + 1);
    expect(requests[0].body.context_management).toBeDefined();
    for (const request of requests.slice(1)) {
      expect(request.body.context_management).toBeUndefined();
      expect(request.headers["anthropic-beta"] ?? "").not.toContain("context-management");
    }
    // The refused call is in the transcript, recorded by the proxy, before the note that says why.
    const calls = log.rows.filter((row) => row.kind === "model_call");
    expect(calls).toHaveLength(5);
    expect(log.body(calls[0]).response.status).toBe(400);
    expect(log.body(calls[0]).request.headers["anthropic-beta"]).toContain("context-management");
    expect(log.kinds().slice(0, 2)).toEqual(["model_call", "note"]);
  });

  it("asks for server-side compaction where the model has it, and sends the compaction block back as the API wants", async () => {
    workspace = makeWorkspace();
    writeDeepTraces(workspace.workspaceDir, 3, 2_000);
    const reader = deepReader(3, 3);
    const SUMMARY = {
      type: "compaction",
      content: "Read traces 0 and 1: both end without a final ANSWER line.",
    } as unknown as FakeContentBlock;
    let turn = 0;
    fake = await startFakeAnthropic({
      respond: (request) => {
        const reply = reader(request) as { content: FakeContentBlock[] };
        // The second answer carries the API's compaction block before its tool call.
        return turn++ === 1 ? { ...reply, content: [SUMMARY, ...reply.content] } : reply;
      },
    });
    const log = recorder();
    proxy = await throughProxy(fake.url, log.record, "sk-test");
    const result = await createProposer("claude").propose({ ...input(3, log.record), model: "claude-opus-4-6" });

    expect(result.stopReason).toBe("done");
    const requests = messageRequests();
    for (const request of requests) {
      expect(request.headers["anthropic-beta"]).toBe("context-management-2025-06-27,compact-2026-01-12");
      expect(request.body.context_management.edits.map((edit: { type: string }) => edit.type)).toEqual([
        "clear_tool_uses_20250919",
        "compact_20260112",
      ]);
    }
    // Every request after it carries the block as the assistant's, unchanged.
    const carried = (request: FakeRequest) =>
      request.body.messages.some(
        (message: any) =>
          message.role === "assistant" &&
          Array.isArray(message.content) &&
          message.content.some((block: any) => JSON.stringify(block) === JSON.stringify(SUMMARY)),
      );
    expect(requests.map(carried)).toEqual(requests.map((_, i) => i >= 2));

    // A model without compaction gets context editing alone.
    fake.requests.length = 0;
    turn = 0;
    workspace.remove();
    workspace = makeWorkspace();
    writeDeepTraces(workspace.workspaceDir, 3, 2_000);
    await createProposer("claude").propose({ ...input(3, recorder().record), model: "claude-haiku-4-5" });
    expect(messageRequests()[0].headers["anthropic-beta"]).toBe("context-management-2025-06-27");
    expect(messageRequests()[0].body.context_management.edits).toHaveLength(1);
  });

  it("answers a 400 prompt-too-long by clearing more and retrying once, and finishes", async () => {
    const reads = 12;
    workspace = makeWorkspace();
    writeDeepTraces(workspace.workspaceDir, reads);
    // The proposer believes the model's 200K window; the upstream refuses over 60K.
    fake = await startFakeAnthropic({ respond: deepReader(reads, 3), maxPromptTokens: WINDOW });
    const log = recorder();
    // Through the recording proxy, which hands upstream's 400 back to the proposer.
    proxy = await throughProxy(fake.url, log.record, "sk-test");

    const result = await createProposer("claude").propose(input(reads, log.record));

    expect(result.error).toBeUndefined();
    expect(result.stopReason).toBe("done");
    expect(result.proposals.map((proposal) => proposal.dir)).toEqual(["proposals/3/last-line"]);
    expect(result.filesRead).toHaveLength(reads);

    const requests = messageRequests();
    const sizes = requests.map((request) => promptTokens(request.body));
    const refused = sizes.flatMap((size, i) => (size > WINDOW ? [i] : []));
    // Refused once; the retry was the same turn, smaller, and nothing after it was refused.
    expect(refused).toHaveLength(1);
    const [at] = refused;
    expect(sizes[at + 1]).toBeLessThan(WINDOW);
    expect(sizes[at + 1]).toBeLessThan(sizes[at] * 0.75);
    expect(requests[at + 1].body.messages.length).toBe(requests[at].body.messages.length);
    expect(toolResultTexts(requests[at + 1]).some((text) => text.startsWith("[cleared: read_file"))).toBe(true);
    expect(requests).toHaveLength(reads + 3);
    const notes = log.rows.filter((row) => row.kind === "note").map((row) => log.body(row).message as string);
    expect(notes.some((note) => note.startsWith("the model refused the prompt as too long;"))).toBe(true);
    const statuses = log.rows.filter((row) => row.kind === "model_call").map((row) => log.body(row).response.status);
    expect(statuses).toHaveLength(reads + 3);
    expect(statuses.filter((status) => status === 400)).toHaveLength(1);
  }, 60_000);
});
