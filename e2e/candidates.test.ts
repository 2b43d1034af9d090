// Candidates in a real Chromium against a real studio: the overview's charts and table (sort
// and filters in the URL), a candidate's page (Monaco from the local package, task results
// filtered by outcome, "Evaluate on test"), editing a candidate into a new one (a compile
// error saves nothing), and the diff page (Monaco's diff editor and the task outcome diff).
// No request may leave 127.0.0.1: Monaco must never come from a CDN.
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../tests/helpers/studio.ts";
import { editorText, fitsWidth, launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let projectId: string;
let seedId: string;
let editedId: string;
/** Every URL any page asked for; checked at the end: all on loopback. */
const requested: string[] = [];
const newPage = (options: { width?: number; height?: number; colorScheme?: "light" | "dark" } = {}) =>
  openPage(browser, studio, { ...options, requested });

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

  // Score the seed on search the headless way, against the studio's own database.
  const evaluated = await runCli(
    ["eval", "--project", projectId, "--offline", "--json"],
    studioEnv({ DATABASE_URL: studioDatabaseUrl(studio.dataDir) }),
    150_000,
  );
  expect(evaluated.code, evaluated.stderr).toBe(0);
  const summary = JSON.parse(evaluated.stdout.trim().split("\n").at(-1)!) as {
    candidateId: string;
    failed: number;
    passed: number;
    tasks: number;
  };
  expect(summary.candidateId).toBe(seedId);
  expect(summary.failed).toBeGreaterThan(0); // the plain seed gets some wrong: there is something to filter
  expect(summary.passed).toBeGreaterThan(0);
}, 240_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
});

describe("candidates", () => {
  it("shows a candidate: header, source in Monaco, task results filtered by outcome", async () => {
    const page = await newPage();
    const response = await page.goto(`${studio.url}/projects/${projectId}/candidates/${seedId}`);
    expect(response?.status()).toBe(200);
    await page.getByRole("heading", { name: "Candidate #1" }).waitFor();
    const body = await page.locator("main").innerText();
    expect(body).toContain("seed");
    expect(body).toContain("Seed harness from harness.ts.");

    // Monaco, from the local package, with the harness in it and TypeScript tokens coloured.
    const code = await editorText(page, '[data-editor="read-only"]');
    expect(code).toContain("ctx.model.messages.create");
    expect(
      await page.locator('[data-editor="read-only"] .monaco-editor .view-lines span[class*="mtk"]').count(),
    ).toBeGreaterThan(5);
    expect(await page.locator('[data-editor="read-only"] .monaco-editor').getAttribute("class")).not.toContain(
      "vs-dark",
    );

    // Task results: all of them, 50 a page, then only the failed ones (the filter lives in the URL).
    const rows = page.locator('[data-table="task-results"] tbody tr');
    expect(await rows.count()).toBe(50);
    expect(await page.locator("[data-page-rows]").innerText()).toBe("1–50 of 100");
    await page.locator('[data-page-link="2"]').first().click();
    await page.waitForURL(/[?&]page=2/);
    await expect.poll(() => page.locator("[data-page-rows]").innerText()).toBe("51–100 of 100");
    expect(await rows.count()).toBe(50);
    await page.locator('[data-filter="failed"]').click();
    await page.waitForURL(/results=failed/);
    await page.locator('[data-filter="failed"][aria-current="page"]').waitFor();
    const failed = await db.taskRun.count({
      where: { evaluation: { candidateId: seedId, split: "search" }, status: "failed" },
    });
    await expect.poll(() => rows.count()).toBe(Math.min(failed, 50)); // (a new filter starts at page 1)
    expect(page.url()).not.toContain("page=");
    const statuses = await rows.evaluateAll((elements) =>
      elements.map((element) => element.getAttribute("data-status")),
    );
    expect(new Set(statuses)).toEqual(new Set(["failed"]));
    // Each row opens the task run's trace page.
    const firstRun = await rows.first().locator("a").first().getAttribute("href");
    expect(firstRun).toMatch(new RegExp(`^/projects/${projectId}/runs/[a-z0-9]+$`));
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "candidate");

    // A link shows the same view.
    await page.reload();
    await page.locator('[data-filter="failed"][aria-current="page"]').waitFor();
    expect(await rows.count()).toBe(Math.min(failed, 50));

    // The test split's results are one switch away; it has not been evaluated on test yet.
    await page.locator('[data-split-results="test"]').click();
    await page.waitForURL(/\?split=test$/);
    await page.getByRole("heading", { name: "Not evaluated on test yet" }).waitFor();
    await page.locator('[data-split-results="search"]').click();
    await page.waitForURL((url) => !url.search.includes("split"));
    expect(await rows.count()).toBe(50); // the first page of all 100
    expect(await page.locator("[data-page-rows]").innerText()).toBe("1–50 of 100");

    const missing = await page.goto(`${studio.url}/projects/${projectId}/candidates/does-not-exist`);
    expect(missing?.status()).toBe(404);
    expect(await page.textContent("body")).toContain("Not found");
    expect((await page.goto(`${studio.url}/projects/does-not-exist/diff`))?.status()).toBe(404);
    await page.close();
  });

  it("evaluates a candidate on test from its page: queued for the worker, then disabled with the reason", async () => {
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${seedId}`);
    const testPanel = page.locator('[data-split="test"]');
    const button = testPanel.getByRole("button", { name: "Evaluate on test" });
    expect(await button.isEnabled()).toBe(true);
    // Search is done already: that button says why it is disabled.
    expect(
      await page.locator('[data-split="search"]').getByRole("button", { name: "Evaluate on search" }).isDisabled(),
    ).toBe(true);
    expect(await page.locator('[data-split="search"]').textContent()).toContain("Already evaluated on this split");
    // The search score carries its 95% interval, as stored with the evaluation.
    const stored = await db.evaluation.findFirstOrThrow({
      where: { candidateId: seedId, split: "search", status: "done" },
      orderBy: { createdAt: "desc" },
      select: { scoreLow: true, scoreHigh: true },
    });
    expect(await page.locator('[data-split="search"]').getByTestId("score-interval").innerText()).toBe(
      `95% interval ${(stored.scoreLow! * 100).toFixed(1)}–${(stored.scoreHigh! * 100).toFixed(1)}%`,
    );

    await button.click();
    await testPanel
      .getByText(/queued|running|Already evaluated/)
      .first()
      .waitFor();
    expect(await button.isDisabled()).toBe(true);
    await testPanel.getByText("Already evaluated on this split").waitFor({ timeout: 150_000 });
    expect(await button.isDisabled()).toBe(true);
    const evaluation = await db.evaluation.findFirstOrThrow({ where: { candidateId: seedId, split: "test" } });
    expect(evaluation.status).toBe("done");
    expect(evaluation.simulated).toBe(true); // no API key: the offline model answered
    expect(evaluation.taskCount).toBe(50);

    // The API refuses a second one, for the same reason.
    const again = await fetch(`${studio.url}/api/candidates/${seedId}/evaluations`, {
      method: "POST",
      headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
      body: JSON.stringify({ projectId, split: "test" }),
    });
    expect(again.status).toBe(409);
    // …and a candidate from another project is not found through this one.
    const wrongProject = await fetch(`${studio.url}/api/candidates/${seedId}/evaluations`, {
      method: "POST",
      headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
      body: JSON.stringify({ projectId: "not-this-project", split: "test" }),
    });
    expect(wrongProject.status).toBe(404);
    await page.close();
  }, 200_000);

  it("refuses bad saves through the API: malformed, another project's candidate, an unchanged source", async () => {
    const post = (body: unknown) =>
      fetch(`${studio.url}/api/candidates`, {
        method: "POST",
        headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
        body: JSON.stringify(body),
      });
    expect((await post({ projectId, parentId: seedId })).status).toBe(400);
    expect((await post({ projectId, parentId: seedId, source: "x", extra: true })).status).toBe(400);
    expect((await post({ projectId: "another-project", parentId: seedId, source: "export default {}" })).status).toBe(
      404,
    );
    const seed = await db.candidate.findUniqueOrThrow({ where: { id: seedId } });
    const unchanged = await post({ projectId, parentId: seedId, source: seed.source });
    expect(unchanged.status).toBe(409);
    expect(((await unchanged.json()) as { error: string }).error).toContain("same as #1");
    expect(await db.candidate.count({ where: { projectId } })).toBe(1);
  });

  it("edits a candidate into a new one: a compile error saves nothing, a good edit becomes #2 (person, parent #1)", async () => {
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${seedId}`);
    await editorText(page, '[data-editor="read-only"]');
    await page.getByRole("button", { name: "Edit" }).click();
    const editor = page.locator('[data-editor="editable"] .monaco-editor');
    await editor.waitFor();
    await editorText(page, '[data-editor="editable"]');

    // Line 6 is `async run(task, ctx) {`: add a line after it. Clicking that line (rather than
    // Control+Home and arrows) keeps a keypress lost under load from moving the edit elsewhere.
    await editor.locator(".view-line", { hasText: "async run(task" }).click();
    await page.keyboard.press("End");
    await page.keyboard.press("Enter");
    await page.keyboard.type("const broken = ;", { delay: 40 });
    expect(await editorText(page, '[data-editor="editable"]')).toContain("const broken = ;");

    const before = await db.candidate.count({ where: { projectId } });
    await page.getByRole("button", { name: "Save as new candidate" }).click();
    const errors = page.locator("[data-compile-errors]");
    await errors.waitFor();
    expect(await errors.textContent()).toMatch(/does not compile/);
    expect(await errors.textContent()).toMatch(/harness\.ts:7:\d+/);
    await page.locator('[data-editor="editable"] .squiggly-error').first().waitFor(); // the marker sits in the editor too
    expect(await db.candidate.count({ where: { projectId } })).toBe(before);
    await screenshot(page, "candidate-edit");

    // Replace the broken line with a real change: answer "0" to every problem of even length.
    await editor.locator(".view-line", { hasText: "const broken" }).click();
    await page.keyboard.press("Home");
    await page.keyboard.press("Shift+End");
    await page.keyboard.type('if (task.input.length % 2 === 0) return "0";', { delay: 40 });
    expect(await editorText(page, '[data-editor="editable"]')).toContain(
      'if (task.input.length % 2 === 0) return "0";',
    );
    await page.getByLabel("Rationale").fill("Answer 0 to even-length problems, to see the diff page light up.");
    await page.getByRole("button", { name: "Save as new candidate" }).click();
    try {
      await page.waitForURL(
        (url) =>
          url.pathname.includes("/candidates/") && !url.pathname.endsWith(seedId) && url.search.includes("created=1"),
        { timeout: 60_000 },
      );
    } catch (error) {
      await screenshot(page, "candidate-edit-save-failed");
      throw new Error(
        `Saving did not open the new candidate. Editor: ${await editorText(page, '[data-editor="editable"]')}\nErrors: ${await page
          .locator("[data-compile-errors]")
          .textContent()
          .catch(() => "none")}`,
        { cause: error },
      );
    }
    await page.getByRole("heading", { name: "Candidate #2" }).waitFor();
    editedId = page.url().split("/candidates/")[1].split("?")[0];

    const saved = await db.candidate.findUniqueOrThrow({
      where: { id: editedId },
      include: { parents: { include: { parent: true } } },
    });
    expect(saved.number).toBe(2);
    expect(saved.origin).toBe("person");
    expect(saved.status).toBe("valid");
    expect(saved.parents.map((row) => row.parent.number)).toEqual([1]);
    expect(saved.source).toContain('if (task.input.length % 2 === 0) return "0";');
    expect(saved.rationale).toContain("even-length");
    await page.getByRole("status").filter({ hasText: "Saved as candidate #2, a child of #1" }).waitFor();
    expect(await editorText(page, '[data-editor="read-only"]')).toContain('return "0"');

    // The new candidate offers "Evaluate on search"; the worker runs it.
    const searchButton = page.locator('[data-split="search"]').getByRole("button", { name: "Evaluate on search" });
    expect(await searchButton.isEnabled()).toBe(true);
    await searchButton.click();
    await page
      .locator('[data-split="search"]')
      .getByText("Already evaluated on this split")
      .waitFor({ timeout: 150_000 });
    await expect.poll(() => page.locator('[data-table="task-results"] tbody tr').count(), { timeout: 15_000 }).toBe(50); // the first page of 100
    await page.close();
  }, 240_000);

  it("shows the overview's charts and a sortable, filterable candidates table, with its state in the URL", async () => {
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}`);
    await page.locator('[data-chart="score-progress"] .recharts-surface').waitFor();
    await page.locator('[data-chart="frontier"] .recharts-surface').waitFor();
    // Every evaluated candidate is a point that links to its page.
    const points = page.locator('[data-chart="frontier"] a[data-candidate]');
    await expect.poll(() => points.count()).toBe(2);
    expect(await page.locator('[data-chart="frontier"] a[data-candidate="2"]').getAttribute("href")).toBe(
      `/projects/${projectId}/candidates/${editedId}`,
    );

    const table = page.locator('[data-table="candidates"]');
    const numbers = () =>
      table.locator("tbody tr").evaluateAll((rows) => rows.map((row) => Number(row.getAttribute("data-candidate"))));
    await expect.poll(numbers).toEqual([2, 1]);
    const seedScore = (
      await db.evaluation.findFirstOrThrow({ where: { candidateId: seedId, split: "search", status: "done" } })
    ).score!;
    const editedScore = (
      await db.evaluation.findFirstOrThrow({ where: { candidateId: editedId, split: "search", status: "done" } })
    ).score!;
    expect(editedScore).toBeLessThan(seedScore); // answering 0 broke tasks

    await table.getByRole("button", { name: /Search score/ }).click();
    await page.waitForURL(/sort=searchScore\.desc/);
    await expect
      .poll(() => table.locator('th[data-column="searchScore"]').getAttribute("aria-sort"))
      .toBe("descending");
    await expect.poll(numbers).toEqual([1, 2]);
    await table.getByRole("button", { name: /Search score/ }).click();
    await page.waitForURL(/sort=searchScore\.asc/);
    await expect.poll(numbers).toEqual([2, 1]);

    // Filters: origin, then text; a reload (a shared link) shows the same view.
    await page.getByLabel("Origin").selectOption("person");
    await page.waitForURL(/origin=person/);
    await expect.poll(numbers).toEqual([2]);
    await page.reload();
    await table.waitFor();
    await expect.poll(numbers).toEqual([2]);
    expect(await page.getByLabel("Origin").inputValue()).toBe("person");
    await page.getByRole("button", { name: "Clear filters" }).click();
    await page.waitForURL((url) => !url.search.includes("origin="));
    await page.getByLabel("Filter candidates").fill("even-length");
    await page.waitForURL(/q=even-length/);
    await expect.poll(numbers).toEqual([2]);
    await page.getByLabel("Filter candidates").fill("no such candidate");
    await page.getByText("No candidate matches these filters").waitFor();
    await page.getByRole("button", { name: "Clear filters" }).click();
    await expect.poll(numbers).toEqual([2, 1]);

    // Rows open the candidate; parents are links.
    expect(await table.locator('tr[data-candidate="2"] a', { hasText: "#1" }).getAttribute("href")).toBe(
      `/projects/${projectId}/candidates/${seedId}`,
    );
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "project-overview-charts");
    await table.locator('tr[data-candidate="2"] td').nth(4).click();
    await page.waitForURL(`**/projects/${projectId}/candidates/${editedId}`, { timeout: 60_000 });
    // Back: the table is as it was left.
    await page.goBack();
    await page.waitForURL(/sort=searchScore\.asc/);
    await expect
      .poll(() => page.locator('[data-table="candidates"] th[data-column="searchScore"]').getAttribute("aria-sort"))
      .toBe("ascending");
    await page.close();

    // Dark and wide: still whole.
    const wide = await newPage({ width: 1920, colorScheme: "dark" });
    await wide.goto(`${studio.url}/projects/${projectId}?sort=searchScore.desc`);
    await wide.locator('[data-chart="frontier"] a[data-candidate]').first().waitFor();
    expect(await wide.locator('th[data-column="searchScore"]').getAttribute("aria-sort")).toBe("descending");
    expect(await fitsWidth(wide)).toBe(true);
    await screenshot(wide, "project-overview-charts-dark");
    await wide.close();
  });

  it("pages a project of 61 candidates on the server: the page holds one page of rows, the rest come on demand", async () => {
    const created = await fetch(`${studio.url}/api/projects`, {
      method: "POST",
      headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
      body: JSON.stringify({ example: "math-word-problems" }),
    });
    const many = ((await created.json()) as { projectId: string }).projectId;
    const seed = await db.candidate.findFirstOrThrow({ where: { projectId: many, number: 1 } });
    await db.candidate.createMany({
      data: Array.from({ length: 60 }, (_, i) => ({
        projectId: many,
        number: i + 2,
        source: seed.source,
        sha256: seed.sha256,
        origin: "person" as const,
        status: "valid" as const,
        hypothesis: `hypothesis-${String(i + 2).padStart(4, "0")}`,
      })),
    });

    // The API: one view's page, with what matches and what exists; an unknown project is a 404.
    const api = (query: string) =>
      fetch(`${studio.url}/api/projects/${many}/candidates?${query}`, { headers: studio.authHeaders() });
    const second = (await (await api("sort=number.asc&page=2")).json()) as {
      rows: { number: number }[];
      matching: number;
      total: number;
      pageIndex: number;
      pages: number;
    };
    expect(second.rows.map((row) => row.number)).toEqual(Array.from({ length: 11 }, (_, i) => 51 + i));
    expect(second).toMatchObject({ matching: 61, total: 61, pageIndex: 1, pages: 2 });
    const unknown = await fetch(`${studio.url}/api/projects/does-not-exist/candidates`, {
      headers: studio.authHeaders(),
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error).toBe("No project does-not-exist.");

    // The page sends the rows of its own view only: #5 is on the second page, nowhere in the first.
    const html = await (await fetch(`${studio.url}/projects/${many}`, { headers: studio.authHeaders() })).text();
    expect(html).toContain("hypothesis-0061");
    expect(html).not.toContain("hypothesis-0005");

    const page = await newPage();
    await page.goto(`${studio.url}/projects/${many}`);
    const table = page.locator('[data-table="candidates"]');
    const numbers = () =>
      table.locator("tbody tr").evaluateAll((rows) => rows.map((row) => Number(row.getAttribute("data-candidate"))));
    await expect.poll(numbers).toEqual(Array.from({ length: 50 }, (_, i) => 61 - i));
    expect(await page.getByTestId("candidates-page").innerText()).toBe("1–50 of 61 · page 1 of 2");
    await page.getByRole("button", { name: "Next ›" }).click();
    await page.waitForURL(/page=2/);
    await expect.poll(numbers).toEqual(Array.from({ length: 11 }, (_, i) => 11 - i));
    expect(await page.getByTestId("candidates-page").innerText()).toBe("51–61 of 61 · page 2 of 2");
    // A text filter matches on the server, and starts again at the first page.
    await page.getByLabel("Filter candidates").fill("hypothesis-0042");
    await page.waitForURL((url) => url.searchParams.get("q") === "hypothesis-0042" && !url.searchParams.has("page"));
    await expect.poll(numbers).toEqual([42]);
    expect(await page.getByText("1 of 61 candidates").count()).toBe(1);
    // A reload (a shared link) shows the same view, read with the page.
    await page.reload();
    await expect.poll(numbers).toEqual([42]);
    expect(await page.getByLabel("Filter candidates").inputValue()).toBe("hypothesis-0042");
    await page.close();
  });

  it("diffs a candidate with its parent: Monaco's diff editor and the task outcome diff", async () => {
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${editedId}`);
    await page.getByRole("link", { name: "Diff with parent #1" }).first().click();
    await page.waitForURL(`**/projects/${projectId}/diff?a=${seedId}&b=${editedId}`);
    await page.getByRole("heading", { name: "Diff #1 → #2" }).waitFor();
    const diffEditor = page.locator('[data-editor="diff"] .monaco-diff-editor');
    await diffEditor.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => page.locator('[data-editor="diff"] .line-insert, [data-editor="diff"] .char-insert').count(), {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);
    expect(await editorText(page, '[data-editor="diff"] .editor.modified')).toContain('return "0"');

    const rows = page.locator('[data-table="outcome-diff"] tbody tr');
    await rows.first().waitFor();
    const broken = Number(await page.locator('[data-count="broken"]').textContent());
    expect(broken).toBeGreaterThan(0);
    expect(await page.locator('[data-table="outcome-diff"] tbody tr[data-change="broken"]').count()).toBe(broken);
    // Both task runs' traces are one click away, alone or side by side.
    const links = await rows
      .first()
      .locator("a")
      .evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute("href")));
    expect(links).toHaveLength(3);
    for (const link of links.slice(0, 2)) expect(link).toMatch(new RegExp(`^/projects/${projectId}/runs/[a-z0-9]+$`));
    expect(links[0]).not.toBe(links[1]);
    const [runA, runB] = links.map((link) => link!.split("/").at(-1));
    expect(links[2]).toBe(`/projects/${projectId}/runs/compare?a=${runA}&b=${runB}`);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "diff");

    // Side by side: both runs' summaries and traces; the keyboard moves only the active side,
    // and each side keeps its selection in the URL.
    const taskKey = await rows.first().locator("td").first().textContent();
    await rows.first().locator("[data-side-by-side]").click();
    await page.waitForURL(/\/runs\/compare\?/);
    await page.getByRole("heading", { name: `${taskKey}: #1 and #2` }).waitFor();
    const [runAView, runBView] = await Promise.all(
      [runA, runB].map((id) => db.taskRun.findUniqueOrThrow({ where: { id }, select: { status: true } })),
    );
    expect(await page.locator('[data-summary="a"]').innerText()).toContain(runAView.status);
    expect(await page.locator('[data-summary="b"]').innerText()).toContain(runBView.status);
    await page.locator('[data-side="a"] [data-timeline-ready="true"]').waitFor();
    await page.locator('[data-side="b"] [data-timeline-ready="true"]').waitFor();
    await page.keyboard.press("j");
    await page.waitForURL(/aEvent=0/);
    expect(page.url()).not.toContain("bEvent");
    await page.keyboard.press("b");
    await page.keyboard.press("j");
    await page.waitForURL(/bEvent=0/);
    await page.keyboard.press("j");
    await page.waitForURL(/bEvent=1/);
    expect(page.url()).toContain("aEvent=0");
    expect(await page.locator('[data-side="b"]').getAttribute("data-active")).toBe("true");
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "traces-side-by-side");
    // A link shows the same two events.
    await page.reload();
    await page.locator('[data-side="b"] [data-timeline-ready="true"]').waitFor();
    expect(page.url()).toContain("aEvent=0");
    expect(page.url()).toContain("bEvent=1");
    await page.goto(`${studio.url}/projects/${projectId}/diff?a=${seedId}&b=${editedId}`);

    await page.locator('[data-filter="fixed"]').click();
    await page.waitForURL(/show=fixed/);
    expect(await page.locator('[data-table="outcome-diff"] tbody tr[data-change="broken"]').count()).toBe(0);

    // Only b: the page diffs against b's first parent.
    await page.goto(`${studio.url}/projects/${projectId}/diff?b=${editedId}`);
    await page.getByRole("heading", { name: "Diff #1 → #2" }).waitFor();
    await page.close();
  });

  it("shows a rejected candidate's reason and refuses to evaluate it; reads well dark at 1920 px", async () => {
    const rejected = await db.candidate.create({
      data: {
        projectId,
        number: 3,
        source: "export default {",
        sha256: "c".repeat(64),
        origin: "proposer",
        status: "rejected",
        rejectReason: "Does not compile: harness.ts:1:17: Unexpected end of file",
        rationale: "Try a scratchpad.",
        hypothesis: "Thinking out loud first should fix two-step problems.",
        axis: "explore",
        parents: { create: [{ parentId: editedId }] },
      },
    });
    const page = await newPage({ width: 1920, colorScheme: "dark" });
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${rejected.id}`);
    await page.getByRole("heading", { name: "Candidate #3" }).waitFor();
    await page.locator('[data-split="search"]').waitFor(); // the evaluations stream in after the header
    await page.getByText("Not evaluated on search yet").first().waitFor();
    const body = await page.locator("main").innerText();
    expect(body).toContain("Rejected: Does not compile: harness.ts:1:17");
    expect(body).toContain("Thinking out loud first");
    expect(body).toContain("explore");
    expect(body).toContain("Not evaluated on search yet");
    for (const split of ["search", "test"]) {
      expect(await page.locator(`[data-split="${split}"] button`).isDisabled()).toBe(true);
      expect(await page.locator(`[data-split="${split}"]`).textContent()).toContain("rejected by validation");
    }
    // Parents and children link both ways.
    expect(await page.locator("dl a", { hasText: "#2" }).getAttribute("href")).toBe(
      `/projects/${projectId}/candidates/${editedId}`,
    );
    expect(await editorText(page, '[data-editor="read-only"]')).toContain("export default {");
    expect(await page.locator('[data-editor="read-only"] .monaco-editor').getAttribute("class")).toContain("vs-dark");
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "candidate-rejected-dark");
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${editedId}`);
    await page.locator("dl a", { hasText: "#3" }).waitFor(); // and #2 lists #3 as its child
    await page.close();

    // A project with nothing evaluated yet: the charts say what will appear, not an empty frame.
    const response = await fetch(`${studio.url}/api/projects`, {
      method: "POST",
      headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
      body: JSON.stringify({ example: "text-classification" }),
    });
    const fresh = (await response.json()) as { projectId: string };
    const empty = await newPage();
    await empty.goto(`${studio.url}/projects/${fresh.projectId}`);
    await empty.getByText("No search scores yet").waitFor();
    await empty.getByText("No evaluated candidates yet").waitFor();
    expect(await empty.locator('[data-table="candidates"] tbody tr').count()).toBe(1);
    const diff = await empty.goto(`${studio.url}/projects/${fresh.projectId}/diff`);
    expect(diff?.status()).toBe(200);
    await empty.getByText("Nothing to compare yet").waitFor();
    await empty.close();
  });

  it("never asked a host other than 127.0.0.1 for anything (Monaco is bundled, not fetched from a CDN)", () => {
    expect(requested.length).toBeGreaterThan(20);
    const elsewhere = requested.filter((url) => !/^(https?:\/\/127\.0\.0\.1(:\d+)?\/|blob:|data:)/.test(url));
    expect(elsewhere).toEqual([]);
  });
});
