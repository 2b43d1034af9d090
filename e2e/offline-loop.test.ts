// A newcomer without an API key, in a real Chromium against a real studio: New project →
// text-classification example → Run 3 iterations (offline). The search score must rise by
// at least 15 points and in every iteration (each checked: three candidates whose best beats the
// seed, then a better one, then a better one again), the simulated badge must show, the run must take under 2 minutes, and the
// proposer's rationales must cite trace files that exist in the workspace.
import fs from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { startStudio, studioDatabaseUrl, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, screenshot, signIn } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await studio?.stop();
});

function studioDb(dataDir: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(dataDir) }) });
}

it("raises the text-classification example's search score by 15+ points in 3 offline iterations, in under 2 minutes", async () => {
  const page = await signIn(await browser.newPage({ viewport: { width: 1280, height: 900 } }), studio);
  await page.goto(`${studio.url}/projects`);
  await page.getByRole("link", { name: "New project" }).first().click();
  await page.waitForURL("**/projects/new");
  expect(await fitsWidth(page)).toBe(true);
  await screenshot(page, "new-project");

  const card = page.locator("div", { has: page.locator("code", { hasText: "examples/text-classification" }) }).last();
  await card.getByRole("button", { name: "Create project" }).click();
  await page.waitForURL((url) => /\/projects\/(?!new$)[a-z0-9]+$/.test(url.pathname), { timeout: 30_000 });
  const projectId = page.url().split("/").at(-1)!;
  await page.getByText("offline mode · simulated").waitFor();
  await screenshot(page, "example-project-created");

  const started = Date.now();
  await page.getByRole("button", { name: "Run 3 iterations" }).click();
  await page.getByRole("progressbar").waitFor({ timeout: 15_000 });
  await page
    .getByText(/\d of 3 in this run/)
    .first()
    .waitFor();
  await screenshot(page, "offline-run-in-progress");
  await page.getByText("Last run: done, 3 of 3 iterations").waitFor({ timeout: 150_000 });
  const seconds = (Date.now() - started) / 1000;
  await page.reload();
  expect(await page.textContent("body")).toContain("simulated");
  await screenshot(page, "offline-run-done");
  // The run ends by scoring the frontier on the held-out split: its evaluation row opens that
  // candidate's test-split task results.
  const testRow = page.locator("tr", { has: page.locator("text=/^test$/") }).first();
  await testRow.getByRole("link").first().click();
  await page.waitForURL(/\/candidates\/[a-z0-9]+\?split=test$/);
  await page.locator('[data-split-results="test"][aria-current="page"]').waitFor();
  expect(await page.locator('[data-table="task-results"] tbody tr').count()).toBe(50); // a page of them
  expect(await page.locator("[data-page-rows]").innerText()).toBe("1–50 of 120");
  await page.close();
  expect(seconds).toBeLessThan(120);

  const db = studioDb(studio.dataDir);
  try {
    const scores = await db.evaluation.findMany({
      where: { split: "search", status: "done", candidate: { projectId } },
      select: { score: true, simulated: true, candidate: { select: { origin: true, number: true } } },
    });
    const seedRow = scores.find((row) => row.candidate.origin === "seed");
    expect(seedRow, JSON.stringify(scores)).toBeDefined();
    const seed = seedRow!.score!;
    const best = Math.max(...scores.map((row) => row.score ?? 0));
    expect(best - seed).toBeGreaterThanOrEqual(0.15);
    expect(scores.every((row) => row.simulated)).toBe(true);
    // Each iteration on its own: 1 writes three candidates, 2 improves on the best of them, 3
    // improves again (one change at a time, so the climb takes all three).
    const iterations = await db.iteration.findMany({
      where: { projectId },
      orderBy: { number: "asc" },
      select: {
        number: true,
        status: true,
        candidates: {
          select: { evaluations: { where: { split: "search", status: "done" }, select: { score: true } } },
        },
        events: { where: { kind: "note" }, select: { body: true } },
      },
    });
    const bestOf = (index: number) =>
      Math.max(...iterations[index].candidates.flatMap((candidate) => candidate.evaluations.map((e) => e.score ?? 0)));
    expect(iterations.map((iteration) => [iteration.number, iteration.status])).toEqual([
      [1, "done"],
      [2, "done"],
      [3, "done"],
    ]);
    expect(iterations[0].candidates).toHaveLength(3);
    expect(iterations[0].candidates.every((candidate) => candidate.evaluations.length === 1)).toBe(true);
    expect(bestOf(0) - seed).toBeGreaterThanOrEqual(0.15);
    expect(iterations[1].candidates.length).toBeGreaterThan(0);
    expect(bestOf(1)).toBeGreaterThan(bestOf(0));
    expect(iterations[2].candidates.length).toBeGreaterThan(0);
    expect(bestOf(2)).toBeGreaterThan(bestOf(1));
    expect(
      iterations.some((iteration) =>
        iteration.events.some((event) =>
          String((event.body as { message?: string }).message).startsWith("wrote nothing:"),
        ),
      ),
    ).toBe(false);
    expect(await db.iteration.count({ where: { projectId, simulated: false } })).toBe(0);

    // Rationales cite the raw trace files the offline proposer read, and those files exist.
    const workspace = path.join(studio.dataDir, "workspaces", projectId);
    const proposed = await db.candidate.findMany({
      where: { projectId, origin: "proposer" },
      select: { rationale: true, simulated: true },
    });
    expect(proposed.length).toBeGreaterThan(0);
    expect(proposed.every((candidate) => candidate.simulated)).toBe(true);
    const cited = proposed.flatMap(
      (candidate) => candidate.rationale?.match(/candidates\/[a-z0-9]+\/traces\/[^\s:`'"),]+\.jsonl/g) ?? [],
    );
    expect(cited.length).toBeGreaterThan(0);
    for (const file of cited) expect(fs.existsSync(path.join(workspace, file)), file).toBe(true);
    console.log(
      `offline loop: seed ${(seed * 100).toFixed(1)}% → best ${(best * 100).toFixed(1)}% in ${seconds.toFixed(0)} s`,
    );
  } finally {
    await db.$disconnect();
  }
});
