import { describe, expect, it } from "vitest";
import { renderPrompt } from "../../../lib/traces/prompt.ts";

describe("renderPrompt", () => {
  it("renders system, tools and each message under its role, one prompt line per line", () => {
    const text = renderPrompt({
      model: "claude-sonnet-5-5",
      system: [{ type: "text", text: "You classify tickets.\nAnswer with the label only." }],
      tools: [{ name: "lookup", input_schema: {} }, { name: "search" }],
      messages: [
        { role: "user", content: "Ticket: my card was charged twice" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me look." },
            { type: "tool_use", id: "t1", name: "lookup", input: { id: 7 } },
          ],
        },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", is_error: true, content: "not found" }] },
      ],
    });
    expect(text).toBe(
      [
        "## system",
        "You classify tickets.",
        "Answer with the label only.",
        "",
        "## tools",
        "lookup, search",
        "",
        "## user",
        "Ticket: my card was charged twice",
        "",
        "## assistant",
        "Let me look.",
        "[tool_use lookup]",
        "{",
        '  "id": 7',
        "}",
        "",
        "## user",
        "[tool_result error]",
        "not found",
        "",
      ].join("\n"),
    );
  });

  it("keeps what it does not know: a string system, images as a placeholder, unknown blocks as JSON", () => {
    const text = renderPrompt({
      system: "Be brief.",
      messages: [
        {
          role: "user",
          content: [
            { type: "image", source: {} },
            { type: "mystery", x: 1 },
          ],
        },
      ],
    });
    expect(text).toBe('## system\nBe brief.\n\n## user\n[image]\n{\n  "type": "mystery",\n  "x": 1\n}\n');
  });

  it("shows a request that was not JSON as it was recorded, and no request as null", () => {
    expect(renderPrompt("not json {")).toBe("not json {");
    expect(renderPrompt(null)).toBe("null");
  });
});
