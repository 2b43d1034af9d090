import { describe, expect, it } from "vitest";
import { MessageAssembler } from "../../../lib/runner/proxy/reassemble.ts";
import { SseParser, type SseEvent } from "../../../lib/runner/proxy/sse.ts";
import { buildMessage, streamEvents } from "../../fakes/anthropic-server.ts";

function toSse(events: { type: string }[], newline = "\n"): string {
  return events.map((e) => `event: ${e.type}${newline}data: ${JSON.stringify(e)}${newline}${newline}`).join("");
}

/** Feeds text to the parser in pieces of `size` bytes, so every boundary case gets hit. */
function parseInPieces(text: string, size: number): SseEvent[] {
  const bytes = Buffer.from(text, "utf8");
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (let at = 0; at < bytes.length; at += size) events.push(...parser.push(bytes.subarray(at, at + size)));
  events.push(...parser.end());
  return events;
}

describe("SseParser", () => {
  it("yields the same events however the bytes are split, with LF, CRLF or CR line ends", () => {
    const events = [
      { type: "message_start", note: "héllo ✓ 日本" },
      { type: "content_block_delta", text: "a" },
    ];
    for (const newline of ["\n", "\r\n", "\r"]) {
      const text = `: a comment${newline}${toSse(events, newline)}`;
      for (const size of [1, 2, 3, 7, 1000]) {
        const parsed = parseInPieces(text, size);
        expect(parsed.map((e) => e.event)).toEqual(["message_start", "content_block_delta"]);
        expect(JSON.parse(parsed[0].data).note).toBe("héllo ✓ 日本");
      }
    }
  });

  it("joins multi-line data and flushes a final event that lacks its blank line", () => {
    const parsed = parseInPieces("data: one\ndata: two\n\nevent: last\ndata:{}", 4);
    expect(parsed).toEqual([
      { event: null, data: "one\ntwo" },
      { event: "last", data: "{}" },
    ]);
  });
});

describe("MessageAssembler", () => {
  const message = buildMessage(
    {
      content: [
        { type: "thinking", thinking: "The user wants the weather, so I will call the tool.", signature: "sig-abc" },
        { type: "text", text: "Let me look that up for you right now." },
        {
          type: "tool_use",
          id: "toolu_1",
          name: "get_weather",
          input: { city: "Paris", days: [1, 2, 3], units: { temp: "C" } },
        },
      ],
      usage: { input_tokens: 42, output_tokens: 17, cache_read_input_tokens: 5 },
    },
    { model: "claude-sonnet-4-5", messages: [] },
  );

  it("rebuilds text, thinking (with signature) and tool_use input from the event stream", () => {
    const assembler = new MessageAssembler();
    for (const event of parseInPieces(toSse(streamEvents(message)), 5)) assembler.apply(event);
    expect(assembler.complete).toBe(true);
    expect(assembler.error).toBeUndefined();
    expect(assembler.result()).toEqual(message);
    expect(assembler.firstDeltaAt).toBeTypeOf("number");
  });

  it("keeps a partial message and the error when the stream breaks off", () => {
    const events = streamEvents(message);
    const cut = events.findIndex(
      (e) => e.type === "content_block_delta" && e.delta.type === "input_json_delta" && e.delta.partial_json !== "",
    );
    const sse =
      toSse(events.slice(0, cut + 1)) +
      `event: error\ndata: ${JSON.stringify({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } })}\n\n`;
    const assembler = new MessageAssembler();
    for (const event of parseInPieces(sse, 64)) assembler.apply(event);
    const result = assembler.result() as any;
    expect(assembler.complete).toBe(false);
    expect(assembler.error).toEqual({ type: "overloaded_error", message: "Overloaded" });
    expect(result.content[1].text).toBe("Let me look that up for you right now.");
    // Half a JSON document stays as text rather than vanishing.
    expect(result.content[2].input).toBe('{"city":"Par');
  });
});
