// The transfer page in a real Chromium against a real studio with no model key (offline): the
// seed and a better candidate have finished evaluations with the project's model and another one
// (stored with known figures), so the matrix cells, the gain column and the finding sentence are
// known exactly. Then the form queues the seed with a third model; the job worker runs it against
// the offline model, and its cell fills in. No request may leave 127.0.0.1.
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { startStudio, studioDatabaseUrl, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, openPage, screenshot } from "./browser.ts";

// Another model than the project's (an example project runs on claude-haiku-5-5).
const HAIKU = "claude-haiku-4-5";
const OPUS = "claude-opus-5-5";
let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let projectId: string;
let projectModel: string;
let seedId: string;
const requested: string[] = [];

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio({ env: { ANTHROPIC_API_KEY: undefined } }), launchBrowser()]);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
  const created = await fetch(`${studio.url}/api/projects`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: studio.url, ...studio.authHeaders() },
    body: JSON.stringify({ example: "math-word-problems" }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  ({ projectId } = (await created.json()) as { projectId: string });
  const project = await db.project.findUniqueOrThrow({ where: { id: projectId }, select: { model: true } });
  projectModel = project.model;
  const seed = await db.candidate.findFirstOrThrow({ where: { projectId, number: 1 } });
  seedId = seed.id;
  const better = await db.candidate.create({
    data: { projectId, number: 2, source: seed.source, sha256: "better", origin: "person", status: "valid" },
  });
  // Ten tasks each; $0.30 with the project's model, $0.10 with Haiku: the figures the page must show.
  const evaluation = (candidateId: string, model: string, score: number, low: number, high: number, cost: number) => ({
    candidateId,
    split: "search" as const,
    model,
    status: "done" as const,
    score,
    scoreLow: low,
    scoreHigh: high,
    taskCount: 10,
    passedCount: Math.round(score * 10),
    failedCount: 10 - Math.round(score * 10),
    inputTokens: 4_000,
    outputTokens: 1_000,
    costUsd: cost,
    finishedAt: new Date(),
  });
  await db.evaluation.createMany({
    data: [
      evaluation(seed.id, projectModel, 0.5, 0.4, 0.6, 0.3),
      evaluation(seed.id, HAIKU, 0.4, 0.3, 0.5, 0.1),
      evaluation(better.id, projectModel, 0.85, 0.78, 0.9, 0.3),
      evaluation(better.id, HAIKU, 0.8, 0.72, 0.86, 0.1),
    ],
  });
}, 300_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
});

describe("transfer across models (browser)", () => {
  it("shows each model's score with its interval, tokens and cost, the gain over the seed, and the finding", async () => {
    const page = await openPage(browser, studio, { requested, width: 1280, height: 900 });
    await page.goto(`${studio.url}/projects/${projectId}/transfer`);
    const table = page.getByRole("table", { name: "Transfer matrix" });
    await table.waitFor();

    const headers = await table.locator("thead tr").first().locator("th").allInnerTexts();
    expect(headers).toHaveLength(3);
    expect(headers[1]).toMatch(new RegExp(`^${projectModel}\\s+project$`));
    expect(headers[2].trim()).toBe(HAIKU);

    const seedRow = table.locator("tr[data-candidate='1']");
    const bestRow = table.locator("tr[data-candidate='2']");
    expect(await seedRow.locator("td").first().innerText()).toMatch(/#1\s+seed/);
    expect(await bestRow.locator("td").first().innerText()).toMatch(/#2\s+best\s+frontier/);
    const cell = (row: typeof seedRow, model: string) => row.locator(`td[data-model='${model}']`).first();
    const bestHaiku = await cell(bestRow, HAIKU).innerText();
    expect(bestHaiku).toContain("80.0%");
    expect(bestHaiku).toContain("72.0–86.0%");
    expect(bestHaiku).toContain("500 tokens/task");
    expect(bestHaiku).toContain("$0.01/task · $0.10 in all");
    // No cell is simulated yet: none is marked.
    expect(await table.getByText("simulated").count()).toBe(0);
    expect(await cell(seedRow, projectModel).innerText()).toContain("40.0–60.0%");

    const gain = (row: typeof seedRow, model: string) =>
      row.locator(`td[data-model='${model}'][data-column='gain']`).innerText();
    expect(await gain(bestRow, projectModel)).toBe("+35.0 pts");
    expect(await gain(bestRow, HAIKU)).toBe("+40.0 pts");
    expect(await gain(seedRow, HAIKU)).toBe("seed");

    expect(await page.getByTestId("transfer-finding").innerText()).toBe(
      `The best harness (#2), found with ${projectModel}, scores above the seed on ${HAIKU}. ` +
        `The best harness (#2) on ${HAIKU} scores above the seed on ${projectModel} (80.0% against 50.0%) at a third of the cost.`,
    );
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "transfer-matrix");
    await page.close();
  });

  it("queues the seed with another model from the form; the offline run fills in its cell, marked simulated", async () => {
    const page = await openPage(browser, studio, { requested, width: 1280, height: 900 });
    await page.goto(`${studio.url}/projects/${projectId}/transfer`);
    const form = page.getByRole("form", { name: "Evaluate on other models" });
    await form.waitFor();
    await form.getByRole("checkbox", { name: /#2/ }).uncheck();
    await form.getByRole("button", { name: `Remove ${HAIKU}` }).click();
    await form.getByLabel("Model to add").fill(OPUS);
    await form.getByRole("button", { name: "Add model" }).click();
    await form.locator("[data-estimate]").filter({ hasText: "Estimated cost: $0 (offline)" }).waitFor();
    await form.getByRole("button", { name: "Evaluate on search" }).click();
    await form.getByRole("status").filter({ hasText: "Queued 1 evaluation" }).waitFor();

    const queued = await db.evaluation.findFirstOrThrow({ where: { candidateId: seedId, model: OPUS } });
    expect(queued.simulated).toBe(true);
    // The page re-renders while it runs: the new column, then the seed's cell in it.
    const table = page.getByRole("table", { name: "Transfer matrix" });
    const opusCell = table.locator(`tr[data-candidate='1'] td[data-model='${OPUS}']`).first();
    await opusCell.getByTestId("transfer-cell").waitFor({ timeout: 240_000 });
    const done = await db.evaluation.findUniqueOrThrow({ where: { id: queued.id } });
    expect(done.status).toBe("done");
    expect(await opusCell.innerText()).toContain(`${((done.score ?? 0) * 100).toFixed(1)}%`);
    // Simulated beside real cells: it is marked on its own.
    expect(await opusCell.innerText()).toContain("simulated");
    // Still the project's model alone in the search's reads: #2 stays best at 85%.
    expect(await table.locator("tr[data-candidate='2'] td").first().innerText()).toContain("best");
    await screenshot(page, "transfer-matrix-after-run");
    expect(requested.filter((url) => !url.startsWith(studio.url))).toEqual([]);
    await page.close();
  }, 300_000);
});
