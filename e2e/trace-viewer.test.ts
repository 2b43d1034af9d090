// The trace viewer in a real Chromium against a real studio: a realistic model call rendered
// as a conversation, every event kind, the raw JSON toggle, the raw JSONL download, keyboard
// navigation, and a 10,000-event trace with a 3 MB body (time to interactive measured).
import fs from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient, type Prisma } from "../lib/db/generated/client.ts";
import { clipBody } from "../lib/traces/queries.ts";
import { startStudio, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, screenshot, signIn } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let seeded: Seeded;

const BIG_EVENTS = 10_000;
const BIG_SEQ = 5_000;
const BIG_TEXT_CHARS = 3 * 1024 * 1024;

interface Seeded {
  projectId: string;
  /** failed, with the realistic trace (8 events) */
  richRunId: string;
  /** the next failed-or-error run after the rich one (an error run) */
  errorRunId: string;
  passedRunId: string;
  /** 10,000 events, one of them 3 MB */
  bigRunId: string;
}

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
  const db = studioDb(studio.dataDir);
  try {
    seeded = await seed(db);
  } finally {
    await db.$disconnect();
  }
});
afterAll(async () => {
  await browser?.close();
  await studio?.stop();
});

function studioDb(dataDir: string): PrismaClient {
  const { user, password } = JSON.parse(fs.readFileSync(path.join(dataDir, "postgres-credentials.json"), "utf8"));
  const port = fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[3];
  return new PrismaClient({
    adapter: new PrismaPg({
      connectionString: `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/studio`,
    }),
  });
}

const T0 = new Date("2026-03-01T10:00:00.000Z").getTime();
const at = (ms: number) => new Date(T0 + ms);

function event(
  taskRunId: string,
  seq: number,
  kind: string,
  timeMs: number,
  body: unknown,
  extra: Partial<Prisma.TraceEventCreateManyInput> = {},
): Prisma.TraceEventCreateManyInput {
  return {
    taskRunId,
    seq,
    kind,
    time: at(timeMs),
    body: body as Prisma.InputJsonValue,
    bodyBytes: Buffer.byteLength(JSON.stringify(body)),
    preview: "",
    ...extra,
  };
}

/** The exchange the recording proxy would store: request and response in full, attempts, usage, cost. */
function exchange() {
  return {
    operation: "messages",
    startedAt: at(120).toISOString(),
    durationMs: 1834,
    timeToFirstTokenMs: 412,
    stream: true,
    request: {
      body: {
        model: "claude-sonnet-5-5",
        max_tokens: 1024,
        system: "You are a support triage agent. Route each ticket to exactly one queue.",
        tools: [
          {
            name: "search_orders",
            description: "Look an order up by id",
            input_schema: { type: "object", properties: { order_id: { type: "string" } } },
          },
        ],
        messages: [
          { role: "user", content: "Ticket: Where is my order #4417? It was due on Monday." },
          {
            role: "assistant",
            content: [
              {
                type: "thinking",
                thinking: "PRIVATE-REASONING: the customer asks about delivery, so look the order up first.",
                signature: "sig-abc",
              },
              { type: "text", text: "Let me look that order up." },
              { type: "tool_use", id: "toolu_01", name: "search_orders", input: { order_id: "4417" } },
            ],
          },
          {
            role: "user",
            content: [
              {
                type: "tool_result",
                tool_use_id: "toolu_01",
                content: [{ type: "text", text: '{"status":"shipped","carrier":"DHL"}' }],
              },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo".repeat(40) } },
            ],
          },
        ],
      },
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    },
    response: {
      status: 200,
      body: {
        id: "msg_01",
        type: "message",
        role: "assistant",
        model: "claude-sonnet-5-5",
        content: [{ type: "text", text: "billing" }],
        stop_reason: "end_turn",
        usage: { input_tokens: 1200, output_tokens: 85, cache_read_input_tokens: 800 },
      },
      rawStream: 'event: message_start\ndata: {"type":"message_start"}\n\n',
      headers: { "request-id": "req_01" },
    },
    attempts: [
      { status: 529, durationMs: 300, error: "overloaded", retryAfterMs: 500 },
      { status: 200, durationMs: 1534 },
    ],
    requestModel: "claude-sonnet-5-5",
    model: "claude-sonnet-5-5",
    usage: { input_tokens: 1200, output_tokens: 85, cache_read_input_tokens: 800 },
    costUsd: 0.0123,
    priced: true,
    stopReason: "end_turn",
    responseId: "msg_01",
  };
}

const modelColumns = (input: number, output: number): Partial<Prisma.TraceEventCreateManyInput> => ({
  name: "messages",
  durationMs: 1834,
  genAiSystem: "anthropic",
  genAiOperationName: "chat",
  genAiRequestModel: "claude-sonnet-5-5",
  genAiResponseModel: "claude-sonnet-5-5",
  genAiResponseFinishReasons: ["end_turn"],
  genAiUsageInputTokens: input,
  genAiUsageOutputTokens: output,
  costUsd: 0.0123,
});

async function seed(db: PrismaClient): Promise<Seeded> {
  const project = await db.project.create({
    data: {
      name: "Support ticket triage",
      proposerKind: "offline",
      suite: {
        create: {
          name: "ticket-triage",
          grader: { type: "normalized" },
          tasks: {
            create: Array.from({ length: 6 }, (_, i) => ({
              key: `ticket-${i}`,
              split: "search" as const,
              position: i,
              input: `ticket ${i}`,
              expected: i === 1 ? "shipping" : "billing",
            })),
          },
        },
      },
    },
    include: { suite: { include: { tasks: { orderBy: { position: "asc" } } } } },
  });
  const tasks = project.suite!.tasks;
  const candidate = await db.candidate.create({
    data: {
      projectId: project.id,
      number: 1,
      source: "export default {}",
      sha256: "a".repeat(64),
      origin: "seed",
      status: "valid",
    },
  });
  const evaluation = await db.evaluation.create({
    data: {
      candidateId: candidate.id,
      split: "search",
      model: "claude-sonnet-5-5", // the project's default model
      status: "done",
      score: 0.5,
      taskCount: 6,
      passedCount: 2,
      failedCount: 3,
      errorCount: 1,
      simulated: true,
      finishedAt: new Date(),
    },
  });
  const run = (position: number, data: Partial<Prisma.TaskRunUncheckedCreateInput>) =>
    db.taskRun.create({
      data: {
        evaluationId: evaluation.id,
        taskId: tasks[position].id,
        status: "passed",
        startedAt: at(0),
        finishedAt: at(3000),
        ...data,
      },
    });

  const passed = await run(0, {
    status: "passed",
    score: 1,
    output: "billing",
    gradeExplanation: "exact match",
    eventCount: 1,
  });
  const rich = await run(1, {
    status: "failed",
    score: 0,
    output: "billing",
    gradeExplanation: 'Expected "shipping", got "billing".',
    inputTokens: 2000,
    outputTokens: 85,
    costUsd: 0.0123,
    durationMs: 2410,
    eventCount: 8,
  });
  await run(2, { status: "passed", score: 1, output: "billing", eventCount: 0 });
  const errored = await run(3, {
    status: "error",
    errorKind: "throw",
    errorMessage: "TypeError: Cannot read properties of undefined (reading 'status')",
    durationMs: 90,
    eventCount: 0,
  });
  const big = await run(5, {
    status: "failed",
    score: 0,
    output: "refunds",
    gradeExplanation: 'Expected "billing", got "refunds".',
    eventCount: BIG_EVENTS,
    durationMs: 100_000,
  });

  await db.traceEvent.createMany({
    data: [event(passed.id, 0, "output", 10, { value: "billing" }, { preview: "billing" })],
  });
  await db.traceEvent.createMany({
    data: [
      event(rich.id, 0, "note", 0, { message: "task started", isolation: "process" }, { preview: "task started" }),
      event(rich.id, 1, "model_call", 120, exchange(), {
        ...modelColumns(2000, 85),
        preview: "Ticket: Where is my order #4417? → billing",
      }),
      event(
        rich.id,
        2,
        "exec",
        1990,
        {
          command: "ls -la orders/",
          cwd: "/task",
          exitCode: 2,
          signal: null,
          timedOut: false,
          durationMs: 15,
          stdout: "",
          stderr: "ls: cannot access 'orders/': No such file or directory\n",
        },
        { name: "ls -la orders/", durationMs: 15, preview: "$ ls -la orders/ → exit 2" },
      ),
      event(rich.id, 3, "stdout", 2010, { text: "checking order 4417\n" }, { preview: "checking order 4417" }),
      event(
        rich.id,
        4,
        "exception",
        2020,
        {
          origin: "harness",
          name: "TypeError",
          message: "Cannot read properties of undefined (reading 'status')",
          stack: "TypeError: Cannot read properties of undefined (reading 'status')\n    at run (harness.ts:12:5)",
        },
        { name: "TypeError", preview: "TypeError: Cannot read properties of undefined (reading 'status')" },
      ),
      event(
        rich.id,
        5,
        "log",
        2030,
        { value: { step: "fallback", attempts: 2 } },
        { preview: '{"step":"fallback","attempts":2}' },
      ),
      event(rich.id, 6, "output", 2400, { value: "billing" }, { preview: "billing" }),
      event(
        rich.id,
        7,
        "grade",
        2410,
        {
          score: 0,
          explanation: 'Expected "shipping", got "billing".',
          passed: false,
          expected: "shipping",
          output: "billing",
        },
        { name: "failed", preview: 'score 0: Expected "shipping", got "billing".' },
      ),
    ],
  });

  // 10,000 events in chunks; one model call carries a 3 MB tool result.
  const kinds = ["log", "stdout", "exec", "model_call", "stderr"];
  for (let start = 0; start < BIG_EVENTS; start += 1000) {
    const chunk: Prisma.TraceEventCreateManyInput[] = [];
    for (let seq = start; seq < Math.min(BIG_EVENTS, start + 1000); seq++) {
      if (seq === BIG_SEQ) continue;
      const kind = kinds[seq % kinds.length];
      const body =
        kind === "log"
          ? { value: { step: seq, note: `step ${seq} of the loop` } }
          : kind === "exec"
            ? {
                command: `cat part-${seq}.txt`,
                cwd: "/task",
                exitCode: 0,
                signal: null,
                timedOut: false,
                durationMs: 3,
                stdout: `part ${seq}`,
                stderr: "",
              }
            : kind === "model_call"
              ? {
                  request: {
                    body: { model: "claude-sonnet-5-5", messages: [{ role: "user", content: `step ${seq}` }] },
                  },
                  response: { status: 200, body: { role: "assistant", content: [{ type: "text", text: "ok" }] } },
                  attempts: [{ status: 200, durationMs: 40 }],
                }
              : { text: `line ${seq}\n` };
      chunk.push(
        event(big.id, seq, kind, seq * 10, body, {
          preview: `${kind} number ${seq}`,
          ...(kind === "model_call" ? modelColumns(300, 20) : {}),
          ...(kind === "exec" ? { name: `cat part-${seq}.txt`, durationMs: 3 } : {}),
        }),
      );
    }
    await db.traceEvent.createMany({ data: chunk });
  }
  const hugeExchange = {
    request: {
      body: {
        model: "claude-sonnet-5-5",
        system: "Summarise the attached log.",
        messages: [
          { role: "user", content: [{ type: "text", text: "Here is the whole log:" }] },
          {
            role: "assistant",
            content: [{ type: "tool_use", id: "toolu_big", name: "read_log", input: { path: "app.log" } }],
          },
          {
            role: "user",
            content: [{ type: "tool_result", tool_use_id: "toolu_big", content: "L".repeat(BIG_TEXT_CHARS) }],
          },
        ],
      },
    },
    response: {
      status: 200,
      body: {
        role: "assistant",
        content: [{ type: "text", text: "The log shows a refund loop." }],
        stop_reason: "end_turn",
      },
    },
    attempts: [{ status: 200, durationMs: 5000 }],
    durationMs: 5000,
  };
  await db.traceEvent.createMany({
    data: [
      event(big.id, BIG_SEQ, "model_call", BIG_SEQ * 10, hugeExchange, {
        ...modelColumns(800_000, 12),
        preview: "Here is the whole log: → The log shows a refund loop.",
      }),
    ],
  });

  return {
    projectId: project.id,
    richRunId: rich.id,
    errorRunId: errored.id,
    passedRunId: passed.id,
    bigRunId: big.id,
  };
}

const runUrl = (runId: string, query = "") => `${studio.url}/projects/${seeded.projectId}/runs/${runId}${query}`;
const detailReady = (page: Page, seq: number) =>
  page.locator(`[data-detail-seq="${seq}"][data-detail-status="ready"]`).waitFor();

describe("trace viewer", () => {
  it("shows a model call as a conversation, with the run's header, the raw JSON toggle and every kind's view", async () => {
    const page = await signIn(await browser.newPage({ viewport: { width: 1280, height: 900 } }), studio);
    const response = await page.goto(runUrl(seeded.richRunId, "?event=1"));
    expect(response?.status()).toBe(200);
    await detailReady(page, 1);

    const header = await page.textContent("main");
    expect(header).toContain("ticket-1");
    expect(header).toContain("simulated");
    expect(header).toContain("shipping"); // expected, beside the actual "billing"
    expect(header).toContain('Expected "shipping", got "billing".');
    expect(header).toContain("2,000 / 85"); // tokens in / out

    const detail = page.locator("[data-detail-seq='1']");
    expect(await detail.locator("[data-role='system']").textContent()).toContain("support triage agent");
    expect(await detail.locator("[data-role='user']").count()).toBe(2);
    expect(await detail.locator("[data-role='assistant']").count()).toBe(2); // the assistant turn in the request, and the response
    expect(await detail.locator("[data-block='tool_use']").textContent()).toContain("search_orders");
    expect(await detail.locator("[data-block='tool_result']").textContent()).toContain("shipped");
    expect(await detail.locator("[data-block='image']").textContent()).toContain("image/png");
    const thinking = detail.locator("details[data-block='thinking']");
    expect(await thinking.evaluate((element) => (element as HTMLDetailsElement).open)).toBe(false);
    expect(await page.getByText("PRIVATE-REASONING").isVisible()).toBe(false);
    const detailText = await detail.textContent();
    for (const fact of ["412 ms", "1.8 s", "$0.01", "end_turn", "Retry attempts", "529", "overloaded"])
      expect(detailText).toContain(fact);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "trace-viewer-conversation");

    await thinking.locator("summary").click();
    expect(await page.getByText("PRIVATE-REASONING").isVisible()).toBe(true);

    await page.getByRole("button", { name: "Raw JSON" }).click();
    const raw = await page.locator("[data-testid='raw-json']").textContent();
    expect(raw).toContain('"tool_use_id": "toolu_01"');
    expect(JSON.parse(raw!).response.body.id).toBe("msg_01");
    await page.getByRole("button", { name: "Raw JSON" }).click();
    expect(await page.locator("[data-testid='raw-json']").count()).toBe(0);

    // Every other kind has its own view.
    const views: [number, string[]][] = [
      [0, ["task started", "isolation"]],
      [2, ["$ ls -la orders/", "exit 2", "No such file or directory", "/task"]],
      [3, ["checking order 4417"]],
      [4, ["TypeError", "at run (harness.ts:12:5)", "harness"]],
      [5, ['"step": "fallback"']],
      [6, ["billing"]],
      [7, ["failed", "Expected", "shipping"]],
    ];
    for (const [seq, texts] of views) {
      await page.locator(`[data-testid='timeline-row'][data-seq='${seq}']`).click();
      await detailReady(page, seq);
      const text = await page.locator(`[data-detail-seq='${seq}']`).textContent();
      for (const expected of texts) expect(text, `event ${seq}`).toContain(expected);
    }
    await page.close();
  });

  it("moves with j/k and the arrows, keeps ?event= in the URL, and goes to the next failed run with n", async () => {
    const page = await signIn(await browser.newPage({ viewport: { width: 1280, height: 900 } }), studio);
    await page.goto(runUrl(seeded.richRunId));
    await page.locator("[data-timeline-ready='true']").waitFor();
    expect(await page.textContent("main")).toContain("Open an event");

    await page.keyboard.press("j");
    await page.waitForURL(/[?&]event=0\b/);
    await page.keyboard.press("j");
    await page.waitForURL(/[?&]event=1\b/);
    await detailReady(page, 1);
    expect(await page.locator("[aria-selected='true']").getAttribute("data-seq")).toBe("1");
    await page.keyboard.press("ArrowDown");
    await page.waitForURL(/[?&]event=2\b/);
    await detailReady(page, 2);
    expect(await page.locator("[data-detail-seq='2']").textContent()).toContain("exit 2");
    await page.keyboard.press("k");
    await page.waitForURL(/[?&]event=1\b/);
    expect(await page.locator("[aria-selected='true']").getAttribute("data-seq")).toBe("1");

    // A link opens the same event.
    const link = page.url();
    const second = await signIn(await browser.newPage({ viewport: { width: 1280, height: 900 } }), studio);
    await second.goto(link);
    await detailReady(second, 1);
    expect(await second.locator("[aria-selected='true']").getAttribute("data-seq")).toBe("1");
    await second.close();

    // n: the next failed-or-error task run of the evaluation (skipping the passed one); p: back.
    await page.keyboard.press("n");
    await page.waitForURL(`**/runs/${seeded.errorRunId}`);
    await page.locator("[data-timeline-ready='true']").waitFor();
    expect(await page.locator("[data-testid='run-error']").textContent()).toContain("throw");
    expect(await page.textContent("main")).toContain("No events recorded");
    await page.keyboard.press("p");
    await page.waitForURL(`**/runs/${seeded.richRunId}`);
    await page.close();
  });

  it("downloads the raw trace as JSONL, one line per event, every field and the full body", async () => {
    const page = await signIn(await browser.newPage({ viewport: { width: 1280, height: 900 } }), studio);
    await page.goto(runUrl(seeded.richRunId));
    const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("download-raw").click()]);
    const text = fs.readFileSync((await download.path())!, "utf8");
    const lines = text
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(8);
    expect(lines.map((line) => line.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(lines[1]).toMatchObject({
      kind: "model_call",
      "gen_ai.usage.input_tokens": 2000,
      "gen_ai.request.model": "claude-sonnet-5-5",
      taskRunId: seeded.richRunId,
    });
    expect(lines[1].body.request.body.messages[1].content[0].thinking).toContain("PRIVATE-REASONING");
    expect(download.suggestedFilename()).toBe(`trace-ticket-1-${seeded.richRunId}.jsonl`);
    await page.close();

    const big = await fetch(`${studio.url}/api/task-runs/${seeded.bigRunId}/raw`, { headers: studio.authHeaders() });
    expect(big.status).toBe(200);
    expect(big.headers.get("content-disposition")).toMatch(/^attachment; filename="trace-ticket-5-/);
    expect(big.headers.get("content-type")).toContain("application/x-ndjson");
    const bigLines = (await big.text()).trimEnd().split("\n");
    expect(bigLines).toHaveLength(BIG_EVENTS);
    const huge = JSON.parse(bigLines[BIG_SEQ]);
    expect(huge.seq).toBe(BIG_SEQ);
    expect(huge.body.request.body.messages[2].content[0].content).toHaveLength(BIG_TEXT_CHARS); // whole, not cut
  });

  it("opens a 10,000-event trace fast, pages it as it scrolls, and shows a 3 MB body with a size notice", async () => {
    const page = await signIn(
      await browser.newPage({ viewport: { width: 1920, height: 1080 }, colorScheme: "dark" }),
      studio,
    );
    // Warm the route once (first request of a route in a fresh server loads its code).
    await page.goto(runUrl(seeded.passedRunId));

    const started = Date.now();
    await page.goto(runUrl(seeded.bigRunId), { waitUntil: "commit" });
    await page.locator("[data-testid='timeline-row'][data-seq='0']").waitFor();
    await page.locator("[data-timeline-ready='true']").waitFor();
    await page.keyboard.press("j");
    await page.locator("[aria-selected='true'][data-seq='0']").waitFor();
    await page.waitForURL(/[?&]event=0\b/);
    const interactiveMs = Date.now() - started;
    console.log(`[trace viewer] 10,000 events: timeline interactive ${interactiveMs} ms after navigation`);
    expect(interactiveMs).toBeLessThan(3000);

    // Windowed: only the rows in view are in the DOM.
    expect(await page.locator("[data-testid='timeline-row']").count()).toBeLessThan(100);

    // Scrolling to the end fetches the last page.
    await page.locator("[role='listbox']").evaluate((element) => (element.scrollTop = element.scrollHeight));
    await page.locator("[data-testid='timeline-row'][data-seq='9999']").waitFor();

    // j across a page boundary (rows 0–199 come with the page; 200 is fetched).
    await page.goto(runUrl(seeded.bigRunId, "?event=199"));
    await page.locator("[data-timeline-ready='true']").waitFor();
    await page.keyboard.press("j");
    await page.waitForURL(/[?&]event=200\b/);
    await page.locator("[aria-selected='true'][data-seq='200']").waitFor();

    // The filter lives in the URL too.
    await page.getByRole("button", { name: /^stderr/ }).click();
    await page.waitForURL(/[?&]kind=stderr\b/);
    await page.locator("[data-testid='timeline-row'][data-seq='4']").waitFor();
    const shownKinds = await page.locator("[data-testid='timeline-row'] [data-kind]").allTextContents();
    expect(new Set(shownKinds)).toEqual(new Set(["stderr"]));

    // The 3 MB event: structure whole, long text cut, and a notice that says so.
    const opened = Date.now();
    await page.goto(runUrl(seeded.bigRunId, `?event=${BIG_SEQ}`));
    await detailReady(page, BIG_SEQ);
    console.log(`[trace viewer] 3 MB event: detail ready ${Date.now() - opened} ms after navigation`);
    const notice = await page.locator("[data-notice='size']").textContent();
    expect(notice).toMatch(/showing the first \d+(\.\d)? KiB of 3(\.0)? MiB/);
    expect(notice).toContain("Download the raw trace");
    expect(await page.locator(`[aria-selected='true'][data-seq='${BIG_SEQ}']`).isVisible()).toBe(true);
    const detail = page.locator(`[data-detail-seq='${BIG_SEQ}']`);
    expect(await detail.locator("[data-block='tool_use']").textContent()).toContain("read_log");
    expect(await detail.textContent()).toContain("The log shows a refund loop."); // what comes after the big string is still there
    expect(await detail.textContent()).toContain("more characters not shown here");
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "trace-viewer-large");
    await page.close();
  });

  it("answers unknown ids and bad parameters with clear JSON errors, and only to GET", async () => {
    const api = (suffix: string, init: RequestInit = {}) =>
      fetch(`${studio.url}/api/task-runs/${suffix}`, {
        ...init,
        headers: { ...studio.authHeaders(), ...init.headers },
      });
    for (const suffix of ["nope/events", "nope/events/0", "nope/raw"]) {
      const response = await api(suffix);
      expect(response.status, suffix).toBe(404);
      expect((await response.json()).error).toContain("No task run");
    }
    const missing = await api(`${seeded.richRunId}/events/999`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error).toContain("no event with seq 999");
    expect((await api(`${seeded.richRunId}/events/-1`)).status).toBe(400);
    expect((await api(`${seeded.richRunId}/events/abc`)).status).toBe(400);
    expect((await api(`${seeded.richRunId}/events?limit=0`)).status).toBe(400);
    expect((await api(`${seeded.richRunId}/events?kind=DROP%20TABLE`)).status).toBe(400);
    expect((await api(`${seeded.richRunId}/events/1?maxBytes=10`)).status).toBe(400);
    expect((await api(`${seeded.richRunId}/events`, { method: "POST", headers: { origin: studio.url } })).status).toBe(
      405,
    );

    const page = await api(`${seeded.bigRunId}/events?offset=9990&limit=50&locate=5000`);
    const body = await page.json();
    expect(body).toMatchObject({ total: BIG_EVENTS, offset: 9990, located: 5000 });
    expect(body.events).toHaveLength(10);
    expect(body.events[0]).not.toHaveProperty("body");
    const full = await (await api(`${seeded.bigRunId}/events/${BIG_SEQ}`)).json();
    expect(full.clip).toBeNull();
    expect(full.body.request.body.messages[2].content[0].content).toHaveLength(BIG_TEXT_CHARS);

    // A run under another project's URL, or no run at all: the not-found page.
    expect(
      (await fetch(`${studio.url}/projects/other-project/runs/${seeded.richRunId}`, { headers: studio.authHeaders() }))
        .status,
    ).toBe(404);
    expect(
      (await fetch(`${studio.url}/projects/${seeded.projectId}/runs/does-not-exist`, { headers: studio.authHeaders() }))
        .status,
    ).toBe(404);
  });

  it("cuts a large body for display without losing its shape", () => {
    const body = {
      messages: [
        { role: "user", content: "x".repeat(500_000) },
        { role: "assistant", content: "short answer" },
      ],
      usage: { input_tokens: 5 },
    };
    const { body: clipped, clip } = clipBody(body, 50_000);
    expect(clip).toMatchObject({ mode: "strings", totalBytes: JSON.stringify(body).length });
    expect(clip!.shownBytes).toBeLessThanOrEqual(55_000);
    const shown = clipped as typeof body;
    expect(shown.messages[1].content).toBe("short answer");
    expect(shown.usage.input_tokens).toBe(5);
    expect(shown.messages[0].content).toContain("more characters not shown here");
    expect(clipBody({ small: true }, 50_000).clip).toBeNull();
    const wide = clipBody(
      Array.from({ length: 20_000 }, (_, i) => ({ i })),
      10_000,
    );
    expect(wide.clip?.mode).toBe("text");
    expect(wide.bodyText!.length).toBeLessThanOrEqual(10_000);
  });
});
