// The why on every diff, in a real Chromium against a real studio at 1440 × 900, on a project
// that one offline iteration filled: the diff page (both hypotheses and axes on top, each flipped
// task's output A against output B and the expected answer, the inline and wrap views), the
// prompt diff and "j / k move both" on the side-by-side page, the candidate page (rationale
// collapsed, the source above the fold), and the iteration page (paths cut in the middle, the
// header as wide as the page).
import fs from "node:fs";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../tests/helpers/studio.ts";
import { editorText, fitsWidth, launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let projectId: string;
let seedId: string;
/** The iteration's best child of the seed: B on the diff page, A being the seed. */
let child: { id: string; number: number; hypothesis: string | null; axis: string | null; rationale: string | null };

const newPage = () => openPage(browser, studio, { width: 1440, height: 900 });

/** The whole page in test-results; with STUDIO_SHOTS_DIR, also the first screen (1440 × 900) there. */
async function shot(page: Page, name: string) {
  await screenshot(page, name);
  const shared = process.env.STUDIO_SHOTS_DIR;
  if (shared) {
    fs.mkdirSync(shared, { recursive: true });
    await page.screenshot({ path: path.join(shared, `${name}.png`) });
  }
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
  ({ projectId, seedCandidateId: seedId } = (await response.json()) as { projectId: string; seedCandidateId: string });
  const optimized = await runCli(
    ["optimize", "--project", projectId, "--iterations", "1", "--offline", "--json"],
    studioEnv({ DATABASE_URL: studioDatabaseUrl(studio.dataDir) }),
    240_000,
  );
  expect(optimized.code, optimized.stderr).toBe(0);

  const children = await db.candidate.findMany({
    where: { projectId, parents: { some: { parentId: seedId } } },
    select: {
      id: true,
      number: true,
      hypothesis: true,
      axis: true,
      rationale: true,
      evaluations: { where: { split: "search", status: "done" }, select: { score: true } },
    },
  });
  const scored = children.filter((candidate) => candidate.evaluations.length > 0);
  expect(scored.length, JSON.stringify(children)).toBeGreaterThan(0);
  scored.sort((x, y) => (y.evaluations[0].score ?? 0) - (x.evaluations[0].score ?? 0));
  child = scored[0];
}, 300_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
});

/** A task run's output as the diff page prints it: a JSON string as its text, anything else as JSON. */
function shown(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

describe("the why on every diff", () => {
  let compareHref: string;
  let runA: string;
  let runB: string;

  it("shows both hypotheses and axes on top, and each flipped task's outputs A and B and the expected answer", async () => {
    expect(child.hypothesis).toBeTruthy();
    expect(child.axis).toMatch(/^(exploit|explore)$/);
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/diff?b=${child.id}`);
    await page.getByRole("heading", { name: `Diff #1 → #${child.number}` }).waitFor();

    const b = page.locator('[data-hypothesis="b"]');
    expect(await b.innerText()).toContain(child.hypothesis!);
    expect(await b.innerText()).toContain(child.axis!);
    expect(await page.locator('[data-hypothesis="a"]').innerText()).toContain("The seed harness: no hypothesis.");
    // Above the source, in the first screen.
    const box = await b.boundingBox();
    expect(box!.y + box!.height).toBeLessThan(900);

    const rows = page.locator('[data-table="outcome-diff"] tbody tr');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(0);
    const row = rows.first();
    const [hrefA, hrefB] = await row
      .locator("a")
      .evaluateAll((anchors) => anchors.slice(0, 2).map((anchor) => anchor.getAttribute("href")!));
    [runA, runB] = [hrefA, hrefB].map((href) => href.split("/").at(-1)!);
    const [a, bRun] = await Promise.all(
      [runA, runB].map((id) =>
        db.taskRun.findUniqueOrThrow({
          where: { id },
          select: { output: true, errorMessage: true, task: { select: { key: true, expected: true } } },
        }),
      ),
    );
    expect(await row.locator("td").first().innerText()).toBe(a.task.key);
    expect(a.output ?? a.errorMessage).not.toEqual(bRun.output ?? bRun.errorMessage); // a flip: they answered differently
    const cell = (side: string) => row.locator(`[data-output="${side}"] pre`).innerText();
    expect(await cell("a")).toBe(a.errorMessage ?? shown(a.output));
    expect(await cell("b")).toBe(bRun.errorMessage ?? shown(bRun.output));
    expect(await cell("expected")).toBe(shown(a.task.expected));
    compareHref = (await row.locator("[data-side-by-side]").getAttribute("href"))!;

    // Whether the change is more than noise: a paired test over the tasks both finished.
    const paired = page.getByTestId("paired-comparison");
    expect(await paired.innerText()).toMatch(
      new RegExp(
        `^#${child.number} against #1: [+−±]\\d+\\.\\d points on \\d+ shared tasks · (more than noise|within noise) \\((McNemar's exact test|a paired permutation test), p (=|<) [01]\\.\\d+; (below|not below) 0\\.05\\)$`,
      ),
    );

    // The source diff: side by side by default; inline and wrapped on request, kept in the URL.
    const diff = page.locator('[data-editor="diff"]');
    await diff.locator(".monaco-diff-editor").waitFor({ timeout: 30_000 });
    expect(await diff.getAttribute("data-diff-view")).toBe("side-by-side");
    await shot(page, "diff-page");
    await page.getByRole("group", { name: "Source diff view" }).getByRole("button", { name: "inline" }).click();
    await expect.poll(() => diff.getAttribute("data-diff-view")).toBe("inline");
    await page.getByRole("group", { name: "Source diff view" }).getByLabel("wrap long lines").check();
    await page.waitForURL(/[?&]view=inline(%2C|,)wrap/);
    expect(await fitsWidth(page)).toBe(true);
    await page.reload();
    await expect.poll(() => page.locator('[data-editor="diff"]').getAttribute("data-diff-view")).toBe("inline");
    expect(await page.getByLabel("wrap long lines").isChecked()).toBe(true);
    await page.close();
  }, 120_000);

  it("diffs the first model request of the two traces on the side-by-side page", async () => {
    const requests = await Promise.all(
      [runA, runB].map((id) =>
        db.traceEvent.findFirstOrThrow({
          where: { taskRunId: id, kind: "model_call" },
          orderBy: { seq: "asc" },
          select: { seq: true, body: true },
        }),
      ),
    );
    const prompts = requests.map(
      (event) =>
        (event.body as { request: { body: { system?: unknown; messages: { content: unknown }[] } } }).request.body,
    );
    const page = await newPage();
    await page.goto(`${studio.url}${compareHref}`);
    const section = page.locator("[data-prompt-diff]");
    await section.waitFor();
    const same =
      JSON.stringify([prompts[0].system, prompts[0].messages]) ===
      JSON.stringify([prompts[1].system, prompts[1].messages]);
    expect(await section.getAttribute("data-prompt-diff")).toBe(same ? "identical" : "differs");
    expect(await section.innerText()).toContain(`A: event #${requests[0].seq}`);
    expect(await section.innerText()).toContain(`B: event #${requests[1].seq}`);
    // Closed at first: the traces stay in the first screen.
    expect(await section.locator('[data-editor="diff"]').count()).toBe(0);
    await section.locator("[data-prompt-toggle]").click();
    await page.waitForURL(/[?&]prompt=open/);
    await section.locator('[data-editor="diff"] .monaco-diff-editor').waitFor({ timeout: 30_000 });
    const modified = await editorText(page, '[data-prompt-diff] [data-editor="diff"] .editor.modified');
    const firstMessage = prompts[1].messages[0].content;
    const firstText = typeof firstMessage === "string" ? firstMessage : JSON.stringify(firstMessage);
    if (prompts[1].system != null) expect(modified).toContain("## system");
    else expect(modified).toContain("## user");
    if (!same)
      await expect
        .poll(() => section.locator(".line-insert, .char-insert, .line-delete, .char-delete").count(), {
          timeout: 15_000,
        })
        .toBeGreaterThan(0);
    expect(firstText.length).toBeGreaterThan(0);
    expect(await fitsWidth(page)).toBe(true);
    await shot(page, "compare-prompt-diff");
    // A link opens it again.
    await page.reload();
    await section.locator('[data-editor="diff"] .monaco-diff-editor').waitFor({ timeout: 30_000 });
    await page.close();
  }, 120_000);

  it("moves both sides with j / k once “move both” is on (off by default), and keeps the choice in the URL", async () => {
    const page = await newPage();
    await page.goto(`${studio.url}${compareHref}`);
    await page.locator('[data-side="a"] [data-timeline-ready="true"]').waitFor();
    await page.locator('[data-side="b"] [data-timeline-ready="true"]').waitFor();
    const toggle = page.locator("[data-together-toggle]");
    expect(await toggle.isChecked()).toBe(false);
    await page.keyboard.press("j");
    await page.waitForURL(/aEvent=0/);
    expect(page.url()).not.toContain("bEvent");

    await toggle.check();
    await page.waitForURL(/together=1/);
    await page.locator("body").click({ position: { x: 5, y: 5 } }); // the keys go to the page, not the checkbox
    await page.keyboard.press("j");
    await page.waitForURL((url) => url.searchParams.get("aEvent") === "1" && url.searchParams.get("bEvent") === "0");
    await page.keyboard.press("j");
    await page.waitForURL((url) => url.searchParams.get("aEvent") === "2" && url.searchParams.get("bEvent") === "1");
    await page.keyboard.press("k");
    await page.waitForURL((url) => url.searchParams.get("aEvent") === "1" && url.searchParams.get("bEvent") === "0");
    expect(await page.locator('[data-side="a"]').getAttribute("data-active")).toBe("true");
    expect(await page.locator('[data-side="b"]').getAttribute("data-active")).toBe("true");

    // t turns it off again: only the side with the keyboard moves.
    await page.keyboard.press("t");
    await page.waitForURL((url) => !url.searchParams.has("together"));
    await page.keyboard.press("j");
    await page.waitForURL((url) => url.searchParams.get("aEvent") === "2");
    expect(new URL(page.url()).searchParams.get("bEvent")).toBe("0");

    await page.goto(`${studio.url}${compareHref}&together=1`);
    expect(await page.locator("[data-together-toggle]").isChecked()).toBe(true);
    await page.close();
  }, 120_000);

  it("shows the harness audit on the candidate page, the diff page and the trace viewer, as the traces record it", async () => {
    // Model calls per search task of each candidate, counted from the stored trace events.
    const callsPerTask = async (candidateId: string) => {
      const [row] = await db.$queryRaw<{ calls: number; runs: number; id: string }[]>`
        select e.id, count(*) filter (where ev.kind = 'model_call')::int as calls, count(distinct r.id)::int as runs
        from "Evaluation" e join "TaskRun" r on r."evaluationId" = e.id left join "TraceEvent" ev on ev."taskRunId" = r.id
        where e."candidateId" = ${candidateId} and e.split = 'search'
        group by e.id, e."createdAt" order by e."createdAt" desc limit 1`;
      return row.calls / row.runs;
    };
    const calls = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1));
    const [seedCalls, childCalls] = [await callsPerTask(seedId), await callsPerTask(child.id)];
    expect(seedCalls).toBeGreaterThan(0);

    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${child.id}`);
    const audit = page.getByTestId("audit");
    await audit.waitFor();
    expect(await audit.locator('[data-figure="modelCalls"] td').last().innerText()).toBe(calls(childCalls));
    for (const figure of ["inputTokens", "cachedInputTokens", "outputTokens", "wallMs", "repeatShare"])
      expect(await audit.locator(`[data-figure="${figure}"] td`).last().innerText()).toMatch(/\d/);
    await audit.scrollIntoViewIfNeeded();
    await shot(page, "audit-candidate");

    await page.goto(`${studio.url}/projects/${projectId}/diff?b=${child.id}`);
    const diff = page.getByTestId("audit-diff");
    await diff.waitFor();
    const row = diff.locator('[data-figure="modelCalls"] td');
    expect(await row.nth(1).innerText()).toBe(calls(seedCalls));
    expect(await row.nth(2).innerText()).toBe(calls(childCalls));
    const change = await row.nth(3).innerText();
    if (childCalls === seedCalls) expect(change).toBe("=");
    else expect(change.startsWith(childCalls > seedCalls ? "▲" : "▼"), change).toBe(true);
    await diff.scrollIntoViewIfNeeded();
    await shot(page, "audit-diff");

    // A trace's own figures, at the top of the viewer.
    const run = await db.taskRun.findFirstOrThrow({
      where: { evaluation: { candidateId: child.id, split: "search" } },
      select: { id: true, _count: { select: { events: { where: { kind: "model_call" } } } } },
    });
    await page.goto(`${studio.url}/projects/${projectId}/runs/${run.id}`);
    const line = page.getByTestId("run-audit");
    await line.waitFor();
    expect(await line.innerText()).toContain(`Model calls ${run._count.events}`);
    expect(await line.innerText()).toMatch(/Prompt repeated (\d+(\.\d)?%|—)/);
    await shot(page, "audit-trace");
    await page.close();
  }, 120_000);

  it("collapses the candidate's rationale to its first lines, so the source is above the fold", async () => {
    expect(child.rationale?.length ?? 0).toBeGreaterThan(300); // the offline proposer's rationales are long
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${child.id}`);
    const collapsed = page.locator('[data-collapsed="true"]');
    await collapsed.waitFor();
    const folded = (await collapsed.boundingBox())!.height;
    const source = page.locator('[data-editor="read-only"]');
    await source.waitFor({ timeout: 30_000 });
    await shot(page, "candidate-page");
    expect((await source.boundingBox())!.y).toBeLessThan(900);

    await page.getByRole("button", { name: /Show the whole rationale/ }).click();
    const open = page.locator('[data-collapsed="false"]');
    await open.waitFor();
    expect((await open.boundingBox())!.height).toBeGreaterThan(folded);
    expect((await open.innerText()).replace(/\s+/g, " ")).toContain(child.rationale!.replace(/\s+/g, " ").trim());
    await page.getByRole("button", { name: "Show less of the rationale" }).click();
    await page.locator('[data-collapsed="true"]').waitFor();
    await page.close();
  }, 120_000);

  it("cuts the files read in the middle and lines the header up with the iteration page", async () => {
    const page = await newPage();
    await page.goto(`${studio.url}/projects/${projectId}/iterations/1`);
    const paths = page.locator("[data-testid='file-read'] [data-path]");
    await paths.first().waitFor();
    await page.getByTestId("files-read").scrollIntoViewIfNeeded();
    await shot(page, "iteration-page");
    // A narrow list (a small window, a long path): the head gives way, the file name stays.
    await page.getByTestId("files-read").evaluate((element) => ((element as HTMLElement).style.width = "560px"));
    const cut = await paths.evaluateAll((elements) =>
      elements.map((element) => {
        const head = element.firstElementChild as HTMLElement | null;
        const full = element.getAttribute("data-path")!;
        const box = element.getBoundingClientRect();
        return {
          full,
          text: (element as HTMLElement).innerText,
          headCut: head ? head.scrollWidth > head.clientWidth : false,
          // The file name (the last segment) is drawn inside the box.
          tailInside: element.scrollWidth <= Math.ceil(box.width) + 1,
        };
      }),
    );
    expect(cut.length).toBeGreaterThan(0);
    for (const item of cut) {
      expect(item.text).toBe(item.full); // copied whole
      expect(item.tailInside, item.full).toBe(true);
    }
    expect(cut.filter((item) => item.full.includes("/traces/")).every((item) => item.headCut)).toBe(true); // "…" in the middle
    await shot(page, "iteration-files-read-narrow");
    const header = (await page.locator("header > div").first().boundingBox())!;
    const body = (await page.locator("[data-width]").boundingBox())!;
    expect(Math.round(header.x)).toBe(Math.round(body.x));
    expect(Math.round(header.width)).toBe(Math.round(body.width));

    // The same on the side-by-side page.
    await page.goto(`${studio.url}${compareHref}`);
    const compareHeader = (await page.locator("header > div").first().boundingBox())!;
    const compareBody = (await page.locator("[data-width]").boundingBox())!;
    expect(Math.round(compareHeader.width)).toBe(Math.round(compareBody.width));
    await page.close();
  }, 120_000);
});
