// The built-in Claude proposer against Claude Code, on one iteration of a bundled example, the
// real path: a throwaway studio's embedded Postgres, the example's seed evaluated offline (its raw
// traces are what the proposers read), then one runIteration per proposer through the iteration's
// recording proxy, against the fake Anthropic server. The fake refuses any prompt over --window
// tokens (the real API's 400) and plays the model: read --reads of the seed's raw traces, one a
// turn, then write a candidate. Claude Code is the real client (the test set-up's, or
// STUDIO_CLAUDE_CODE).
//
//   npm run bench:proposers -- --example text-classification --reads 40 --window 200000
//
// Printed per proposer: files read, requests, tokens sent (every request's prompt), the largest
// request, the window, and the proposer's wall time (from the "proposing" stage to the next).
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { promptTokens, startFakeAnthropic, type FakeReply, type FakeRequest } from "../tests/fakes/anthropic-server.ts";
import { codingAgent, tool } from "../tests/fakes/coding-agent.ts";
import { claudeCodeExecutable } from "../tests/helpers/claude-code.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, tempDataDir } from "../tests/helpers/studio.ts";

const { values } = parseArgs({
  options: {
    example: { type: "string", default: "text-classification" },
    reads: { type: "string", default: "40" },
    window: { type: "string", default: "200000" },
  },
});
const reads = Number(values.reads);
const window = Number(values.window);
const HARNESS = "export default { async run(task: { input: unknown }) { return String(task.input).slice(0, 1); } };\n";

const dataDir = tempDataDir();
const studio = await startStudio({ dataDir });
process.env.DATABASE_URL = studioDatabaseUrl(dataDir);
process.env.STUDIO_DATA_DIR = dataDir;
process.env.STUDIO_CLAUDE_CODE ??= claudeCodeExecutable();
const { db, disconnectDb } = await import("../lib/db/client.ts");
const { runIteration } = await import("../lib/iterations/run.ts");

let proposer: "claude" | "claude_code" = "claude";
let traces: string[] = [];
const builtIn = builtInReader();
const claudeCode = codingAgent([
  ...Array.from({ length: reads }, (_, i) => (cwd: string) => [tool("Read", { file_path: `${cwd}/${traces[i]}` })]),
  (cwd) => [tool("Write", { file_path: `${cwd}/proposals/2/first-char/harness.ts`, content: HARNESS })],
]);
const fake = await startFakeAnthropic({
  maxPromptTokens: window,
  respond: (request) => {
    if (!Array.isArray(request.body?.tools)) return { text: "positive" }; // the harnesses' own calls
    return proposer === "claude" ? builtIn(request) : claudeCode(request);
  },
});

try {
  const env = studioEnv({ DATABASE_URL: process.env.DATABASE_URL, STUDIO_DATA_DIR: dataDir });
  const created = await runCli(["project", "create", "--example", values.example!, "--json"], env);
  if (created.code !== 0) throw new Error(created.stderr);
  const { projectId } = JSON.parse(created.stdout) as { projectId: string };
  const evaluated = await runCli(["eval", "--project", projectId, "--offline", "--json"], env, 300_000);
  if (evaluated.code !== 0) throw new Error(evaluated.stderr);
  await db.project.update({ where: { id: projectId }, data: { candidatesPerIteration: 1 } });

  const rows = [];
  for (const kind of ["claude", "claude_code"] as const) {
    proposer = kind;
    const start = fake.requests.length;
    let proposing = 0;
    let proposerMs = 0;
    const summary = await runIteration(projectId, {
      optimizationId: null,
      proposerKind: kind,
      upstreamUrl: fake.url,
      apiKey: "sk-bench",
      onStage: (stage) => {
        if (stage === "proposing") {
          proposing = performance.now();
          traces = seedTraces(projectId);
        } else if (proposing && !proposerMs) proposerMs = performance.now() - proposing;
      },
    });
    const sizes = fake.requests
      .slice(start)
      .filter((request) => request.path === "/v1/messages" && Array.isArray(request.body?.tools))
      .map((request) => promptTokens(request.body));
    const iteration = await db.iteration.findUniqueOrThrow({
      where: { id: summary.iterationId },
      select: { filesReadCount: true, error: true },
    });
    rows.push({
      proposer: kind,
      error: iteration.error,
      candidates: summary.candidates.length,
      filesRead: iteration.filesReadCount,
      requests: sizes.length,
      tokensSent: sizes.reduce((a, b) => a + b, 0),
      largestRequest: Math.max(...sizes),
      refusedAsTooLong: sizes.filter((size) => size > window).length,
      window,
      proposerSeconds: Math.round(proposerMs / 100) / 10,
    });
  }
  console.table(rows);
  console.log(JSON.stringify(rows, null, 2));
} finally {
  await fake.close();
  await disconnectDb();
  await studio.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** The seed's raw traces in the workspace, as the proposer finds them: workspace-relative paths. */
function seedTraces(projectId: string): string[] {
  const root = path.join(dataDir, "workspaces", projectId);
  const candidates = path.join(root, "candidates");
  const seed = fs.readdirSync(candidates).sort()[0];
  const folder = path.join(candidates, seed, "traces");
  return fs
    .readdirSync(folder)
    .sort()
    .slice(0, reads)
    .map((file) => `candidates/${seed}/traces/${file}`);
}

/** The built-in proposer's script: read_file each trace, one a turn, then write and finish. */
function builtInReader() {
  return (request: FakeRequest): FakeReply => {
    const results = (request.body.messages as { content?: unknown }[]).flatMap((message) =>
      Array.isArray(message.content) ? message.content.filter((block) => block?.type === "tool_result") : [],
    ).length;
    const use = (name: string, input: unknown): FakeReply => ({
      content: [{ type: "tool_use", name, input }],
      stopReason: "tool_use",
    });
    if (results < Math.min(reads, traces.length)) return use("read_file", { path: traces[results] });
    if (results === Math.min(reads, traces.length))
      return use("write_file", { path: "proposals/1/first-char/harness.ts", content: HARNESS });
    return use("finish", {
      proposals: [
        {
          path: "proposals/1/first-char/harness.ts",
          hypothesis: "bench",
          axis: "explore",
          base_candidate_id: null,
          rationale: `read ${reads} traces`,
        },
      ],
    });
  };
}
