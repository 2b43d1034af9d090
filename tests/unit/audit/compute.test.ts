import { describe, expect, it } from "vitest";
import { auditEvents, commonPrefixLength, promptText, type AuditEvent } from "../../../lib/audit/compute.ts";
import { compareAudits, summarizeAudits } from "../../../lib/audit/summary.ts";

const TOOLS = [
  { name: "calculator", input_schema: { type: "object" } },
  { name: "search", input_schema: { type: "object" } },
];

/** A recorded exchange as the proxy stores it (only the fields the audit reads, plus noise it must ignore). */
function call(request: unknown, content: unknown[], usage: Record<string, number>, operation = "messages"): AuditEvent {
  return {
    kind: "model_call",
    body: {
      operation,
      request: { body: request, headers: {} },
      response: { status: 200, body: { content }, rawStream: "event: ignored" },
      usage,
    },
  };
}

const question = { role: "user", content: "What is 6 * 7, and who said it?" };
const firstUse = { type: "tool_use", id: "tu_1", name: "calculator", input: { expr: "6*7" } };
const secondUse = { type: "tool_use", id: "tu_2", name: "calculator", input: { expr: "6×7" } };

// A three-call agent loop: the calculator is called twice, its first result is an error; search is
// offered every time and never called. Each request repeats the whole previous one and adds to it.
type Request = { model: string; max_tokens: number; system: string; tools: unknown[]; messages: unknown[] };
const requests: Request[] = [
  { model: "m", max_tokens: 100, system: "You are careful.", tools: TOOLS, messages: [question] },
  {
    model: "m",
    max_tokens: 100,
    system: "You are careful.",
    tools: TOOLS,
    messages: [
      question,
      { role: "assistant", content: [firstUse] },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "tu_1", is_error: true, content: "bad expression" }],
      },
    ],
  },
];
requests.push({
  ...requests[1],
  messages: [
    ...requests[1].messages,
    { role: "assistant", content: [secondUse] },
    { role: "user", content: [{ type: "tool_result", tool_use_id: "tu_2", content: "42" }] },
  ],
});
const loop: AuditEvent[] = [
  call(requests[0], [firstUse], { input_tokens: 100, output_tokens: 10, cache_creation_input_tokens: 50 }),
  call(requests[1], [secondUse], { input_tokens: 20, output_tokens: 12, cache_read_input_tokens: 150 }),
  call(requests[2], [{ type: "text", text: "42, Douglas Adams" }], {
    input_tokens: 30,
    output_tokens: 8,
    cache_read_input_tokens: 170,
  }),
  call({ model: "m", messages: [question] }, [], { input_tokens: 25, output_tokens: 0 }, "count_tokens"),
  { kind: "exec", body: { command: "ls", exitCode: 0, timedOut: false, signal: null } },
  { kind: "exec", body: { command: "false", exitCode: 1, timedOut: false, signal: null } },
  { kind: "exec", body: { command: "sleep 99", exitCode: null, timedOut: true, signal: "SIGKILL" } },
  // The grader's own command, stored in the same trace: not the harness's.
  { kind: "exec", name: "grader exec", body: { command: "sh check.sh", exitCode: 1, timedOut: false, signal: null } },
];

describe("auditEvents", () => {
  const audit = auditEvents(loop);

  it("counts messages calls and their tokens, cache reads within input, count_tokens left out", () => {
    expect(audit.modelCalls).toBe(3);
    expect(audit.inputTokens).toBe(100 + 50 + 20 + 150 + 30 + 170);
    expect(audit.cachedInputTokens).toBe(320);
    expect(audit.outputTokens).toBe(30);
  });

  it("counts tools offered per request, called per tool_use, errored once per failed tool_result", () => {
    // tu_1's error result is carried by requests 2 and 3: it is one failed call, not two.
    expect(audit.tools).toEqual({
      calculator: { offered: 3, called: 2, errored: 1 },
      search: { offered: 3, called: 0, errored: 0 },
    });
  });

  it("measures the prompt each call repeats from the previous one, as characters of promptText", () => {
    const texts = requests.map(promptText);
    expect(audit.promptChars).toBe(texts[0].length + texts[1].length + texts[2].length);
    expect(audit.repeatedChars).toBe(commonPrefixLength(texts[0], texts[1]) + commonPrefixLength(texts[1], texts[2]));
    // Each request holds the previous one whole but for the closing brackets of the messages list.
    expect(commonPrefixLength(texts[0], texts[1])).toBe(texts[0].length - 2);
    expect(promptText(requests[0])).not.toContain("max_tokens");
  });

  it("counts the harness's execs and the ones that failed (non-zero exit, time-out), not the grader's", () => {
    expect(audit.execs).toBe(3);
    expect(audit.failedExecs).toBe(2);
  });

  it("reads a proposer's tool_call / tool_result events, and counts a cut body as an unread call", () => {
    const other = auditEvents([
      { kind: "tool_call", name: "read_file", body: { id: "c1", input: {} } },
      { kind: "tool_result", name: "read_file", body: { id: "c1", isError: true, text: "no such file" } },
      { kind: "tool_call", name: "read_file", body: { id: "c2", input: {} } },
      { kind: "model_call", body: { truncated: true, originalBytes: 9e6, keptBytes: 8e6, head: "{" } },
    ]);
    expect(other.tools).toEqual({ read_file: { offered: 0, called: 2, errored: 1 } });
    expect(other.modelCalls).toBe(1);
    expect(other.unreadCalls).toBe(1);
    expect(other.promptChars).toBe(0);
  });

  it("a prompt rebuilt from scratch each call repeats only its common start", () => {
    const changed = auditEvents([
      call({ system: "A", messages: [{ role: "user", content: "first question" }] }, [], {}),
      call({ system: "B", messages: [{ role: "user", content: "first question" }] }, [], {}),
    ]);
    expect(changed.repeatedChars).toBe('{"system":"'.length);
  });
});

describe("commonPrefixLength", () => {
  it("finds where two long prompts part, at and around the chunk edges", () => {
    const base = Array.from({ length: 12_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join("");
    for (const at of [0, 1, 4095, 4096, 4097, 8191, 8192, 11_999]) {
      const changed = `${base.slice(0, at)}#${base.slice(at + 1)}`;
      expect(commonPrefixLength(base, changed), `parted at ${at}`).toBe(at);
    }
    expect(commonPrefixLength(base, base)).toBe(base.length);
    expect(commonPrefixLength(base.slice(0, 5000), base)).toBe(5000);
    expect(commonPrefixLength("", base)).toBe(0);
  });
});

describe("summarizeAudits and compareAudits", () => {
  const one = auditEvents(loop);
  const plain = auditEvents([call({ system: "s", messages: [question] }, [], { input_tokens: 40, output_tokens: 4 })]);
  const a = summarizeAudits([
    { audit: one, durationMs: 1000 },
    { audit: plain, durationMs: null },
  ]);
  const b = summarizeAudits([{ audit: plain, durationMs: 300 }]);

  it("averages per task run and sums the tool table", () => {
    expect(a.taskRuns).toBe(2);
    expect(a.perTask.inputTokens).toBe((520 + 40) / 2);
    expect(a.perTask.modelCalls).toBe(2);
    expect(a.perTask.wallMs).toBe(1000); // the run without a duration is not counted as 0
    expect(a.repeatShare).toBeCloseTo(one.repeatedChars / (one.promptChars + plain.promptChars));
    expect(a.tools.map((tool) => [tool.name, tool.called, tool.tasksCalling])).toEqual([
      ["calculator", 2, 1],
      ["search", 0, 0],
    ]);
  });

  it("says what grew, what shrank and which tools disappeared", () => {
    const comparison = compareAudits(a, b);
    const figure = (key: string) => comparison.figures.find((item) => item.key === key)!;
    expect(figure("inputTokens").change).toBe(40 - 280);
    expect(figure("modelCalls").change).toBe(-1);
    expect(figure("wallMs").change).toBe(-700);
    expect(comparison.toolsDisappeared).toEqual(["calculator", "search"]);
    expect(compareAudits(b, a).toolsAppeared).toEqual(["calculator", "search"]);
  });
});
