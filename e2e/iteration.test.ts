// The iteration page in a real Chromium against a real studio. An offline iteration of the
// text-classification example: the overview links to it; it shows the candidates written with
// their scores (as stored), the files read linked to what they are (a trace to its task run's
// viewer, a source to its candidate), the transcript with bodies loaded when opened, and the
// instructions version it ran with; an unknown number is a 404. Then an iteration of the
// built-in Claude proposer against the fake Anthropic server over HTTP: its model calls read
// as a conversation, its tool calls and results as calls. Last, a running iteration (rows
// written here, as the loop writes them) shows its stage and grows its transcript live, and once
// it has ended without a harness, the page shows the proposer's last notes, saying why.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { formatScore } from "../lib/format.ts";
import {
  startFakeAnthropic,
  type FakeAnthropic,
  type FakeReply,
  type FakeRequest,
} from "../tests/fakes/anthropic-server.ts";
import {
  runCli,
  startStudio,
  studioDatabaseUrl,
  studioEnv,
  tempDataDir,
  type RunningStudio,
} from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let fake: FakeAnthropic;
let env: NodeJS.ProcessEnv;
const work = tempDataDir();

const rowOfKind = (page: Page, kind: string) =>
  page.locator(`[data-testid='timeline-row']:has([data-kind='${kind}'])`).first();
const detailReady = (page: Page, seq: number) =>
  page.locator(`[aria-label='Event detail'][data-detail-seq='${seq}'][data-detail-status='ready']`).waitFor();

/** Clicks a timeline row and waits for its body to load; returns its seq. */
async function open(page: Page, row: ReturnType<Page["locator"]>): Promise<number> {
  const seq = Number(await row.getAttribute("data-seq"));
  await row.click();
  await detailReady(page, seq);
  return seq;
}

// ─── The Claude proposer's script: the fake answers its requests (they carry tools) turn by turn ───
const ASK_HARNESS = `import Anthropic from "@anthropic-ai/sdk";
// Ask the model instead of guessing: the seed's traces show it always answered 41.
export default {
  async run(task: { input: unknown }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 8, messages: [{ role: "user", content: String(task.input) }] });
    return reply.content[0].type === "text" ? reply.content[0].text : "";
  },
};
`;
let claudeSeedId = "";
const newPage = (options: { width?: number; height?: number; colorScheme?: "light" | "dark" } = {}) =>
  openPage(browser, studio, { ...options });
const usage = { input_tokens: 1200, output_tokens: 150 };
function proposerTurn(request: FakeRequest): FakeReply {
  const turn = request.body.messages.filter((message: { role: string }) => message.role === "assistant").length;
  const trace = `candidates/${claudeSeedId}/traces/q0.jsonl`;
  const script: FakeReply[] = [
    {
      content: [
        { type: "text", text: "Let me look at the workspace first." },
        { type: "tool_use", name: "list_dir", input: { path: "candidates" } },
        { type: "tool_use", name: "read_file", input: { path: "README.md" } },
      ],
      usage,
    },
    {
      content: [
        { type: "tool_use", name: "read_file", input: { path: trace } },
        { type: "tool_use", name: "read_file", input: { path: `candidates/${claudeSeedId}/harness.ts` } },
      ],
      usage,
    },
    {
      content: [
        { type: "text", text: "The seed returns 41 without asking the model; q0 expected 42." },
        { type: "tool_use", name: "write_file", input: { path: "proposals/1/ask/harness.ts", content: ASK_HARNESS } },
      ],
      usage,
    },
    {
      content: [
        {
          type: "tool_use",
          name: "finish",
          input: {
            proposals: [
              {
                path: "proposals/1/ask/harness.ts",
                hypothesis: "Asking the model fixes every task.",
                axis: "explore",
                base_candidate_id: claudeSeedId,
                rationale: `${trace}: the seed answered 41.`,
              },
            ],
          },
        },
      ],
      usage,
    },
  ];
  return script[Math.min(turn, script.length - 1)];
}

beforeAll(async () => {
  fake = await startFakeAnthropic({
    respond: (request) => (Array.isArray(request.body?.tools) ? proposerTurn(request) : { text: "42" }),
  });
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
  const databaseUrl = studioDatabaseUrl(studio.dataDir);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  env = studioEnv({ DATABASE_URL: databaseUrl, STUDIO_DATA_DIR: studio.dataDir });
}, 240_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
  await fake?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe("an offline iteration", () => {
  let projectId: string;
  let iterationId: string;

  beforeAll(async () => {
    const response = await fetch(`${studio.url}/api/projects`, {
      method: "POST",
      headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
      body: JSON.stringify({ example: "text-classification" }),
    });
    expect(response.status).toBe(201);
    ({ projectId } = (await response.json()) as { projectId: string });
    const run = await runCli(
      ["optimize", "--project", projectId, "--iterations", "1", "--offline", "--json"],
      env,
      170_000,
    );
    expect(run.code, run.stderr).toBe(0);
    iterationId = (
      await db.iteration.findUniqueOrThrow({
        where: { projectId_number: { projectId, number: 1 } },
        select: { id: true },
      })
    ).id;
  }, 200_000);

  it("opens from the overview and shows the candidates written with their scores, and the instructions version", async () => {
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}`);
    await page.getByRole("link", { name: "Iteration 1" }).click();
    await page.waitForURL(`**/projects/${projectId}/iterations/1`);
    await page.getByRole("heading", { name: "Iteration 1" }).waitFor();

    const stored = await db.iteration.findUniqueOrThrow({
      where: { id: iterationId },
      select: {
        status: true,
        filesReadCount: true,
        instructionVersion: { select: { version: true } },
        candidates: {
          orderBy: { number: "asc" },
          select: {
            id: true,
            number: true,
            status: true,
            rejectReason: true,
            evaluations: { where: { split: "search", status: "done" }, select: { score: true } },
          },
        },
      },
    });
    expect(stored.status).toBe("done");
    const header = await page.locator("main").innerText();
    expect(header).toContain("offline proposer");
    expect(header).toContain("simulated");
    expect(header).toMatch(/Files read\s*\n\s*\d+/);

    const valid = stored.candidates.filter((candidate) => candidate.status === "valid");
    expect(valid.length).toBeGreaterThan(0);
    for (const candidate of valid) {
      const row = page.locator(`[data-testid='iteration-candidates'] tr[data-candidate='${candidate.number}']`);
      expect(await row.getByRole("link", { name: `#${candidate.number}` }).getAttribute("href")).toBe(
        `/projects/${projectId}/candidates/${candidate.id}`,
      );
      expect(await row.getByTestId("search-score").innerText()).toBe(formatScore(candidate.evaluations[0].score));
    }
    for (const candidate of stored.candidates.filter((candidate) => candidate.status === "rejected")) {
      const row = page.locator(`[data-testid='rejected-proposals'] tr[data-candidate='${candidate.number}']`);
      expect(await row.innerText()).toContain(candidate.rejectReason!.slice(0, 40));
    }

    expect(stored.instructionVersion).not.toBeNull();
    expect(await page.getByTestId("instructions-link").getAttribute("href")).toBe(
      `/projects/${projectId}/settings?version=${stored.instructionVersion!.version}`,
    );
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "iteration-offline-light-1280");
    await page.close();
  });

  it("links the files read to what they are: a trace to its task run, a source to its candidate", async () => {
    const stored = await db.iteration.findUniqueOrThrow({ where: { id: iterationId }, select: { filesRead: true } });
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/iterations/1`);
    const rows = page.getByTestId("file-read");
    await rows.first().waitFor();
    expect(await rows.count()).toBe(stored.filesRead.length);

    // Filters live in the URL.
    await page.getByRole("button", { name: /^traces/ }).click();
    await page.waitForURL(/[?&]files=trace\b/);
    const traceLink = page.locator("[data-testid='file-read'][data-kind='trace'] [data-testid='file-link']").first();
    const tracePath = await traceLink.innerText();
    const [, candidateId, taskKey] = /^candidates\/([^/]+)\/traces\/(.+)\.jsonl$/.exec(tracePath)!;
    await traceLink.click();
    await page.waitForURL(/\/runs\/[a-z0-9]+$/);
    const runId = page.url().split("/").at(-1)!;
    const run = await db.taskRun.findUniqueOrThrow({
      where: { id: runId },
      select: { task: { select: { key: true } }, evaluation: { select: { candidateId: true, split: true } } },
    });
    expect(run).toEqual({ task: { key: taskKey }, evaluation: { candidateId, split: "search" } });
    await page.getByRole("heading", { name: taskKey }).waitFor();
    await page.locator("[data-timeline-ready='true']").waitFor();

    await page.goBack();
    await page.waitForURL(/\/iterations\/1\?files=trace/);
    await page.getByRole("button", { name: /^sources/ }).click();
    const sourceLink = page.locator("[data-testid='file-read'][data-kind='source'] [data-testid='file-link']").first();
    const sourceCandidate = /^candidates\/([^/]+)\/harness\.ts$/.exec(await sourceLink.innerText())![1];
    const { number } = await db.candidate.findUniqueOrThrow({
      where: { id: sourceCandidate },
      select: { number: true },
    });
    await sourceLink.click();
    await page.waitForURL(`**/projects/${projectId}/candidates/${sourceCandidate}`);
    await page.getByRole("heading", { name: `Candidate #${number}` }).waitFor();
    await page.close();
  });

  it("shows the proposer's transcript, opens an event's body, moves with the keyboard, and downloads it raw", async () => {
    const events = await db.traceEvent.count({ where: { iterationId } });
    expect(events).toBeGreaterThan(0);
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/iterations/1`);
    await page.locator("[data-timeline-ready='true']").waitFor();
    expect(await page.getByLabel("Timeline").getByRole("button", { name: /^all/ }).innerText()).toContain(
      events.toLocaleString("en-US"),
    );

    const seq = await open(page, rowOfKind(page, "file_read"));
    await page.waitForURL(new RegExp(`[?&]event=${seq}\\b`));
    const first = await db.traceEvent.findFirstOrThrow({ where: { iterationId, seq }, select: { name: true } });
    expect(await page.locator("[aria-label='Event detail']").innerText()).toContain(first.name!);
    await page.keyboard.press("j");
    await page.waitForURL(new RegExp(`[?&]event=${seq + 1}\\b`));
    await detailReady(page, seq + 1);

    // The time in the files list opens that file's first read in the transcript.
    await page.locator("[data-testid='file-event-link']").nth(1).click();
    await page.waitForURL(/[?&]event=\d+/);
    const opened = Number(new URL(page.url()).searchParams.get("event"));
    await detailReady(page, opened);
    expect(
      (await db.traceEvent.findFirstOrThrow({ where: { iterationId, seq: opened }, select: { kind: true } })).kind,
    ).toBe("file_read");

    const raw = await fetch(`${studio.url}/api/iterations/${iterationId}/raw`, { headers: studio.authHeaders() });
    expect(raw.headers.get("content-disposition")).toContain(`iteration-1-${iterationId}.jsonl`);
    const lines = (await raw.text())
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(events);
    expect(lines.every((line) => line.iterationId === iterationId)).toBe(true);
    await page.close();
  });

  it("answers 404 for an unknown iteration, on the page and the API", async () => {
    const page = await newPage();
    for (const number of ["999", "abc", "-1"]) {
      const response = await page.goto(`${studio.url}/projects/${projectId}/iterations/${number}`);
      expect(response?.status(), number).toBe(404);
    }
    await page.getByText("Nothing lives at this address").waitFor();
    await page.close();
    expect((await fetch(`${studio.url}/api/iterations/nope/events`, { headers: studio.authHeaders() })).status).toBe(
      404,
    );
    expect(
      (await fetch(`${studio.url}/api/iterations/${iterationId}/events/99999`, { headers: studio.authHeaders() }))
        .status,
    ).toBe(404);
    expect(
      (await fetch(`${studio.url}/api/iterations/${iterationId}/events?limit=0`, { headers: studio.authHeaders() }))
        .status,
    ).toBe(400);
  });
});

describe("a Claude proposer iteration", () => {
  let projectId: string;
  let iterationId: string;

  beforeAll(async () => {
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
    const claudeEnv = { ...env, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: "sk-test" };
    const created = await runCli(
      [
        "project",
        "create",
        "--suite",
        suite,
        "--harness",
        path.join(work, "seed.ts"),
        "--name",
        "Claude proposer",
        "--json",
      ],
      claudeEnv,
    );
    expect(created.code, created.stderr).toBe(0);
    projectId = JSON.parse(created.stdout).projectId;
    claudeSeedId = (await db.candidate.findFirstOrThrow({ where: { projectId, origin: "seed" }, select: { id: true } }))
      .id;
    const run = await runCli(
      ["optimize", "--project", projectId, "--iterations", "1", "--proposer", "claude", "--json"],
      claudeEnv,
      150_000,
    );
    expect(run.code, run.stderr).toBe(0);
    iterationId = (
      await db.iteration.findUniqueOrThrow({
        where: { projectId_number: { projectId, number: 1 } },
        select: { id: true },
      })
    ).id;
  }, 200_000);

  it("renders model calls as a conversation and tool calls with their inputs and results", async () => {
    const stored = await db.iteration.findUniqueOrThrow({
      where: { id: iterationId },
      select: { inputTokens: true, outputTokens: true, proposerKind: true },
    });
    // The proposer's four calls, plus its checks and the smoke runs of its proposals (the proposer's spending).
    const checks = await db.check.findMany({
      where: { iterationId },
      select: { inputTokens: true, outputTokens: true },
    });
    const checked = (field: "inputTokens" | "outputTokens") => checks.reduce((sum, check) => sum + check[field], 0);
    expect(stored).toEqual({
      proposerKind: "claude",
      inputTokens: 4 * usage.input_tokens + checked("inputTokens"),
      outputTokens: 4 * usage.output_tokens + checked("outputTokens"),
    });
    const page = await newPage({ width: 1920, height: 1080, colorScheme: "dark" });
    await page.goto(`${studio.url}/projects/${projectId}/iterations/1`);
    await page.locator("[data-timeline-ready='true']").waitFor();
    const facts = await page.getByLabel("Iteration facts").innerText();
    expect(facts).toContain("Claude · claude-opus-5-5");
    const figures = `${stored.inputTokens.toLocaleString("en-US")} / ${stored.outputTokens.toLocaleString("en-US")}`;
    expect(facts).toContain(figures);

    // Its smoke run is listed under Checks, linked to the task run's trace.
    const checksTable = page.locator("[data-testid='iteration-checks']");
    expect(await checksTable.innerText()).toContain("smoke run");
    const runLink = checksTable.locator("a[href*='/runs/']").first();
    const href = await runLink.getAttribute("href");
    await page.goto(`${studio.url}${href}`);
    expect(await page.locator("main").innerText()).toContain("Smoke run of");
    await page.goto(`${studio.url}/projects/${projectId}/iterations/1`);
    await page.locator("[data-timeline-ready='true']").waitFor();

    // The candidate it wrote scored 100% on search; its base is the seed.
    const row = page.locator("[data-testid='iteration-candidates'] tr[data-candidate='2']");
    expect(await row.getByTestId("search-score").innerText()).toBe("100.0%");
    expect(await row.innerText()).toContain("Asking the model fixes every task.");
    expect(await row.getByRole("link", { name: "#1" }).getAttribute("href")).toBe(
      `/projects/${projectId}/candidates/${claudeSeedId}`,
    );

    // The trace it read links to the seed's task run of q0.
    const traceLink = page.locator("[data-testid='file-read'][data-kind='trace'] [data-testid='file-link']");
    expect(await traceLink.innerText()).toBe(`candidates/${claudeSeedId}/traces/q0.jsonl`);
    expect(await traceLink.getAttribute("href")).toMatch(new RegExp(`^/projects/${projectId}/runs/[a-z0-9]+$`));

    // A model call: system prompt, the brief, earlier turns, and the response with its tool calls.
    await open(page, page.locator("[data-testid='timeline-row']:has([data-kind='model_call'])").nth(1));
    const detail = page.locator("[aria-label='Event detail']");
    const conversation = (await detail.innerText()).toLowerCase(); // role labels are upper-cased by CSS
    for (const text of [
      "system",
      "user",
      "assistant · response",
      "let me look at the workspace first.",
      "read_file",
      "tool_result",
      // list_dir, read_file, grep, write_file, bash, check_candidate, finish
      "7 tools offered",
    ])
      expect(conversation, text).toContain(text);
    expect(await detail.locator("[data-block='tool_use']").count()).toBeGreaterThan(1);
    // The proposer's instructions are long: the system prompt starts folded, one click away.
    const system = detail.locator("details[data-collapsed='system']");
    expect(await system.getAttribute("open")).toBeNull();
    expect(await system.locator("summary").innerText()).toMatch(/system prompt · [\d,]+ characters/);
    await screenshot(page, "iteration-claude-dark-1920");

    // A late call of the loop: the conversation so far is folded, the newest turn is open.
    await open(page, page.locator("[data-testid='timeline-row']:has([data-kind='model_call'])").last());
    const earlier = detail.locator("details[data-collapsed='earlier']");
    expect(await earlier.locator("summary").innerText()).toMatch(/^\d+ earlier messages/);
    expect(await earlier.locator("[data-role]").first().isVisible()).toBe(false);
    expect(await detail.locator(":scope [data-role='user']:not(details *)").last().isVisible()).toBe(true);
    await earlier.locator("summary").click();
    expect(await earlier.locator("[data-role]").first().isVisible()).toBe(true);

    // A tool call with its input, and its result as the model got it.
    await open(page, rowOfKind(page, "tool_call"));
    expect(await detail.innerText()).toMatch(/Tool\s*\n\s*list_dir/);
    await open(page, rowOfKind(page, "tool_result"));
    expect((await detail.innerText()).toLowerCase()).toContain("result, as the model got it");
    await open(
      page,
      page.locator("[data-testid='timeline-row']:has([data-kind='tool_call'])", { hasText: "write_file" }).first(),
    );
    expect(await detail.innerText()).toContain("Ask the model instead of guessing");
    expect(await fitsWidth(page)).toBe(true);
    await page.close();
  });

  it("shows a running iteration's stage and grows its transcript live, then settles when it ends", async () => {
    // Rows as the loop writes them, owned by this (live) test process so no worker resumes them.
    const owner = { workerId: `${os.hostname()}:${process.pid}`, heartbeatAt: new Date() };
    const optimization = await db.optimization.create({
      data: {
        projectId,
        iterationsRequested: 1,
        status: "running",
        proposerKind: "claude",
        startedAt: new Date(),
        ...owner,
      },
    });
    const live = await db.iteration.create({
      data: {
        projectId,
        number: 2,
        status: "running",
        stage: "proposing",
        proposerKind: "claude",
        optimizationId: optimization.id,
        startedAt: new Date(),
        progress: { stage: "proposing" },
      },
    });
    const note = (seq: number) => ({
      iterationId: live.id,
      seq,
      kind: "note",
      preview: `note ${seq}`,
      body: { message: `note ${seq}` },
      bodyBytes: 20,
    });
    await db.traceEvent.createMany({ data: [note(0), note(1)] });
    try {
      const page = await newPage();
      await page.goto(`${studio.url}/projects/${projectId}/iterations/2`);
      const progress = page.getByTestId("iteration-progress");
      await progress.getByText("the proposer is reading and writing").waitFor();
      await page.locator("[data-timeline-ready='true']").waitFor();
      expect(await page.getByText("live", { exact: true }).count()).toBe(1);
      expect(await page.locator("[data-testid='timeline-row']").count()).toBe(2);

      await db.traceEvent.createMany({ data: [note(2), note(3), note(4)] });
      await page.locator("[data-testid='timeline-row'][data-seq='4']").waitFor({ timeout: 10_000 });
      await db.iteration.update({
        where: { id: live.id },
        data: {
          stage: "evaluating",
          progress: {
            stage: "evaluating",
            candidateNumber: 2,
            candidate: 1,
            candidates: 1,
            tasksDone: 1,
            tasksTotal: 3,
          },
        },
      });
      await progress.getByText("1 of 3 tasks").waitFor({ timeout: 10_000 });
      await screenshot(page, "iteration-live-light-1280");

      await db.iteration.update({
        where: { id: live.id },
        data: { status: "done", stage: "done", finishedAt: new Date() },
      });
      await db.optimization.update({
        where: { id: optimization.id },
        data: { status: "done", finishedAt: new Date() },
      });
      await progress.waitFor({ state: "detached", timeout: 10_000 });
      expect(await page.getByText("live", { exact: true }).count()).toBe(0);
      expect(await page.locator("[data-testid='timeline-row']").count()).toBe(5);

      // It ended without a harness: the page brings up why, the end of its transcript, each line
      // linked to its event there.
      await db.traceEvent.create({
        data: {
          iterationId: live.id,
          seq: 5,
          kind: "error",
          preview: "proposer: no harness was written",
          body: { message: "no harness was written" },
          bodyBytes: 30,
        },
      });
      await page.reload();
      const closing = page.getByTestId("closing-notes");
      await closing.waitFor();
      expect(await closing.locator("li").allInnerTexts()).toEqual([
        "#1 note 1",
        "#2 note 2",
        "#3 note 3",
        "#4 note 4",
        "#5 proposer: no harness was written",
      ]);
      await screenshot(page, "iteration-no-harness-light-1280");
      await closing.getByRole("link", { name: "#5" }).click();
      await detailReady(page, 5);
      expect(page.url()).toContain("event=5");
      await page.close();
    } finally {
      await db.optimization.update({ where: { id: optimization.id }, data: { status: "done" } });
    }
  });
});
