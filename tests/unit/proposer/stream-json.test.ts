// Claude Code's stream-json as a transcript and a count: tool calls paired with their results
// (errors marked), reads from Read, Grep, Glob and Bash, usage counted once per message id.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { StreamJsonSession } from "../../../lib/proposer/stream-json.ts";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "studio-stream-json-"));
for (const file of ["README.md", "leaderboard.md", "candidates/c1/traces/t1.jsonl", "candidates/c1/harness.ts"]) {
  fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
  fs.writeFileSync(path.join(root, file), "x\n");
}
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const line = (value: unknown) => JSON.stringify(value);
const usage = { input_tokens: 100, cache_read_input_tokens: 900, cache_creation_input_tokens: 0, output_tokens: 7 };

describe("StreamJsonSession", () => {
  it("counts one message's usage once, however many events repeat it", () => {
    const session = new StreamJsonSession(root);
    for (const content of [[{ type: "thinking", thinking: "hm" }], [{ type: "text", text: "ok" }]])
      session.read(line({ type: "assistant", message: { id: "msg_1", content, usage } }));
    session.read(
      line({ type: "assistant", message: { id: "msg_2", content: [], usage: { ...usage, output_tokens: 3 } } }),
    );
    session.read(line({ type: "result", subtype: "success", total_cost_usd: 0.5, usage: { input_tokens: 99999 } }));
    expect(session.usage()).toEqual({ inputTokens: 2_000, outputTokens: 10, costUsd: 0.5 });
  });

  it("takes the result lines' usage where no message carried any", () => {
    const session = new StreamJsonSession(root);
    session.read(line({ type: "result", total_cost_usd: 0.25, usage: { input_tokens: 10, output_tokens: 2 } }));
    session.read(line({ type: "result", total_cost_usd: 0.25, usage: { input_tokens: 5, output_tokens: 1 } }));
    expect(session.usage()).toEqual({ inputTokens: 15, outputTokens: 3, costUsd: 0.5 });
  });

  it("pairs each tool call with its result, marks errors, and records what was read", () => {
    const session = new StreamJsonSession(root);
    const calls = session.read(
      line({
        type: "assistant",
        message: {
          id: "m",
          content: [
            { type: "text", text: "look" },
            { type: "tool_use", id: "a", name: "Read", input: { file_path: path.join(root, "README.md") } },
            { type: "tool_use", id: "b", name: "Read", input: { file_path: path.join(root, "missing.md") } },
          ],
        },
      }),
    )!;
    expect(calls.map((row) => [row.kind, row.name])).toEqual([
      ["tool_call", "Read"],
      ["tool_call", "Read"],
    ]);
    const ok = session.read(
      line({
        type: "user",
        message: { content: [{ type: "tool_result", tool_use_id: "a", content: "1\tx" }] },
        tool_use_result: { file: { filePath: path.join(root, "README.md"), startLine: 1, numLines: 1, totalLines: 1 } },
      }),
    )!;
    expect(ok.map((row) => row.kind)).toEqual(["tool_result", "file_read"]);
    expect(JSON.parse(ok[0].bodyJson)).toMatchObject({ id: "a", isError: false, text: "1\tx" });
    expect(JSON.parse(ok[1].bodyJson)).toEqual({ path: "README.md", startLine: 1, endLine: 1, totalLines: 1 });
    const failed = session.read(
      line({
        type: "user",
        message: {
          content: [
            {
              type: "tool_result",
              tool_use_id: "b",
              is_error: true,
              content: [{ type: "text", text: "File does not exist." }],
            },
          ],
        },
      }),
    )!;
    expect(failed.map((row) => [row.kind, row.name, JSON.parse(row.bodyJson).isError])).toEqual([
      ["tool_result", "Read", true],
    ]);
    expect(session.filesRead()).toEqual(["README.md"]);
  });

  it("counts the files Grep and Glob found and the workspace files a Bash command names", () => {
    const session = new StreamJsonSession(root);
    const call = (id: string, name: string, input: unknown) =>
      session.read(line({ type: "assistant", message: { id, content: [{ type: "tool_use", id, name, input }] } }));
    const result = (id: string, detail: unknown) =>
      session.read(
        line({
          type: "user",
          message: { content: [{ type: "tool_result", tool_use_id: id, content: "…" }] },
          tool_use_result: detail,
        }),
      );
    call("g", "Grep", { pattern: "x" });
    result("g", { mode: "files_with_matches", filenames: ["leaderboard.md", "/etc/passwd"] });
    call("c", "Grep", { pattern: "x", output_mode: "content" });
    result("c", { mode: "content", filenames: [], content: "candidates/c1/traces/t1.jsonl:1:x\nREADME.md-2-x" });
    call("l", "Glob", { pattern: "**/*.ts" });
    result("l", { filenames: [path.join(root, "candidates/c1/harness.ts")] });
    call("s", "Bash", {
      command: "diff candidates/c1/harness.ts 'README.md' | head -3 > /tmp/out; cat /etc/hostname nope.md",
    });
    expect(session.filesRead().sort()).toEqual(
      ["README.md", "candidates/c1/harness.ts", "candidates/c1/traces/t1.jsonl", "leaderboard.md"].sort(),
    );
  });

  it("leaves plain output and other programs' JSON as lines, and drops progress events", () => {
    const session = new StreamJsonSession(root);
    expect(session.read("working…")).toBeNull();
    expect(session.read(line({ level: "info", msg: "hello" }))).toBeNull();
    expect(session.read("{not json")).toBeNull();
    expect(session.read(line({ type: "system", subtype: "thinking_tokens", estimated_tokens: 3 }))).toEqual([]);
    const started = session.read(
      line({
        type: "system",
        subtype: "init",
        claude_code_version: "2.1.332",
        model: "claude-opus-4-6",
        tools: ["Read", "Bash"],
      }),
    )!;
    expect(started[0].preview).toBe("Claude Code 2.1.332 started: model claude-opus-4-6, tools Read, Bash");
    const failed = session.read(line({ type: "result", subtype: "error_max_turns", is_error: true, result: "" }))!;
    expect(failed[0]).toMatchObject({ kind: "error" });
    expect(failed[0].preview).toContain("the session ended with an error (error_max_turns)");
  });
});
