import { describe, expect, it } from "vitest";
import { TaskStream } from "../../../lib/runner/sandbox/capture.ts";

function stream(keep = 16, ceiling = 1_000) {
  const seen = { texts: [] as string[], sentinels: 0, ceilings: [] as number[] };
  const capture = new TaskStream(keep, ceiling, 32, {
    onText: (text) => seen.texts.push(text),
    onSentinel: () => seen.sentinels++,
    onCeiling: (bytes) => seen.ceilings.push(bytes),
  });
  return { capture, seen };
}

const SENTINEL = "\u0000end:abc\u0000";

describe("TaskStream", () => {
  it("cuts the stream at the sentinel, even when it arrives split across reads", () => {
    const { capture, seen } = stream(100);
    capture.expect(SENTINEL);
    capture.push(Buffer.from("first task\n\u0000en"));
    expect(seen.sentinels).toBe(0);
    capture.push(Buffer.from("d:abc\u0000second"));
    expect(seen.sentinels).toBe(1);
    expect(capture.take()).toEqual({ text: "first task\n", bytes: 11, truncatedBytes: 0 });
    capture.expect("\u0000end:def\u0000");
    capture.push(Buffer.from(" task\u0000end:def\u0000"));
    expect(capture.take()).toEqual({ text: "second task", bytes: 11, truncatedBytes: 0 });
    expect(seen.texts.join("")).toBe("first task\nsecond task");
  });

  it("passes ordinary output on at once instead of holding it back for the sentinel", () => {
    const { capture, seen } = stream(100);
    capture.expect(SENTINEL);
    capture.push(Buffer.from("no newline yet"));
    expect(seen.texts).toEqual(["no newline yet"]);
  });

  it("keeps the first bytes, counts the rest and marks the cut", () => {
    const { capture } = stream(16);
    capture.expect(SENTINEL);
    capture.push(Buffer.alloc(3 * 1024 * 1024, "y"));
    capture.push(Buffer.from(SENTINEL));
    const piece = capture.take();
    expect(piece.bytes).toBe(3 * 1024 * 1024);
    expect(piece.truncatedBytes).toBe(3 * 1024 * 1024 - 16);
    expect(piece.text).toBe(`${"y".repeat(16)}\n[studio: 3.0 MiB more output cut]`);
  });

  it("reports once when the discarded output passes the ceiling", () => {
    const { capture, seen } = stream(10, 100);
    capture.expect(SENTINEL);
    for (let i = 0; i < 10; i++) capture.push(Buffer.alloc(50, "z"));
    expect(seen.ceilings).toEqual([140]);
  });

  it("gives everything that came when the worker died before the sentinel", () => {
    const { capture } = stream(100);
    capture.expect(SENTINEL);
    capture.push(Buffer.from("last words\u0000en")); // looked like a sentinel's start
    expect(capture.take().text).toBe("last words\u0000en");
    expect(capture.tail()).toBe("last words\u0000en");
  });
});
