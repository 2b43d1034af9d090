// Trials and intervals in a real Chromium against a real studio: an evaluation with three
// trials per task shows each task's trials side by side on the candidate page (each opening its
// own trace), the overview's cards and table carry the score's 95% interval and its charts draw
// it as error bars, and the trials field beside "Evaluate on test" starts an evaluation with that
// many trials.
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { formatInterval } from "../lib/format.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../tests/helpers/studio.ts";
import { launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let projectId: string;
let seedId: string;
let evaluationId: string;
const requested: string[] = [];

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
  const response = await fetch(`${studio.url}/api/projects`, {
    method: "POST",
    headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
    body: JSON.stringify({ example: "math-word-problems" }),
  });
  expect(response.status).toBe(201);
  ({ projectId, seedCandidateId: seedId } = (await response.json()) as { projectId: string; seedCandidateId: string });
  const evaluated = await runCli(
    ["eval", "--project", projectId, "--offline", "--trials", "3", "--json"],
    studioEnv({ DATABASE_URL: studioDatabaseUrl(studio.dataDir) }),
    240_000,
  );
  expect(evaluated.code, evaluated.stderr).toBe(0);
  ({ evaluationId } = JSON.parse(evaluated.stdout.trim().split("\n").at(-1)!) as { evaluationId: string });
}, 360_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
});

describe("trials", () => {
  it("shows each task's trials side by side on the candidate page, each opening its own trace", async () => {
    const page = await openPage(browser, studio, { requested });
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${seedId}`);
    const table = page.locator('[data-table="task-results"]');
    await table.waitFor();
    expect(await table.getAttribute("data-trials")).toBe("3");
    expect(await table.locator("thead th").allInnerTexts()).toEqual(
      expect.arrayContaining(["Trial 1", "Trial 2", "Trial 3"]),
    );

    const runs = await db.taskRun.findMany({
      where: { evaluationId },
      select: { id: true, trial: true, status: true, task: { select: { key: true, position: true } } },
      orderBy: [{ task: { position: "asc" } }, { trial: "asc" }],
    });
    const firstKey = runs[0].task.key;
    const row = table.locator(`tr[data-task="${firstKey}"]`);
    for (const trial of [1, 2, 3]) {
      const run = runs.find((candidate) => candidate.task.key === firstKey && candidate.trial === trial)!;
      const cell = row.locator(`td[data-trial="${trial}"]`);
      expect(await cell.getAttribute("data-status")).toBe(run.status);
      expect(await cell.locator("a").getAttribute("href")).toBe(`/projects/${projectId}/runs/${run.id}`);
    }
    const passed = runs.filter((run) => run.task.key === firstKey && run.status === "passed").length;
    expect(await row.locator("[data-passed-trials]").innerText()).toBe(`${passed}/3 passed`);
    // Every shown task has its three trials, and the page's rows are tasks, not task runs.
    const shownTasks = await table.locator("tbody tr").count();
    expect(await table.locator("tbody td[data-trial] a").count()).toBe(shownTasks * 3);
    expect(shownTasks).toBe(Math.min(50, new Set(runs.map((run) => run.task.key)).size));
    console.log(`screenshot: ${await screenshot(page, "trials-candidate")}`);
    await page.close();
  });

  it("shows the interval on the overview's card and table, and as error bars on its charts", async () => {
    const page = await openPage(browser, studio, { width: 1400, height: 1400, requested });
    await page.goto(`${studio.url}/projects/${projectId}`);
    await page.locator('[data-chart="frontier"] .recharts-errorBar').first().waitFor();
    const stored = await db.evaluation.findUniqueOrThrow({
      where: { id: evaluationId },
      select: { scoreLow: true, scoreHigh: true },
    });
    const interval = formatInterval(stored.scoreLow, stored.scoreHigh);
    expect(interval).not.toBe("");
    expect(await page.locator("[data-score-interval]").first().innerText()).toContain(interval);
    expect(await page.locator('[data-chart="score-progress"] .recharts-errorBar').count()).toBeGreaterThan(0);
    console.log(`screenshot: ${await screenshot(page, "trials-overview")}`);
    await page.close();
  });

  it("starts an evaluation with the trials typed beside its button", async () => {
    const page = await openPage(browser, studio, { requested });
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${seedId}`);
    await page.locator('[data-trials-input="test"]').fill("2");
    await page.getByRole("button", { name: "Evaluate on test" }).click();
    await expect
      .poll(
        async () =>
          db.evaluation.findFirst({ where: { candidateId: seedId, split: "test" }, select: { trials: true } }),
        {
          timeout: 30_000,
        },
      )
      .toEqual({ trials: 2 });
    await page.close();
    expect(requested.every((url) => /^(https?:\/\/127\.0\.0\.1|data:|blob:|about:)/.test(url))).toBe(true);
  });
});
