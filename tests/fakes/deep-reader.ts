// A scripted proposer for the fake Anthropic server that reads deeply, as the method's proposer
// does: one large raw trace per turn (a different file each time), then it writes a harness and
// calls finish. Used by tests/integration/proposer/claude-context.test.ts and
// scripts/bench-proposer-context.ts.
import fs from "node:fs";
import path from "node:path";
import type { FakeMessageReply, FakeRequest, Respond } from "./anthropic-server.ts";

/** The harness the deep reader writes: a complete, compilable module. */
export const DEEP_HARNESS = `// Ask for the answer on a last line and parse only that line.
export default {
  async run(task: { input: unknown }, ctx: any) {
    const reply = await ctx.model.messages.create({ model: "claude-sonnet-5-5", max_tokens: 256, messages: [{ role: "user", content: \`\${JSON.stringify(task.input)}\\nEnd with: ANSWER: <number>\` }] }, { signal: ctx.signal });
    const text = reply.content.find((b: any) => b.type === "text")?.text ?? "";
    return /ANSWER:\\s*(-?[\\d.]+)/.exec(text)?.[1] ?? text;
  },
};
`;

/** The workspace path of deep trace `i`. */
export const deepTracePath = (i: number) => `candidates/cand-seed/traces/deep-${String(i).padStart(3, "0")}.jsonl`;

/**
 * Writes `count` raw traces of about `chars` characters each (JSON lines of a model exchange),
 * each different, under the workspace.
 */
export function writeDeepTraces(workspaceDir: string, count: number, chars = 64_000): void {
  for (let i = 0; i < count; i++) {
    const lines: string[] = [];
    let size = 0;
    for (let line = 0; size < chars; line++) {
      const text = JSON.stringify({
        kind: "model_call",
        seq: line,
        body: { prompt: `trace ${i} line ${line}: ${"what is 17 * 23? ".repeat(20)}`, answer: `${i * line}` },
      });
      lines.push(text);
      size += text.length + 1;
    }
    const file = path.join(workspaceDir, deepTracePath(i));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
  }
}

/** Reads trace 0..reads-1, one per answered request, then writes DEEP_HARNESS and finishes. */
export function deepReader(reads: number, iteration: number): Respond {
  let turn = 0;
  const use = (name: string, input: unknown): FakeMessageReply => ({
    content: [{ type: "tool_use", id: `deep_${turn}`, name, input }],
  });
  return (_request: FakeRequest) => {
    const n = turn++;
    if (n < reads) return use("read_file", { path: deepTracePath(n) });
    if (n === reads)
      return use("write_file", { path: `proposals/${iteration}/last-line/harness.ts`, content: DEEP_HARNESS });
    return use("finish", {
      proposals: [
        {
          path: `proposals/${iteration}/last-line/harness.ts`,
          hypothesis: "A final ANSWER line fixes the parsing failures seen across the traces.",
          axis: "exploit",
          base_candidate_id: "cand-seed",
          rationale: `read ${reads} traces`,
        },
      ],
    });
  };
}
