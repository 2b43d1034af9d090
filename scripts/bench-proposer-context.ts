// Figures for the built-in proposer's context handling: one session of the Claude proposer
// against the fake Anthropic server, which refuses any prompt over --window tokens (400 "prompt is
// too long", as the real API does) and ignores context_management, so only the proposer's own
// clearing keeps it going. The fake model reads --reads large raw traces (a different one each
// turn), writes a harness and finishes.
//
//   npm run bench:proposer-context -- --reads 200 --window 60000
//   --believe 200000: the window the proposer is told (default: --window); larger shows the
//   400-then-shrink path.
import { parseArgs } from "node:util";
import { promptTokens, startFakeAnthropic } from "../tests/fakes/anthropic-server.ts";
import { deepReader, writeDeepTraces } from "../tests/fakes/deep-reader.ts";
import { makeWorkspace, recorder } from "../tests/integration/proposer/workspace.ts";
import { createProposer, DEFAULT_INSTRUCTIONS } from "../lib/proposer/index.ts";

const { values } = parseArgs({
  options: {
    reads: { type: "string", default: "200" },
    window: { type: "string", default: "60000" },
    believe: { type: "string" },
    "trace-chars": { type: "string", default: "64000" },
  },
});
const reads = Number(values.reads);
const window = Number(values.window);
const believed = Number(values.believe ?? values.window);

const workspace = makeWorkspace();
const fake = await startFakeAnthropic({ respond: deepReader(reads, 3), maxPromptTokens: window });
try {
  writeDeepTraces(workspace.workspaceDir, reads, Number(values["trace-chars"]));
  const log = recorder();
  const started = performance.now();
  const result = await createProposer("claude", { contextWindow: believed }).propose({
    workspaceDir: workspace.workspaceDir,
    proposalDir: workspace.proposalDir,
    iteration: 3,
    candidatesWanted: 1,
    instructions: DEFAULT_INSTRUCTIONS,
    model: "claude-opus-5-5",
    maxTurns: reads + 10,
    client: { baseURL: fake.url, apiKey: "sk-bench" },
    record: log.record,
  });
  const wallMs = performance.now() - started;
  const sizes = fake.requests.filter((r) => r.path === "/v1/messages").map((r) => promptTokens(r.body));
  const toolResultChars = log.rows
    .filter((row) => row.kind === "tool_result")
    .reduce((sum, row) => sum + String(log.body(row).text ?? "").length, 0);
  const figures = {
    stopReason: result.stopReason,
    error: result.error ?? null,
    proposals: result.proposals.length,
    filesRead: result.filesRead.length,
    requests: sizes.length,
    refusedAsTooLong: sizes.filter((size) => size > window).length,
    tokensSent: sizes.reduce((a, b) => a + b, 0),
    toolResultTokens: Math.round(toolResultChars / 4),
    largestRequest: Math.max(...sizes),
    largestAccepted: Math.max(...sizes.filter((size) => size <= window)),
    window,
    believedWindow: believed,
    wallSeconds: Math.round(wallMs / 100) / 10,
  };
  console.log(JSON.stringify(figures, null, 2));
  if (result.stopReason !== "done") process.exitCode = 1;
} finally {
  await fake.close();
  workspace.remove();
}
