// Search across task runs, the task × candidate matrix and the task set, in a real Chromium
// against a real studio whose project was optimized offline for one iteration: a search finds a
// known output and opens its trace; a matrix cell opens its task run's trace; a task's page lists
// its history across candidates. Screenshots of the three pages at 1440 × 900.
import fs from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let projectId: string;
const requested: string[] = [];
const newPage = () => openPage(browser, studio, { width: 1440, height: 900, requested });

/** Also kept where the team looks at screenshots, when that folder exists. */
async function shoot(page: Page, name: string) {
  const file = await screenshot(page, name);
  const shared = process.env.STUDIO_SHOTS_DIR;
  if (shared) {
    fs.mkdirSync(shared, { recursive: true });
    await page.screenshot({ path: path.join(shared, `${name}.png`) });
  }
  return file;
}

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
  const response = await fetch(`${studio.url}/api/projects`, {
    method: "POST",
    headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
    body: JSON.stringify({ example: "text-classification" }),
  });
  expect(response.status).toBe(201);
  ({ projectId } = (await response.json()) as { projectId: string });
  const optimized = await runCli(
    ["optimize", "--project", projectId, "--iterations", "1", "--offline", "--json"],
    studioEnv({ DATABASE_URL: studioDatabaseUrl(studio.dataDir) }),
    240_000,
  );
  expect(optimized.code, optimized.stderr).toBe(0);
}, 300_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
});

describe("search, matrix and task set", () => {
  it("a search finds a known output and opens its trace", async () => {
    // A failed task run with the rarest output, as stored: what a person would look for (a
    // rare one, so the run is on the first page of results).
    const [known] = await db.$queryRaw<{ id: string; text: string; matches: number }[]>`
      select r.id, r.output #>> '{}' as text, count(*) over (partition by r.output #>> '{}')::int as matches
      from "TaskRun" r join "Evaluation" e on e.id = r."evaluationId" join "Candidate" c on c.id = e."candidateId"
      where c."projectId" = ${projectId} and r.status = 'failed' and r.output is not null
      order by matches, r.id limit 1`;
    expect(known).toBeTruthy();
    const text = known.text.slice(0, 40);
    const [{ expected }] = await db.$queryRaw<{ expected: number }[]>`
      select count(*)::int as expected from "TaskRun" r join "Evaluation" e on e.id = r."evaluationId"
        join "Candidate" c on c.id = e."candidateId"
      where c."projectId" = ${projectId} and r.status = 'failed' and strpos(lower(r.output #>> '{}'), lower(${text})) > 0`;
    expect(expected).toBeLessThanOrEqual(100);

    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/search`);
    await page.getByRole("searchbox").fill(text);
    await page.getByRole("checkbox", { name: "output" }).check();
    await page.getByRole("checkbox", { name: "failed" }).check();
    await page.getByRole("button", { name: "Search" }).click();
    await page.waitForURL(/\/search\?.*q=/);
    const url = new URL(page.url());
    expect(url.searchParams.get("in")).toBe("output");
    expect(url.searchParams.get("status")).toBe("failed");
    const row = page.locator(`[data-table="search-results"] tr[data-run="${known.id}"]`);
    await row.waitFor();
    // Every row is a failed run whose output holds the text.
    const statuses = await page
      .locator('[data-table="search-results"] tbody tr')
      .evaluateAll((rows) => rows.map((tr) => tr.getAttribute("data-status")));
    expect(new Set(statuses)).toEqual(new Set(["failed"]));
    expect(statuses.length).toBe(expected);
    expect(await page.getByTestId("search-total").innerText()).toBe(`${expected} task run${expected === 1 ? "" : "s"}`);
    expect(await fitsWidth(page)).toBe(true);

    // The filters are the URL: reloading it shows the same results.
    await page.reload();
    await row.waitFor();
    await shoot(page, "search");

    await row.getByTestId("open-trace").click();
    await page.waitForURL(`**/projects/${projectId}/runs/${known.id}`);
    await page.locator("[data-testid='timeline-row']").first().waitFor();
    await page.close();
  });

  it("refuses bad filters with a clear message, losing nothing typed", async () => {
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/search?q=refund&tokensMin=9&tokensMax=3`);
    expect(await page.locator("p[role=alert]").innerText()).toContain("tokens range is empty");
    expect(await page.getByRole("searchbox").inputValue()).toBe("refund");
    const api = await page.request.get(`${studio.url}/api/projects/${projectId}/search?status=bogus`);
    expect(api.status()).toBe(400);
    // One message per field, keyed by where it is ("status.1": the second value of the list).
    const { fields } = (await api.json()) as { fields: Record<string, string> };
    expect(Object.keys(fields)).toEqual([expect.stringMatching(/^status/)]);
    await page.close();
  });

  it("the matrix opens a trace", async () => {
    const candidates = await db.candidate.count({ where: { projectId, evaluations: { some: { status: "done" } } } });
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/matrix?candidates=all`);
    const grid = page.getByTestId("task-matrix");
    await grid.and(page.locator("[data-matrix-ready='true']")).waitFor();
    expect(Number(await grid.getAttribute("data-columns"))).toBe(candidates);
    const tasks = await db.task.count({ where: { suite: { projectId }, split: "search" } });
    expect(Number(await grid.getAttribute("data-rows"))).toBe(tasks);

    // "Nobody passes" puts a task no candidate passed first, when there is one.
    await page.locator("[data-sort='nobody']").click();
    expect(page.url()).toContain("sort=nobody");
    await shoot(page, "matrix");

    const cell = page.locator("a[data-cell]").first();
    const href = (await cell.getAttribute("href"))!;
    const target = new URL(href, studio.url);
    const run = await db.taskRun.findFirstOrThrow({
      where: { evaluationId: target.searchParams.get("evaluation")!, taskId: target.searchParams.get("task")! },
      select: { id: true, status: true },
    });
    expect(await cell.getAttribute("data-cell")).toBe(run.status[0]);
    await cell.click();
    await page.waitForURL(`**/projects/${projectId}/runs/${run.id}`);
    await page.locator("[data-testid='timeline-row']").first().waitFor();
    await page.close();
  });

  it("the task page lists a task's history across candidates", async () => {
    const task = await db.task.findFirstOrThrow({
      where: { suite: { projectId }, split: "search" },
      orderBy: { position: "asc" },
      select: { id: true, key: true, expected: true },
    });
    const runs = await db.taskRun.findMany({
      where: { taskId: task.id, evaluationId: { not: null } },
      select: { id: true },
    });
    expect(runs.length).toBeGreaterThan(1);

    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/tasks`);
    const testRows = await page.locator('[data-table="tasks"] tbody tr').count();
    // The first page of 100, and a pager to the rest.
    const taskCount = await db.task.count({ where: { suite: { projectId } } });
    expect(testRows).toBe(Math.min(100, taskCount));
    if (taskCount > 100)
      expect(await page.getByRole("navigation", { name: "Pages of tasks" }).innerText()).toContain("Page 1 of");
    await shoot(page, "tasks");
    await page.locator(`tr[data-task="${task.key}"] a`).first().click();
    await page.waitForURL(`**/projects/${projectId}/tasks/${task.id}`);
    expect(await page.getByTestId("task-expected").innerText()).toContain(
      typeof task.expected === "string" ? task.expected : JSON.stringify(task.expected).slice(1, 20),
    );
    const links = await page
      .locator('[data-table="task-history"] [data-testid="open-trace"]')
      .evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute("href")));
    expect(links.sort()).toEqual(runs.map((run) => `/projects/${projectId}/runs/${run.id}`).sort());
    await shoot(page, "task");
    await page.locator('[data-table="task-history"] [data-testid="open-trace"]').first().click();
    await page.waitForURL(/\/runs\//);
    await page.close();
  });

  it("asked for nothing off loopback", () => {
    expect(requested.filter((url) => !/^(http:\/\/127\.0\.0\.1|data:|blob:)/.test(url))).toEqual([]);
  });
});
