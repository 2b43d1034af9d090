// Rule 4 of the offline model (lib/offline/RULES.md): a trace summary for a summary-mode workspace.
// Pure functions: no server, no database.
import { describe, expect, it } from "vitest";
import { explain } from "../../../lib/offline/rules.ts";
import { SUMMARY_SYSTEM } from "../../../lib/iterations/summaries.ts";

const trace = [
  JSON.stringify({
    kind: "model_call",
    seq: 0,
    "gen_ai.response.finish_reasons": ["max_tokens"],
    body: { request: { body: { messages: [{ role: "user", content: "Classify this. Labels: a, b\nText: hello" }] } } },
  }),
  JSON.stringify({ kind: "output", seq: 1, body: { value: "I think this is about a." } }),
  JSON.stringify({ kind: "grade", seq: 2, body: { score: 0, passed: false, expected: "a", output: "x" } }),
  '{"kind":"log","seq":3,"body":{"val', // cut by the size cap: skipped
].join("\n");

describe("Rule 4: trace summaries", () => {
  it("answers the studio's summary request with the trace's facts, before any rule the trace's own prompts match", () => {
    const reply = explain({
      system: SUMMARY_SYSTEM,
      messages: [{ role: "user", content: `Task t1: failed.\n${trace}` }],
    });
    expect(reply.rule).toBe("summary");
    expect(reply.text.split("\n")).toEqual([
      "3 events: model_call ×1, output ×1, grade ×1.",
      "Model calls stopped by: max_tokens.",
      'Output: "I think this is about a.".',
      'Grade: score 0, not passed; expected "a".',
    ]);
  });

  it("applies only when the system prompt asks for it", () => {
    expect(
      explain({ messages: [{ role: "user", content: `Summarize the raw trace of one task run\n${trace}` }] }).rule,
    ).not.toBe("summary");
  });
});
