import { describe, expect, it } from "vitest";
import { splitPathTail } from "../../../lib/middle-cut.ts";

describe("splitPathTail", () => {
  it("splits off the last segment with its slash", () => {
    expect(splitPathTail("candidates/abc/traces/q0.jsonl")).toEqual({
      head: "candidates/abc/traces",
      tail: "/q0.jsonl",
    });
  });

  it("keeps a path without a slash, a root path and a folder whole in the tail where it must", () => {
    expect(splitPathTail("README.md")).toEqual({ head: "", tail: "README.md" });
    expect(splitPathTail("/etc")).toEqual({ head: "", tail: "/etc" });
    expect(splitPathTail("a/b/")).toEqual({ head: "a", tail: "/b/" });
  });

  it("tells apart paths that share a long prefix by their tail", () => {
    const prefix = "candidates/cm9x1q2w3e4r5t6y7u8i9o0p/traces/search";
    const tails = ["task-017.jsonl", "task-018.jsonl"].map((file) => splitPathTail(`${prefix}/${file}`).tail);
    expect(tails).toEqual(["/task-017.jsonl", "/task-018.jsonl"]);
  });

  it("joins back to the path", () => {
    for (const path of ["x", "a/b", "a/b/c.ts", "/", "a//b"]) {
      const { head, tail } = splitPathTail(path);
      expect(head + tail).toBe(path);
    }
  });
});
