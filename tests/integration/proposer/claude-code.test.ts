// The claude_code proposer, the real path: the real Claude Code client (installed by the test
// set-up from npm) run by runIteration, in the command sandbox, against the fake Anthropic server
// over HTTP through the iteration's recording proxy. The fake plays the model with a script:
// read the workspace's README, grep the traces, try in a shell to reach a canary file outside the
// workspace, a secret in the data folder, an HTTP server on loopback (the studio's API stands in)
// and print the environment, read a file that is not there, then write a candidate.
//
// Checked: Claude Code's command line (model, tools, permission mode, appended instructions); the
// candidate; every model call in the iteration's transcript, with the real key only upstream and
// the proxy's exact count as the iteration's tokens; the stream-json turned into tool calls and
// results (errors marked) and file reads; what it could not reach. Then a missing Claude Code is
// refused in words, with how to install it.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../../helpers/db.ts";
import { claudeCodeExecutable } from "../../helpers/claude-code.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../../fakes/anthropic-server.ts";
import { codingAgent, tool } from "../../fakes/coding-agent.ts";
import { createProject } from "../../../lib/projects/create.ts";
import { runIteration } from "../../../lib/iterations/run.ts";
import { probeIsolation } from "../../../lib/runner/sandbox/isolation.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-claude-code-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");
process.env.STUDIO_CLAUDE_CODE = claudeCodeExecutable();

const REAL_KEY = "sk-ant-the-studio-real-key-for-claude-code";
const PROPOSER_MODEL = "claude-opus-4-6";
const CANARY = "canary-7c1f0e-outside-the-workspace";
const DATA_SECRET = "postgres-password-5d2b9a";
const API_SECRET = "studio-api-answer-3e8f41";
const probe = await probeIsolation();

const SEED = `export default {
  async run(task: { input: { a: number; b: number } }) {
    return String(task.input.a - task.input.b);
  },
};
`;
const FIXED = SEED.replace("task.input.a - task.input.b", "task.input.a + task.input.b");

let fake: FakeAnthropic;
let api: http.Server;
let apiUrl: string;
const canaryFile = path.join(scratch, "canary.txt");
const dataSecretFile = path.join(process.env.STUDIO_DATA_DIR!, "postgres-credentials");

beforeAll(async () => {
  fs.writeFileSync(canaryFile, CANARY, { mode: 0o600 });
  fs.mkdirSync(process.env.STUDIO_DATA_DIR!, { recursive: true });
  fs.writeFileSync(dataSecretFile, DATA_SECRET, { mode: 0o600 });
  api = http.createServer((_request, response) => response.end(API_SECRET));
  await new Promise<void>((resolve) => api.listen(0, "127.0.0.1", resolve));
  apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}/`;
  fake = await startFakeAnthropic({
    requireApiKey: REAL_KEY,
    respond: codingAgent([
      (cwd) => [
        { type: "text", text: "Reading the workspace first." },
        tool("Read", { file_path: `${cwd}/README.md` }),
      ],
      () => [tool("Grep", { pattern: "score", output_mode: "files_with_matches" })],
      () => [
        tool("Bash", {
          command: [
            `cat ${canaryFile}`,
            `cat ${dataSecretFile}`,
            `node -e "fetch('${apiUrl}').then(async (r) => console.log('reached', await r.text())).catch((e) => console.log('blocked', e.cause?.code ?? e.message))"`,
            "env",
            "cat leaderboard.md",
          ].join("; "),
          description: "try what lies outside",
        }),
      ],
      (cwd) => [tool("Read", { file_path: `${cwd}/no-such-file.md` })],
      (cwd) => [
        tool("Write", {
          file_path: `${cwd}/proposals/1/add/proposal.json`,
          content: JSON.stringify({
            hypothesis: "add, not subtract",
            axis: "exploit",
            base: null,
            rationale: "The traces show a - b.",
          }),
        }),
      ],
      (cwd) => [tool("Write", { file_path: `${cwd}/proposals/1/add/harness.ts`, content: FIXED })],
    ]),
  });
});
afterAll(async () => {
  await fake?.close();
  await new Promise((resolve) => api?.close(resolve));
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function newProject(name: string) {
  const dir = fs.mkdtempSync(path.join(scratch, "project-"));
  fs.chmodSync(dir, 0o755);
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name, description: "Add two numbers.", mode: "independent", grader: { type: "numeric" } }),
  );
  const tasks = Array.from({ length: 4 }, (_, i) => ({
    id: `${i < 3 ? "s" : "t"}${i}`,
    input: { a: i, b: 2 },
    expected: i + 2,
    split: i < 3 ? "search" : "test",
  }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), SEED);
  const created = await createProject({ suiteDir: path.join(dir, "suite"), harnessFile: path.join(dir, "harness.ts") });
  await db.project.update({
    where: { id: created.projectId },
    data: { candidatesPerIteration: 1, proposerModel: PROPOSER_MODEL, proposerKind: "claude_code" },
  });
  return created;
}

describe("the claude_code proposer", () => {
  it("runs the real Claude Code in the sandbox through the iteration's proxy, and its stream becomes the transcript", async () => {
    const project = await newProject("claude-code");
    const summary = await runIteration(project.projectId, {
      optimizationId: null,
      proposerKind: "claude_code",
      upstreamUrl: fake.url,
      apiKey: REAL_KEY,
    });
    const iteration = await db.iteration.findUniqueOrThrow({
      where: { id: summary.iterationId },
      include: { events: { orderBy: { seq: "asc" } }, checks: true },
    });
    expect(iteration.error).toBeNull();
    expect(iteration.proposerKind).toBe("claude_code");
    expect(iteration.proposerIsolation).toBe(probe.isolation);

    // Its command line: the method's flags, the project's proposer model, the instructions appended.
    const started = iteration.events.find((event) => event.kind === "note" && event.preview?.startsWith("$ "));
    const commandLine = (started?.body as { message: string }).message;
    expect(commandLine).toContain(
      `'${fs.realpathSync(claudeCodeExecutable())}' -p --output-format stream-json --verbose`,
    );
    expect(commandLine).toContain(`--model '${PROPOSER_MODEL}'`);
    expect(commandLine).toContain(
      "--tools Read,Glob,Grep,Write,Edit,Bash --allowedTools Read,Glob,Grep,Write,Edit,Bash",
    );
    expect(commandLine).toContain("--permission-mode acceptEdits");
    const agentRequests = fake.requests.filter((request) =>
      (request.body?.tools ?? []).some((t: any) => t.name === "Read"),
    );
    expect(agentRequests).toHaveLength(7); // six tool steps, then the final answer
    for (const request of agentRequests) {
      expect(request.body.model).toBe(PROPOSER_MODEL);
      expect(request.body.tools.map((t: any) => t.name).sort()).toEqual([
        "Bash",
        "Edit",
        "Glob",
        "Grep",
        "Read",
        "Write",
      ]);
    }
    expect(JSON.stringify(agentRequests[0].body.system)).toContain("# You are the proposer of Harness Studio");
    expect(JSON.stringify(agentRequests[0].body.messages)).toContain("# Iteration 1: write 1 new candidate harness");

    // The key: the real one upstream only (the fake refuses any other), never in the transcript.
    for (const request of fake.requests) expect(request.headers["x-api-key"]).toBe(REAL_KEY);
    const modelCalls = iteration.events.filter((event) => event.kind === "model_call");
    expect(modelCalls).toHaveLength(fake.requests.length);
    const transcript = JSON.stringify(iteration.events.map((event) => event.body));
    expect(transcript).not.toContain(REAL_KEY);

    // The stream as a transcript: each tool call with its input, each result, errors marked.
    const calls = iteration.events.filter((event) => event.kind === "tool_call");
    expect(calls.map((event) => event.name)).toEqual(["Read", "Grep", "Bash", "Read", "Write", "Write"]);
    const results = iteration.events.filter((event) => event.kind === "tool_result");
    expect(results.map((event) => [event.name, (event.body as any).isError])).toEqual([
      ["Read", false],
      ["Grep", false],
      ["Bash", false],
      ["Read", true],
      ["Write", false],
      ["Write", false],
    ]);
    expect(iteration.events.some((event) => event.kind === "stdout" && event.preview?.startsWith('{"type"'))).toBe(
      false,
    );
    const reads = iteration.events.filter((event) => event.kind === "file_read").map((event) => event.name);
    expect(reads).toEqual(["README.md"]);
    // Files read: the Read, the Grep's matches (frontier.json is one), the file the shell catted.
    expect(iteration.filesRead).toEqual(expect.arrayContaining(["README.md", "frontier.json", "leaderboard.md"]));
    expect(iteration.filesReadCount).toBe(iteration.filesRead.length);

    // What it could not reach, as its shell saw it; its key is the iteration's credential.
    const shell = (results[2].body as { text: string }).text;
    expect(shell).toMatch(/ANTHROPIC_API_KEY=sk-studio-/);
    expect(shell).not.toContain(CANARY);
    expect(shell).not.toContain(DATA_SECRET);
    expect(transcript).not.toContain(CANARY);
    expect(transcript).not.toContain(DATA_SECRET);
    if (probe.isolation === "bubblewrap") {
      expect(shell).toMatch(/blocked (ECONNREFUSED|EHOSTUNREACH|ENETUNREACH)/);
      expect(transcript).not.toContain(API_SECRET);
    }

    // Counted as the proxy counted: every call priced exactly, plus the smoke run of its proposal.
    const [smoke] = iteration.checks;
    const proxyInput = modelCalls.reduce((sum, event) => sum + (event.genAiUsageInputTokens ?? 0), 0);
    const proxyOutput = modelCalls.reduce((sum, event) => sum + (event.genAiUsageOutputTokens ?? 0), 0);
    expect(iteration.inputTokens).toBe(proxyInput + smoke.inputTokens);
    expect(iteration.outputTokens).toBe(proxyOutput + smoke.outputTokens);
    expect(summary.candidates).toEqual([expect.objectContaining({ valid: true, searchScore: 1 })]);
  });

  it("is held to the proposer's budget: past it the proxy refuses its next call, Claude Code stops, and the iteration says why", async () => {
    const project = await newProject("claude-code-budget");
    await db.project.update({
      where: { id: project.projectId },
      data: { settings: { budgets: { iteration: { proposer: { tokens: 1_000 } } } } },
    });
    const upstreamBefore = fake.requests.length;
    const summary = await runIteration(project.projectId, {
      optimizationId: null,
      proposerKind: "claude_code",
      upstreamUrl: fake.url,
      apiKey: REAL_KEY,
    });
    const iteration = await db.iteration.findUniqueOrThrow({
      where: { id: summary.iterationId },
      include: { events: { where: { kind: "model_call" }, orderBy: { seq: "asc" } } },
    });
    // The first call went upstream and spent the budget; every later one was refused by the proxy.
    const upstream = fake.requests.length - upstreamBefore;
    expect(upstream).toBeGreaterThanOrEqual(1);
    expect(iteration.events.length).toBeGreaterThan(upstream);
    const refused = iteration.events.filter((event) => (event.body as any).response.status === 400);
    expect(refused.length).toBe(iteration.events.length - upstream);
    expect((refused[0].body as any).response.body.error.message).toMatch(
      /^Token budget exhausted: iteration proposer used \d+ of 1000 tokens/,
    );
    expect(iteration.stopKind).toBe("proposer_budget");
    expect(iteration.stopReason).toMatch(/^Token budget exhausted/);
    expect(summary.candidates).toEqual([]);
  });

  it("is refused in words, with how to install it, when Claude Code is missing", async () => {
    const project = await newProject("claude-code-missing");
    const saved = process.env.STUDIO_CLAUDE_CODE;
    process.env.STUDIO_CLAUDE_CODE = path.join(scratch, "no-claude-here");
    try {
      await expect(
        runIteration(project.projectId, {
          optimizationId: null,
          proposerKind: "claude_code",
          upstreamUrl: fake.url,
          apiKey: REAL_KEY,
        }),
      ).rejects.toThrow(/npm install -g @anthropic-ai\/claude-code/);
      // The iteration says so too, as its page will.
      const iteration = await db.iteration.findFirstOrThrow({ where: { projectId: project.projectId } });
      expect(iteration).toMatchObject({
        status: "failed",
        error: expect.stringContaining("Claude Code was not found"),
      });
    } finally {
      process.env.STUDIO_CLAUDE_CODE = saved;
    }
  });
});
