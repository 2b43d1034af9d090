// Catching mistakes early, in a real Chromium against a real studio: an uploaded seed harness
// without run() is refused with the reason; the upload's hint names what is missing; the
// projects list renames and deletes (asking first) and tells projects of one name apart; an
// evaluation whose every task errored is flagged on the overview and the projects list.
import { PrismaPg } from "@prisma/adapter-pg";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let scratch: string;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-names-e2e-"));
  env = studioEnv({ STUDIO_DATA_DIR: studio.dataDir });
}, 180_000);
afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const SUITE_JSON = JSON.stringify({
  name: "Echo",
  description: "Echo the input.",
  mode: "independent",
  grader: { type: "exact" },
});
const TASKS = [
  `{"id":"a","input":"1","expected":"1","split":"search"}`,
  `{"id":"b","input":"2","expected":"2","split":"search"}`,
  `{"id":"c","input":"3","expected":"3","split":"test"}`,
].join("\n");

function writeFolder(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  fs.mkdirSync(dir, { recursive: true });
  for (const [rel, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, rel), content);
  return dir;
}

async function uploadForm(): Promise<Page> {
  const page = await openPage(browser, studio, { width: 1440, height: 900 });
  await page.goto(`${studio.url}/projects/new`);
  await page.getByRole("heading", { name: "Your own task suite" }).waitFor();
  return page;
}

const submitButton = (page: Page) => page.locator("form").getByRole("button", { name: "Create project" });

describe("the upload", () => {
  it("refuses a seed harness without run(), with the reason, and stores nothing", async () => {
    const page = await uploadForm();
    const folder = writeFolder("no-run", {
      "suite.json": SUITE_JSON,
      "tasks.jsonl": TASKS,
      "harness.ts": "export const helper = 1;\n",
    });
    await page.getByLabel("Suite folder").setInputFiles(folder);
    await page.getByTestId("picked-suite").filter({ hasText: "no-run" }).waitFor();
    const before = await db.project.count();
    await submitButton(page).click();
    const problems = page.getByRole("region", { name: "Problems in harness.ts" });
    await problems.waitFor({ timeout: 60_000 });
    expect(await problems.textContent()).toContain("a harness module must `export default { async run(task, ctx)");
    expect(await problems.textContent()).toContain("it has no default export");
    expect(await page.locator("form").getByRole("alert").textContent()).toContain("nothing was saved");
    expect(await db.project.count()).toBe(before);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "names-upload-contract-refused");
    await page.close();
  });

  it("names what is missing: suite.json, or a seed harness", async () => {
    const page = await uploadForm();
    expect(await page.locator("[data-upload-hint]").textContent()).toBe("Missing: a suite folder or .zip.");
    await page
      .getByLabel("Suite folder")
      .setInputFiles(writeFolder("no-suite-json", { "tasks.jsonl": TASKS, "harness.ts": "x" }));
    await page.getByTestId("picked-suite").filter({ hasText: "no-suite-json" }).waitFor();
    expect(await page.locator("[data-upload-hint]").textContent()).toBe(
      "Missing: suite.json (no-suite-json has none at its top).",
    );
    expect(await submitButton(page).isDisabled()).toBe(true);
    await page
      .getByLabel("Suite folder")
      .setInputFiles(writeFolder("no-harness", { "suite.json": SUITE_JSON, "tasks.jsonl": TASKS }));
    await page.getByTestId("picked-suite").filter({ hasText: "no-harness" }).waitFor();
    expect(await page.locator("[data-upload-hint]").textContent()).toBe(
      "Missing: a seed harness (the suite has no harness.ts).",
    );
    await screenshot(page, "names-upload-hint");
    await page.close();
  });
});

describe("the projects list", () => {
  it("tells projects of one name apart, renames one and deletes one, asking first", async () => {
    // Two of one name, through the API: the list is what is checked here.
    const make = async () => {
      const created = await fetch(`${studio.url}/api/projects`, {
        method: "POST",
        headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
        body: JSON.stringify({ example: "math-word-problems" }),
      });
      expect(created.status).toBe(201);
      return ((await created.json()) as { projectId: string }).projectId;
    };
    const [first, second] = [await make(), await make()];
    const page = await openPage(browser, studio, { width: 1440, height: 900 });
    await page.goto(`${studio.url}/projects`);
    const rowOf = (id: string) => page.locator("tr", { has: page.locator(`a[href="/projects/${id}"]`) });
    for (const id of [first, second])
      expect(await rowOf(id).locator("[data-project-distinct]").textContent()).toContain(id.slice(-8));
    await screenshot(page, "names-projects-duplicates");

    await rowOf(first).getByRole("button", { name: "Rename" }).click();
    const input = rowOf(first).getByRole("textbox");
    await input.fill("Math, renamed");
    await screenshot(page, "names-projects-renaming");
    await rowOf(first).getByRole("button", { name: "Save" }).click();
    await rowOf(first).getByRole("link", { name: "Math, renamed" }).waitFor();
    expect((await db.project.findUniqueOrThrow({ where: { id: first } })).name).toBe("Math, renamed");
    expect(await rowOf(second).locator("[data-project-distinct]").count()).toBe(0); // no longer a duplicate

    await rowOf(second).getByRole("button", { name: "Delete" }).click();
    const dialog = rowOf(second).getByRole("alertdialog");
    expect(await dialog.textContent()).toContain("This cannot be undone.");
    await screenshot(page, "names-projects-delete-confirm");
    await dialog.getByRole("button", { name: "Keep it" }).click();
    expect(await db.project.count({ where: { id: second } })).toBe(1);
    await rowOf(second).getByRole("button", { name: "Delete" }).click();
    await rowOf(second).getByRole("button", { name: "Delete for good" }).click();
    await rowOf(second).waitFor({ state: "detached" });
    expect(await db.project.count({ where: { id: second } })).toBe(0);
    expect(await db.candidate.count({ where: { projectId: second } })).toBe(0);
    expect(await fitsWidth(page)).toBe(true);
    await page.close();
  }, 300_000);

  it("flags an evaluation whose every task errored, on the overview and the list", async () => {
    const folder = writeFolder("throws", {
      "suite.json": SUITE_JSON,
      "tasks.jsonl": TASKS,
      "harness.ts": 'export default { async run() { throw new Error("the config file is missing"); } };\n',
    });
    const created = await runCli(
      [
        "project",
        "create",
        "--suite",
        folder,
        "--harness",
        path.join(folder, "harness.ts"),
        "--name",
        "Always throws",
        "--json",
      ],
      env,
      120_000,
    );
    expect(created.code, created.stderr).toBe(0);
    const { projectId } = JSON.parse(created.stdout) as { projectId: string };
    const evaluated = await runCli(["eval", "--project", projectId, "--offline", "--yes"], env, 300_000);
    expect(evaluated.stdout).toContain("of candidate #1 (search)");
    expect(evaluated.stdout).toContain("WARNING   every task errored");

    const page = await openPage(browser, studio, { width: 1440, height: 900 });
    await page.goto(`${studio.url}/projects/${projectId}`);
    const banner = page.locator("[data-all-errored-banner]");
    await banner.waitFor();
    const text = await banner.textContent();
    expect(text).toContain("Every task errored in an evaluation");
    expect(text).toContain("#1 on search: 2 of 2 tasks errored, mostly throw: the config file is missing");
    await screenshot(page, "names-overview-all-errored");
    await banner.getByRole("link", { name: "open a trace" }).click();
    await page.waitForURL(/\/runs\//);

    await page.goto(`${studio.url}/projects`);
    const row = page.locator("tr", { has: page.locator(`a[href="/projects/${projectId}"]`) });
    expect(await row.locator("[data-all-errored]").textContent()).toBe("every task errored");
    await screenshot(page, "names-projects-all-errored");
    await page.close();
  }, 400_000);
});
