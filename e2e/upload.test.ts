// Creating a project by upload in a real Chromium against a real studio: a folder through the
// webkitdirectory input and a .zip through the zip input, a broken suite's problems shown by
// file and line (and nothing stored), then a good one that lands on the new project's page.
// Light at 1280 px, dark at 1920 px; screenshots land in test-results/.
import { PrismaPg } from "@prisma/adapter-pg";
import { strToU8, zipSync } from "fflate";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { studioRoot } from "../lib/paths.ts";
import { startStudio, studioDatabaseUrl, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, screenshot, signIn } from "./browser.ts";

const EXAMPLE = path.join(studioRoot, "examples", "math-word-problems");

let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let scratch: string;

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-upload-e2e-"));
});
afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
});

const BROKEN_FILES = {
  "suite.json": JSON.stringify({
    name: "Broken echo",
    description: "Echo the input.",
    mode: "independent",
    grader: { type: "exact" },
  }),
  "tasks.jsonl": [
    `{"id":"a","input":"1","expected":"1","split":"search"}`,
    `{"id":"b","input":"2","expected":"2","split":"train"}`,
    `{"id":"c","input":"3","expected":"3","split":"test"}`,
  ].join("\n"),
  "harness.ts": "export default {\n  async run(task) {\n    return task.input +;\n  },\n};\n",
};

const suiteName = () =>
  (JSON.parse(fs.readFileSync(path.join(EXAMPLE, "suite.json"), "utf8")) as { name: string }).name;

function writeFolder(name: string, files: Record<string, string>): string {
  const dir = path.join(scratch, name);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

async function openForm(width: number, colorScheme: "light" | "dark"): Promise<Page> {
  const page = await signIn(await browser.newPage({ viewport: { width, height: 900 }, colorScheme }), studio);
  page.on("pageerror", (error) => console.log(`[page error] ${error.message}`));
  await page.goto(`${studio.url}/projects/new`);
  await page.getByRole("heading", { name: "Your own task suite" }).waitFor();
  return page;
}

/** The upload form's own button (each bundled example has a "Create project" button too). */
const submitButton = (page: Page) => page.locator("form").getByRole("button", { name: "Create project" });

const counts = async () => [await db.project.count(), await db.taskSuite.count(), await db.candidate.count()];

/** Submits, expects the problems list, and that nothing was stored. */
async function expectProblems(page: Page): Promise<string> {
  const before = await counts();
  await submitButton(page).click();
  const alert = page.locator("form").getByRole("alert"); // Next.js keeps a route announcer with that role too
  await alert.waitFor();
  expect(await counts()).toEqual(before);
  return (await alert.textContent()) ?? "";
}

describe("creating a project by upload", () => {
  it("uploads a folder: shows what was picked, the problems of a broken suite by file and line, then opens the new project (light, 1280)", async () => {
    const page = await openForm(1280, "light");
    expect(await submitButton(page).isDisabled()).toBe(true);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "upload-form-light");

    await page.getByLabel("Suite folder").setInputFiles(writeFolder("broken-echo", BROKEN_FILES));
    const picked = page.getByTestId("picked-suite");
    await picked.waitFor();
    expect(await picked.textContent()).toMatch(/broken-echo.*3 files.*suite “Broken echo”/);
    expect(await page.getByLabel("Project name").inputValue()).toBe("Broken echo");
    expect(await page.textContent("form")).toContain("Not needed: the suite has a harness.ts at its root");

    const text = await expectProblems(page);
    expect(text).toContain("2 problems; nothing was saved");
    const tasks = page.getByRole("region", { name: "Problems in tasks.jsonl" });
    expect(await tasks.locator("li").allTextContents()).toEqual(['line 2split must be "search" or "test"']);
    const harness = page.getByRole("region", { name: "Problems in harness.ts" });
    expect(await harness.locator("li").first().textContent()).toMatch(/^line 3:24Unexpected ";"/);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "upload-errors-light");

    // The example folder, with its harness.ts replaced by a chosen file.
    await page.getByLabel("Suite folder").setInputFiles(EXAMPLE);
    await page.getByTestId("picked-suite").filter({ hasText: "math-word-problems" }).waitFor();
    expect(await page.getByLabel("Project name").inputValue()).toBe(suiteName()); // a name not typed follows the suite
    await page.getByLabel("Project name").fill("Uploaded math");
    const seed = path.join(scratch, "seed.ts");
    fs.copyFileSync(path.join(EXAMPLE, "harness.ts"), seed);
    await page.getByLabel("Seed harness").setInputFiles(seed);
    expect(await page.textContent("form")).toContain("Used instead of the folder's own harness.ts");
    await screenshot(page, "upload-picked-light");

    await submitButton(page).click();
    await page.waitForURL(/\/projects\/(?!new$)[^/]+$/, { timeout: 60_000 });
    const projectId = new URL(page.url()).pathname.split("/").pop()!;
    await page.getByRole("heading", { name: "Uploaded math" }).waitFor();
    const project = await db.project.findUniqueOrThrow({
      where: { id: projectId },
      include: { suite: { include: { _count: { select: { tasks: true } } } }, candidates: true },
    });
    expect(project.suite!._count.tasks).toBe(
      fs
        .readFileSync(path.join(EXAMPLE, "tasks.jsonl"), "utf8")
        .split("\n")
        .filter((line) => line.trim()).length,
    );
    expect(project.candidates.map((c) => c.rationale)).toEqual(["Seed harness from seed.ts."]);
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "upload-result-light");
    await page.close();
  });

  it("uploads a .zip with a single top folder, and asks for a harness when the zip has none (dark, 1920)", async () => {
    const page = await openForm(1920, "dark");
    await screenshot(page, "upload-form-dark");

    const brokenZip = path.join(scratch, "broken.zip");
    fs.writeFileSync(
      brokenZip,
      zipSync({ "broken-echo": Object.fromEntries(Object.entries(BROKEN_FILES).map(([k, v]) => [k, strToU8(v)])) }),
    );
    await page.getByLabel("Suite zip").setInputFiles(brokenZip);
    await page.getByTestId("picked-suite").filter({ hasText: "broken.zip" }).waitFor();
    const text = await expectProblems(page);
    expect(text).toContain("tasks.jsonl");
    expect(text).toContain("line 3:24");
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "upload-errors-dark");

    const { "harness.ts": harness, ...files } = Object.fromEntries(
      fs.readdirSync(EXAMPLE).map((name) => [name, new Uint8Array(fs.readFileSync(path.join(EXAMPLE, name)))]),
    );
    const goodZip = path.join(scratch, "math.zip");
    fs.writeFileSync(goodZip, zipSync({ math: files }));
    await page.getByLabel("Suite zip").setInputFiles(goodZip);
    await page.getByTestId("picked-suite").filter({ hasText: "math.zip" }).waitFor();
    const create = submitButton(page);
    expect(await create.isDisabled()).toBe(true); // no harness in the zip, none chosen
    expect(await page.textContent("form")).toContain("Missing: a seed harness (the suite has no harness.ts).");
    const seed = path.join(scratch, "math-seed.ts");
    fs.writeFileSync(seed, harness);
    await page.getByLabel("Seed harness").setInputFiles(seed);
    await page.getByLabel("Project name").fill("");
    await screenshot(page, "upload-picked-dark");

    await create.click();
    await page.waitForURL(/\/projects\/(?!new$)[^/]+$/, { timeout: 60_000 });
    await page.getByRole("heading", { name: suiteName() }).waitFor(); // an empty name field means the suite's name
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "upload-result-dark");
    await page.close();
  });
});
