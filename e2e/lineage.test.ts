// The overview's lineage tree, in a real Chromium against a real studio at 1440 × 900, on a
// project that two offline iterations filled: a node per candidate in its iteration's column and
// an edge per parent link; a rejected proposal added while the page is open appears with no
// reload (the overview's own live re-render), faded, with its reason on hover; a click opens the
// candidate; shift-click, or Compare mode, picks two and "Diff #a → #b" opens their diff.
import fs from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../tests/helpers/studio.ts";
import { launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let projectId: string;
const REASON = "It never calls ctx.model: the harness must use the model it is given.";

const TREE = "[data-tree='lineage']";
const node = (page: Page, number: number) => page.locator(`${TREE} [data-candidate='${number}']`);

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
    ["optimize", "--project", projectId, "--iterations", "2", "--offline", "--json"],
    studioEnv({ DATABASE_URL: studioDatabaseUrl(studio.dataDir) }),
    400_000,
  );
  expect(optimized.code, optimized.stderr).toBe(0);
}, 500_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
});

async function shot(page: Page, name: string) {
  await screenshot(page, name);
  const shared = process.env.STUDIO_SHOTS_DIR;
  if (shared) {
    fs.mkdirSync(shared, { recursive: true });
    await page.screenshot({ path: path.join(shared, `${name}.png`) });
  }
}

describe("the lineage tree", () => {
  let page: Page;
  let candidates: { id: string; number: number; iterationNumber: number | null; status: string }[];

  beforeAll(async () => {
    page = await openPage(browser, studio, { width: 1440, height: 900 });
    await page.goto(`${studio.url}/projects/${projectId}`);
    candidates = await db.candidate.findMany({
      where: { projectId },
      orderBy: { number: "asc" },
      select: { id: true, number: true, iterationNumber: true, status: true },
    });
    await page
      .locator(`${TREE} [data-candidate]`)
      .nth(candidates.length - 1)
      .waitFor();
  });

  it("draws every candidate in its iteration's column and an edge per parent link", async () => {
    const drawn = await page.$$eval(`${TREE} [data-candidate]`, (nodes) =>
      nodes.map((element) => ({
        number: Number(element.getAttribute("data-candidate")),
        x: Number(element.querySelector("rect[data-box]")!.getAttribute("x")),
      })),
    );
    expect(drawn.map((row) => row.number).sort((a, b) => a - b)).toEqual(candidates.map((row) => row.number));
    const xOf = new Map(drawn.map((row) => [row.number, row.x]));
    const seed = candidates.find((row) => row.iterationNumber == null)!;
    for (const iteration of [1, 2]) {
      const made = candidates.filter((row) => row.iterationNumber === iteration);
      expect(made.length, `iteration ${iteration} wrote candidates`).toBeGreaterThan(0);
      expect(new Set(made.map((row) => xOf.get(row.number))).size).toBe(1);
      expect(xOf.get(made[0].number)).toBeGreaterThan(xOf.get(seed.number)!);
    }
    const links = await db.candidateParent.count({ where: { child: { projectId } } });
    expect(await page.locator(`${TREE} path`).count()).toBe(links);
    // The best is marked, and is on the frontier.
    expect(await page.locator(`${TREE} [data-best]`).count()).toBe(1);
    expect(await page.locator(`${TREE} [data-best][data-frontier]`).count()).toBe(1);
  });

  it("shows a rejected proposal that lands while the page is open, faded, with its reason on hover", async () => {
    const seed = candidates.find((row) => row.iterationNumber == null)!;
    const iteration = await db.iteration.findFirstOrThrow({ where: { projectId, number: 2 } });
    const number = candidates.at(-1)!.number + 1;
    await db.candidate.create({
      data: {
        projectId,
        number,
        source: "export default { async run() { return 'billing'; } };",
        sha256: "rejected-in-test",
        origin: "proposer",
        status: "rejected",
        rejectReason: REASON,
        hypothesis: "Answer billing to everything",
        iterationId: iteration.id,
        iterationNumber: 2,
        parents: { create: [{ parentId: seed.id }] },
      },
    });
    // The overview polls the project's revision (5 s while idle) and re-renders: no reload.
    const rejected = node(page, number);
    await rejected.waitFor({ timeout: 30_000 });
    expect(await rejected.getAttribute("data-status")).toBe("rejected");
    expect(Number(await rejected.evaluate((element) => getComputedStyle(element).opacity))).toBeLessThan(0.6);
    expect(await rejected.getAttribute("aria-label")).toContain(REASON);

    await rejected.hover();
    const tooltip = page.getByTestId("tree-tooltip");
    await tooltip.waitFor();
    expect(await tooltip.textContent()).toContain(`Rejected: ${REASON}`);
    expect(await tooltip.textContent()).toContain("Answer billing to everything");
    await shot(page, "lineage-overview");
  });

  it("opens a candidate on a click", async () => {
    const child = candidates.find((row) => row.iterationNumber === 2)!;
    await node(page, child.number).click();
    await page.waitForURL(`**/projects/${projectId}/candidates/${child.id}`);
    await page.getByRole("heading", { name: `Candidate #${child.number}` }).waitFor();
    await page.goto(`${studio.url}/projects/${projectId}`);
    await page.locator(`${TREE} [data-candidate]`).first().waitFor();
  });

  it("picks two with shift-click, then opens their diff", async () => {
    const [a, b] = [candidates[0], candidates.find((row) => row.iterationNumber === 1)!];
    await node(page, a.number).click({ modifiers: ["Shift"] });
    expect(page.url()).toBe(`${studio.url}/projects/${projectId}`);
    expect(await node(page, a.number).getAttribute("data-picked")).toBe("a");
    await node(page, b.number).click({ modifiers: ["Shift"] });
    const link = page.getByRole("link", { name: `Diff #${a.number} → #${b.number}` });
    await link.click();
    await page.waitForURL(`**/projects/${projectId}/diff?a=${a.id}&b=${b.id}`);
    await page.getByText(`Diff #${a.number} → #${b.number}`).first().waitFor();
    await page.goto(`${studio.url}/projects/${projectId}`);
    await page.locator(`${TREE} [data-candidate]`).first().waitFor();
  });

  it("picks two in Compare mode, the first as A", async () => {
    const [a, b] = [candidates.find((row) => row.iterationNumber === 2)!, candidates[0]];
    await page.getByRole("button", { name: "Compare" }).click();
    await node(page, a.number).click();
    await node(page, b.number).click();
    expect(page.url()).toBe(`${studio.url}/projects/${projectId}`);
    const link = page.getByRole("link", { name: `Diff #${a.number} → #${b.number}` });
    expect(await link.getAttribute("href")).toBe(`/projects/${projectId}/diff?a=${a.id}&b=${b.id}`);
  });
});
