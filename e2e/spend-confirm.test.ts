// Cost before the spend, in a real Chromium against a real studio with a model key (a fake
// Messages server): with earlier task runs that cost $0.50 a task, "Evaluate on search" and
// "Run iteration" show the estimate, and above the project's confirmAboveUsd they wait for a
// second click; Cancel enqueues nothing, the confirm button enqueues the run. The settings page
// edits the setting. No request may leave 127.0.0.1.
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../tests/fakes/anthropic-server.ts";
import { startStudio, studioDatabaseUrl, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, openPage } from "./browser.ts";

const SHOTS = "/work/shared/helpers/shots";
let studio: RunningStudio;
let browser: Browser;
let fake: FakeAnthropic;
let db: PrismaClient;
let projectId: string;
let seedId: string;
let searchTasks: number;
const requested: string[] = [];

beforeAll(async () => {
  fake = await startFakeAnthropic({ respond: () => ({ text: "The answer is 12." }) });
  [studio, browser] = await Promise.all([
    startStudio({ env: { ANTHROPIC_API_KEY: "sk-ant-test", ANTHROPIC_BASE_URL: fake.url } }),
    launchBrowser(),
  ]);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
  const created = await fetch(`${studio.url}/api/projects`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: studio.url, ...studio.authHeaders() },
    body: JSON.stringify({ example: "math-word-problems" }),
  });
  expect(created.status).toBe(201);
  ({ projectId } = (await created.json()) as { projectId: string });
  const project = await db.project.findUniqueOrThrow({
    where: { id: projectId },
    select: { model: true, suite: { select: { tasks: { where: { split: "search" }, select: { id: true } } } } },
  });
  const tasks = project.suite!.tasks;
  searchTasks = tasks.length;
  seedId = (await db.candidate.findFirstOrThrow({ where: { projectId, number: 1 } })).id;

  // History: a person's candidate evaluated on search earlier with the project's model, $0.50 a task.
  const earlier = await db.candidate.create({
    data: { projectId, number: 2, source: "export default {}", sha256: "earlier", origin: "person", status: "valid" },
  });
  await db.evaluation.create({
    data: {
      candidateId: earlier.id,
      split: "search",
      model: project.model,
      status: "done",
      taskCount: tasks.length,
      taskRuns: {
        create: tasks.map((task) => ({
          taskId: task.id,
          status: "passed",
          costUsd: 0.5,
          events: { create: [{ seq: 1, kind: "model_call", genAiRequestModel: project.model, costUsd: 0.5 }] },
        })),
      },
    },
  });
}, 300_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
  await fake?.close();
});

describe("cost before the spend (browser)", () => {
  it("an evaluation above $1 waits for a confirm step that shows the estimate; Cancel enqueues nothing", async () => {
    const page = await openPage(browser, studio, { requested });
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${seedId}`);
    const search = page.locator("[data-split=search]");
    const expected = `$${(searchTasks * 0.5).toFixed(2)}`;
    await search
      .locator("[data-estimate]")
      .filter({ hasText: `Estimated cost: ${expected}` })
      .waitFor();

    await search.getByRole("button", { name: "Evaluate on search" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Confirm the estimated cost" });
    await dialog.waitFor();
    const text = await dialog.innerText();
    expect(text).toContain(`Estimated cost: ${expected}, above this project's confirmation setting of $1.00`);
    expect(text).toContain(`$0.50 a task, from ${searchTasks} earlier search task runs`);
    expect(await search.getByRole("button", { name: "Evaluate on search" }).isDisabled()).toBe(true);
    expect(await fitsWidth(page)).toBe(true);
    await dialog.screenshot({ path: `${SHOTS}/settings-confirm-evaluation.png` });

    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await db.evaluation.count({ where: { candidateId: seedId } })).toBe(0);

    await search.getByRole("button", { name: "Evaluate on search" }).click();
    await dialog.getByRole("button", { name: "Start the search evaluation" }).click();
    await expect.poll(() => db.evaluation.count({ where: { candidateId: seedId, split: "search" } })).toBe(1);
    await page.close();
  });

  it("Run iteration shows its estimate and waits for the confirm step; the settings page raises the setting", async () => {
    // Let the evaluation started above finish or stop, so the project is idle.
    await fetch(`${studio.url}/api/projects/${projectId}/cancel`, {
      method: "POST",
      headers: { origin: studio.url, ...studio.authHeaders() },
    });
    await expect
      .poll(() => db.evaluation.count({ where: { candidateId: seedId, status: { in: ["queued", "running"] } } }), {
        timeout: 60_000,
      })
      .toBe(0);
    // Its task runs would move the history's $0.50 a task: the figures below are the seeded ones.
    await db.evaluation.deleteMany({ where: { candidateId: seedId } });

    const page = await openPage(browser, studio, { requested, width: 1280, height: 900 });
    await page.goto(`${studio.url}/projects/${projectId}`);
    const controls = page.getByRole("region", { name: "Run controls" });
    await controls.locator("[data-estimate]").filter({ hasText: "Estimated cost per iteration:" }).waitFor();
    await controls.getByRole("button", { name: "Run iteration" }).click();
    const dialog = page.getByRole("alertdialog", { name: "Confirm the estimated cost" });
    await dialog.waitFor();
    const text = await dialog.innerText();
    // 3 candidates × the search tasks × $0.50, and the proposer with no history yet.
    expect(text).toContain(`search evaluations of 3 new candidates (${searchTasks} tasks each)`);
    expect(text).toContain(`$${(3 * searchTasks * 0.5).toFixed(2)}`);
    expect(text).toMatch(/no estimate yet\s*the proposer, 1 iteration/);
    await controls.screenshot({ path: `${SHOTS}/settings-confirm-iteration.png` });
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect(await db.optimization.count({ where: { projectId } })).toBe(0);

    // Raised above the estimate on the settings page: the next run starts at once.
    const settings = await openPage(browser, studio, { requested, width: 1280, height: 900 });
    await settings.goto(`${studio.url}/projects/${projectId}/settings`);
    const field = settings.getByLabel("Ask above", { exact: true });
    expect(await field.getAttribute("placeholder")).toBe("1");
    await field.fill("-3");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await settings
      .locator("[data-field-error='settings.confirmAboveUsd']")
      .filter({ hasText: "Must be $0 or more." })
      .waitFor();
    await field.fill("1000");
    await settings.getByRole("button", { name: "Save settings" }).click();
    await settings.getByRole("status").filter({ hasText: "The next iteration uses these settings" }).waitFor();
    await settings.locator("text=Cost before the spend").scrollIntoViewIfNeeded();
    await settings.screenshot({ path: `${SHOTS}/settings-page.png`, fullPage: true });
    expect((await db.project.findUniqueOrThrow({ where: { id: projectId } })).settings).toMatchObject({
      confirmAboveUsd: 1000,
    });

    await page.reload();
    await controls.getByRole("button", { name: "Run iteration" }).click();
    await expect.poll(() => db.optimization.count({ where: { projectId } })).toBe(1);
    expect(await dialog.count()).toBe(0);
    await fetch(`${studio.url}/api/projects/${projectId}/cancel`, {
      method: "POST",
      headers: { origin: studio.url, ...studio.authHeaders() },
    });
    expect(requested.filter((url) => !url.startsWith(studio.url) && !url.startsWith("data:"))).toEqual([]);
    await settings.close();
    await page.close();
  });
});
