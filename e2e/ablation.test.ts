// The feedback ablation in a real Chromium against a real studio, offline: the overview's
// "Run feedback ablation" makes three sibling projects (raw, summary, scores) from the same seed
// and runs one optimization in each; the comparison page shows each mode's best search score by
// iteration, its tokens, the files its proposer read per iteration and its final frontier.
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { startStudio, studioDatabaseUrl, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await studio?.stop();
});

it("starts an ablation from the overview and compares the three modes", async () => {
  const page = await openPage(browser, studio);
  const created = await page.request.post(`${studio.url}/api/projects`, {
    data: { example: "terminal-tasks" },
    headers: { origin: studio.url },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { projectId } = (await created.json()) as { projectId: string };

  await page.goto(`${studio.url}/projects/${projectId}`);
  const controls = page.getByTestId("ablation-controls");
  await controls.getByText("exist only to test that claim").waitFor();
  await controls.getByLabel("Iterations per mode").fill("1");
  await controls.getByRole("button", { name: "Run feedback ablation" }).click();
  await page.waitForURL(/\/ablations\/[a-z0-9]+$/, { timeout: 30_000 });
  const ablationId = page.url().split("/").at(-1)!;

  // One row per mode, in the paper's order, each linking to its own project.
  const rows = page.locator("[data-testid=ablation-modes] tbody tr");
  expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute("data-feedback")))).toEqual([
    "raw",
    "summary",
    "scores",
  ]);
  // The page refreshes itself until every mode's run has ended; each must have ended done.
  await page.waitForFunction(
    () =>
      [...document.querySelectorAll("[data-testid=ablation-modes] tbody tr")].every(
        (tr) => !/\b(queued|running)\b/.test((tr as HTMLElement).innerText),
      ),
    undefined,
    { timeout: 420_000, polling: 1000 },
  );
  const ended = await rows.allInnerTexts();
  expect(
    ended.filter((text) => /\bdone\b/.test(text)),
    ended.join("\n"),
  ).toHaveLength(3);
  await page.reload();
  expect(await fitsWidth(page)).toBe(true);
  for (const mode of ["raw", "summary", "scores"]) {
    const row = page.locator(`[data-testid=ablation-modes] tr[data-feedback=${mode}]`);
    expect(await row.getByTestId("best-search").innerText()).toMatch(/\d/);
    expect(await page.getByTestId(`frontier-${mode}`).locator("tbody tr").count()).toBeGreaterThan(0);
  }
  const iterationRow = page.locator("[data-testid=ablation-files-read] tbody tr").first();
  expect(await iterationRow.locator("td").first().innerText()).toBe("Iteration 1");
  expect(await iterationRow.getByText(/\d+ files/).count()).toBe(3);
  // Attached, not visible: a mode whose best stayed flat draws a line with no height.
  await page.locator("[data-chart=ablation] .recharts-line-curve").first().waitFor({ state: "attached" });
  expect(await page.locator("[data-chart=ablation] .recharts-line-curve").count()).toBe(3);
  await screenshot(page, "ablation-comparison");

  // What the page showed is what the database holds: three siblings, one mode each.
  const db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
  try {
    const arms = await db.project.findMany({
      where: { ablationId },
      select: {
        id: true,
        name: true,
        optimizations: { select: { feedback: true, status: true } },
        candidates: { where: { origin: "seed" }, select: { sha256: true } },
      },
    });
    expect(arms.map((arm) => arm.optimizations[0]?.feedback).sort()).toEqual(["raw", "scores", "summary"]);
    expect(new Set(arms.map((arm) => arm.candidates[0].sha256)).size).toBe(1); // the same seed
    const summaryArm = arms.find((arm) => arm.optimizations[0].feedback === "summary")!;
    expect(await db.traceSummary.count({ where: { iteration: { projectId: summaryArm.id } } })).toBeGreaterThan(0);
    const rawFiles = await db.iteration.findFirstOrThrow({
      where: { project: { ablationId }, optimization: { feedback: "raw" } },
      select: { filesRead: true },
    });
    expect(rawFiles.filesRead.some((file) => file.endsWith(".jsonl"))).toBe(true);
    const scoresFiles = await db.iteration.findFirstOrThrow({
      where: { project: { ablationId }, optimization: { feedback: "scores" } },
      select: { filesRead: true },
    });
    expect(scoresFiles.filesRead.some((file) => file.endsWith(".jsonl"))).toBe(false);
  } finally {
    await db.$disconnect();
  }

  // The source project's overview links to the comparison.
  await page.goto(`${studio.url}/projects/${projectId}`);
  await page.getByRole("link", { name: /Feedback ablation of/ }).click();
  await page.waitForURL(new RegExp(`/ablations/${ablationId}$`));
  await page.close();
}, 600_000);
