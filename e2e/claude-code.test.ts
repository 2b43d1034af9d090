// A Claude Code iteration in a real Chromium: a real studio, `studio optimize --proposer
// claude-code` running the real Claude Code client (installed by the test set-up) against the
// fake Anthropic server, which plays the model with a script (read the README, a shell command,
// a read that fails, write a candidate). The iteration page names the proposer and its sandbox,
// and shows its stream as a transcript: each model call as a conversation, each tool call and
// result (the failed one marked), the file it read; no raw stream-json lines. Its model calls are
// in the database.
import fs from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../tests/fakes/anthropic-server.ts";
import { codingAgent, tool } from "../tests/fakes/coding-agent.ts";
import { claudeCodeExecutable } from "../tests/helpers/claude-code.ts";
import {
  runCli,
  startStudio,
  studioDatabaseUrl,
  studioEnv,
  tempDataDir,
  type RunningStudio,
} from "../tests/helpers/studio.ts";
import { launchBrowser, openPage, screenshot } from "./browser.ts";

const HARNESS = `// Answer 42: every trace of the seed was graded against 42.
export default { async run() { return 42; } };
`;

let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let fake: FakeAnthropic;
const work = tempDataDir();

beforeAll(async () => {
  fake = await startFakeAnthropic({
    respond: codingAgent([
      (cwd) => [
        { type: "text", text: "Reading the workspace first." },
        tool("Read", { file_path: `${cwd}/README.md` }),
      ],
      () => [tool("Bash", { command: "ls candidates && wc -l leaderboard.md", description: "look around" })],
      (cwd) => [tool("Read", { file_path: `${cwd}/nothing-here.md` })],
      (cwd) => [
        tool("Write", {
          file_path: `${cwd}/proposals/1/answer-42/proposal.json`,
          content: JSON.stringify({
            hypothesis: "answer 42",
            axis: "exploit",
            base: null,
            rationale: "Every expected answer is 42.",
          }),
        }),
      ],
      (cwd) => [tool("Write", { file_path: `${cwd}/proposals/1/answer-42/harness.ts`, content: HARNESS })],
    ]),
  });
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
}, 240_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
  await fake?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("a Claude Code iteration", () => {
  it("shows its stream as a transcript of model calls, tool calls and results, and stores its model calls", async () => {
    const suite = path.join(work, "suite");
    fs.mkdirSync(suite, { recursive: true });
    fs.writeFileSync(
      path.join(suite, "suite.json"),
      JSON.stringify({ name: "answers", description: "Answer 42.", mode: "independent", grader: { type: "numeric" } }),
    );
    fs.writeFileSync(
      path.join(suite, "tasks.jsonl"),
      [0, 1, 2, 3]
        .map((i) =>
          JSON.stringify({ id: `q${i}`, input: `question ${i}`, expected: 42, split: i < 3 ? "search" : "test" }),
        )
        .join("\n"),
    );
    fs.writeFileSync(path.join(work, "seed.ts"), "export default { async run() { return 41; } };\n");
    const env = studioEnv({
      DATABASE_URL: studioDatabaseUrl(studio.dataDir),
      STUDIO_DATA_DIR: studio.dataDir,
      ANTHROPIC_BASE_URL: fake.url,
      ANTHROPIC_API_KEY: "sk-test",
      STUDIO_CLAUDE_CODE: claudeCodeExecutable(),
    });
    const created = await runCli(
      [
        "project",
        "create",
        "--suite",
        suite,
        "--harness",
        path.join(work, "seed.ts"),
        "--name",
        "Claude Code",
        "--json",
      ],
      env,
    );
    expect(created.code, created.stderr).toBe(0);
    const { projectId } = JSON.parse(created.stdout) as { projectId: string };
    await db.project.update({ where: { id: projectId }, data: { candidatesPerIteration: 1 } });
    const run = await runCli(
      ["optimize", "--project", projectId, "--iterations", "1", "--proposer", "claude-code", "--json"],
      env,
      170_000,
    );
    expect(run.code, run.stderr).toBe(0);
    const line = JSON.parse(run.stdout.trim().split("\n")[0]);
    expect(line.candidates).toEqual([expect.objectContaining({ valid: true, searchScore: 1 })]);

    const iteration = await db.iteration.findUniqueOrThrow({
      where: { projectId_number: { projectId, number: 1 } },
      select: { id: true, proposerKind: true, filesRead: true, project: { select: { proposerModel: true } } },
    });
    expect(iteration.proposerKind).toBe("claude_code");
    expect(iteration.filesRead).toEqual(expect.arrayContaining(["README.md", "leaderboard.md"]));
    const modelCalls = await db.traceEvent.count({ where: { iterationId: iteration.id, kind: "model_call" } });
    expect(modelCalls).toBe(
      fake.requests.filter((request) => request.path === "/v1/messages" && request.body?.tools).length,
    );
    expect(modelCalls).toBeGreaterThanOrEqual(6);

    const page = await openPage(browser, studio, { width: 1440, height: 900 });
    await page.goto(`${studio.url}/projects/${projectId}/iterations/1`);
    await page.locator("[data-timeline-ready='true']").waitFor();
    const facts = await page.getByLabel("Iteration facts").innerText();
    expect(facts).toContain(`Claude Code · ${iteration.project.proposerModel}`);
    expect(await page.getByTestId("proposer-isolation").innerText()).not.toBe("");

    const rows = page.locator("[data-testid='timeline-row']");
    const kinds = await rows.evaluateAll((elements) =>
      elements.map((element) => element.querySelector("[data-kind]")?.getAttribute("data-kind")),
    );
    expect(kinds.filter((kind) => kind === "tool_call")).toHaveLength(5);
    expect(kinds.filter((kind) => kind === "tool_result")).toHaveLength(5);
    expect(kinds).toContain("model_call");
    expect(kinds).toContain("file_read");
    expect(kinds).not.toContain("stdout"); // the stream-json lines became the events above

    // The failed read is marked as an error.
    await page.locator("[data-testid='timeline-row']:has([data-kind='tool_result'])").nth(2).click();
    const detail = page.locator("[aria-label='Event detail'][data-detail-status='ready']");
    await detail.waitFor();
    const text = await detail.innerText();
    expect(text).toContain("Read");
    expect(text.toLowerCase()).toContain("error");
    expect(text).toContain("File does not exist");
    await screenshot(page, "iteration-claude-code-1440");
    await page.close();
  });
});
