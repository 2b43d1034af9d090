// The overview follows a run live, in a real Chromium against a real studio: "Run 3 iterations"
// on the text-classification example (offline), and while the run goes on, with no reload, the
// cards, the chart, the iteration list and the evaluation list change as each evaluation and
// iteration lands. The final check on the held-out test split is named as such (candidate
// once, no "Iteration 3 of 3"). After the run, "Score against cost" switches between dollars and
// tokens per task, with ticks that never repeat.
import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { runCli, startStudio, studioEnv, type RunningStudio } from "../tests/helpers/studio.ts";
import { SCREENSHOTS, fitsWidth, launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await studio?.stop();
});

/** What the page shows right now, read in one go so the figures belong together. */
function readOverview(page: Page) {
  return page.evaluate(() => {
    const stat = (label: string) => {
      const value = document.evaluate(
        `//div[normalize-space(text())="${label}"]/following-sibling::div[1]`,
        document,
        null,
        XPathResult.FIRST_ORDERED_NODE_TYPE,
        null,
      ).singleNodeValue;
      return value ? Number(value.textContent) : NaN;
    };
    const tableAfter = (title: string) =>
      [...document.querySelectorAll("section")].find((section) => section.querySelector("h2")?.textContent === title);
    return {
      running: document.querySelector("[role='progressbar']") != null,
      phase: document.querySelector("[data-testid='run-phase']")?.textContent ?? null,
      iterations: stat("Iterations"),
      candidates: stat("Candidates"),
      iterationRows: tableAfter("Iterations")?.querySelectorAll("tbody tr").length ?? 0,
      evaluationRows: tableAfter("Evaluations")?.querySelectorAll("tbody tr").length ?? 0,
      candidateRows: document.querySelectorAll("[data-table='candidates'] tbody tr").length,
      points: document.querySelectorAll("[data-chart='frontier'] a[data-candidate]").length,
      // Set before the run: gone if the page was reloaded.
      sameDocument: (window as unknown as { liveMarker?: number }).liveMarker === 1,
    };
  });
}

it(
  "updates the overview's cards, chart and lists while a run goes, and names the final test check",
  { timeout: 600_000 },
  async () => {
    const created = await runCli(
      ["project", "create", "--example", "text-classification", "--json"],
      studioEnv({ STUDIO_DATA_DIR: studio.dataDir }),
    );
    expect(created.code, created.stderr).toBe(0);
    const projectId = (JSON.parse(created.stdout.trim().split("\n").at(-1)!) as { projectId: string }).projectId;

    const page = await openPage(browser, studio, { width: 1440, height: 900 });
    await page.goto(`${studio.url}/projects/${projectId}`);
    await page.getByText("No iterations yet").waitFor();
    await page.evaluate(() => ((window as unknown as { liveMarker: number }).liveMarker = 1));
    const before = await readOverview(page);
    expect(before).toMatchObject({ running: false, iterations: 0, candidates: 1, iterationRows: 0, evaluationRows: 0 });

    await page.getByRole("button", { name: "Run 3 iterations" }).click();

    // The seed's evaluation lands: a point on the chart and a row in the evaluations, mid-run.
    await page.waitForFunction(
      () => document.querySelectorAll("[data-chart='frontier'] a[data-candidate]").length >= 1,
      null,
      {
        timeout: 120_000,
      },
    );
    const seeded = await readOverview(page);
    expect(seeded.running).toBe(true);
    expect(seeded.evaluationRows).toBeGreaterThanOrEqual(1);
    expect(seeded.sameDocument).toBe(true);

    // Iteration 1 starts: the card counts it and the list shows it with its stage.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("section")]
          .find((section) => section.querySelector("h2")?.textContent === "Iterations")
          ?.querySelector("tbody tr") != null,
      null,
      { timeout: 180_000 },
    );
    const started = await readOverview(page);
    expect(started).toMatchObject({ running: true, sameDocument: true, iterationRows: 1, iterations: 1 });

    // Iteration 1 ends (its candidates written and scored): cards, chart and lists say so while the run goes on.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("section")]
          .find((section) => section.querySelector("h2")?.textContent === "Iterations")
          ?.querySelector("tbody tr:last-child td:nth-child(2)")?.textContent === "done",
      null,
      { timeout: 240_000 },
    );
    // The charts read their points after the page renders (ProjectCharts): give them the moment.
    await page.waitForFunction(
      () => document.querySelectorAll("[data-chart='frontier'] a[data-candidate]").length > 1,
      null,
      { timeout: 15_000 },
    );
    const during = await readOverview(page);
    expect(during.running, JSON.stringify(during)).toBe(true);
    expect(during.sameDocument).toBe(true);
    expect(during.iterations).toBeGreaterThanOrEqual(1);
    expect(during.iterationRows).toBeGreaterThanOrEqual(during.iterations); // and the running one
    expect(during.candidates).toBeGreaterThan(1);
    expect(during.candidateRows).toBe(during.candidates);
    expect(during.evaluationRows).toBeGreaterThan(seeded.evaluationRows);
    expect(during.points).toBeGreaterThan(1);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "live-overview-during-run");

    // The last phase: the frontier on the held-out test split, said in words, the candidate once.
    const phase = page.locator("[data-testid='run-phase'][data-phase='test']");
    await phase.waitFor({ timeout: 240_000 });
    const label = (await phase.textContent())!;
    expect(label).toMatch(/^Final check on the held-out test split · candidate #\d+ · \d+ of 120 tasks/);
    expect(label.match(/#\d+/g)).toHaveLength(1);
    expect(label).not.toMatch(/Iteration/);
    await screenshot(page, "live-overview-test-check");

    await page.getByText("Last run: done, 3 of 3 iterations").waitFor({ timeout: 240_000 });
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll("section")]
          .find((section) => section.querySelector("h2")?.textContent === "Iterations")
          ?.querySelectorAll("tbody tr").length === 3,
      null,
      { timeout: 15_000 },
    );
    const after = await readOverview(page);
    expect(after).toMatchObject({ running: false, iterations: 3, iterationRows: 3, sameDocument: true });
    expect(after.evaluationRows).toBeGreaterThan(during.evaluationRows);
    await screenshot(page, "live-overview-after-run");

    // Score against cost, in both units: distinct ticks, every point drawn.
    const chart = page.locator("[data-chart='frontier']");
    const ticks = () => chart.locator(".recharts-xAxis-tick-labels text").allTextContents();
    for (const unit of ["tokens", "usd"] as const) {
      const button = chart.getByRole("button", { name: unit === "usd" ? "$ per task" : "tokens per task" });
      if (await button.isDisabled()) continue; // no price for the offline model: dollars are off, and say why
      await button.click();
      await page.locator(`[data-chart='frontier'][data-unit='${unit}']`).waitFor();
      const labels = await ticks();
      expect(labels.length).toBeGreaterThanOrEqual(2);
      expect(new Set(labels).size, labels.join(" ")).toBe(labels.length);
      if (unit === "usd") expect(labels.every((text) => text.startsWith("$"))).toBe(true);
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      await chart.screenshot({ path: path.join(SCREENSHOTS, `live-chart-${unit}.png`) });
    }
    await page.close();
  },
);
