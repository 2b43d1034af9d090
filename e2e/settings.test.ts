// The settings page in a real Chromium against a real studio: the form saves, survives a
// reload, and shows a bad value's error next to its field (saving nothing); the proposer's
// instructions are edited in Monaco and saved as a new version; `?version=N` shows a version
// read-only and `&compare=M` shows Monaco's diff editor. No request may leave 127.0.0.1.
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { startStudio, studioDatabaseUrl, type RunningStudio } from "../tests/helpers/studio.ts";
import { editorText, fitsWidth, launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let db: PrismaClient;
let projectId: string;
const requested: string[] = [];
const newPage = (options: { width?: number; height?: number; colorScheme?: "light" | "dark" } = {}) =>
  openPage(browser, studio, { ...options, requested });
const ADDED = "Always read the failing traces before the leaderboard.";

const settingsUrl = (query = "") => `${studio.url}/projects/${projectId}/settings${query}`;

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
  const response = await fetch(`${studio.url}/api/projects`, {
    method: "POST",
    headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
    body: JSON.stringify({ example: "math-word-problems" }),
  });
  expect(response.status).toBe(201);
  ({ projectId } = (await response.json()) as { projectId: string });
}, 240_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await studio?.stop();
});

describe("settings", () => {
  it("saves the model and candidates per iteration, and shows them after a reload", async () => {
    const page = await newPage();
    const response = await page.goto(settingsUrl());
    expect(response?.status()).toBe(200);
    const model = page.getByLabel("Task model", { exact: true });
    const candidates = page.getByLabel("Candidates per iteration", { exact: true });
    await candidates.waitFor();
    expect(await page.getByRole("button", { name: "Save settings" }).isDisabled()).toBe(true); // nothing changed yet
    expect(await page.getByLabel("Each task run: tokens").getAttribute("placeholder")).toBe("no limit");

    await model.fill("claude-haiku-4-5");
    await candidates.fill("5");
    await page.getByLabel("Whole project: evaluations: dollars").fill("$25");
    await page.getByRole("button", { name: "Save settings" }).click();
    await page.getByRole("status").filter({ hasText: "The next iteration uses these settings" }).waitFor();

    await page.reload();
    await candidates.waitFor();
    expect(await model.inputValue()).toBe("claude-haiku-4-5");
    expect(await candidates.inputValue()).toBe("5");
    expect(await page.getByLabel("Whole project: evaluations: dollars").inputValue()).toBe("25");
    const row = await db.project.findUniqueOrThrow({ where: { id: projectId } });
    expect(row).toMatchObject({
      model: "claude-haiku-4-5",
      candidatesPerIteration: 5,
      settings: { budgets: { project: { evaluation: { usd: 25 } } } },
    });

    // No secrets on the page, and the studio is offline here: the page says what that means.
    const html = await page.content();
    expect(html).not.toMatch(/postgres(ql)?:\/\/|DATABASE_URL=/);
    expect(await page.locator("[data-offline]").textContent()).toContain("No model API key is set on this server");
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "settings-light-1280");
    await page.close();
  });

  it("shows a bad value's error next to its field and saves nothing", async () => {
    const page = await newPage();
    await page.goto(settingsUrl());
    const candidates = page.getByLabel("Candidates per iteration", { exact: true });
    await candidates.fill("0");
    await page.getByLabel("Each task run: tokens").fill("lots");
    await page.getByRole("radio", { name: /Command/ }).check();
    // The command field appears with what it runs with; left empty, it is an error too.
    expect(await page.locator("[data-command-hint]").textContent()).toContain("workspace folder");
    expect(await page.locator("[data-command-hint]").textContent()).toContain("stdin");
    await page.getByRole("button", { name: "Save settings" }).click();

    await page.getByRole("alert").filter({ hasText: "Nothing was saved: 3 settings need fixing" }).waitFor();
    expect(await page.locator('[data-field-error="candidatesPerIteration"]').textContent()).toBe(
      "Must be a whole number from 1 to 20.",
    );
    expect(await page.locator('[data-field-error="settings.budgets.task.tokens"]').textContent()).toBe(
      "Must be a number.",
    );
    expect(await page.locator('[data-field-error="proposerCommand"]').textContent()).toBe(
      "Is needed when the proposer is a command.",
    );
    expect(await candidates.getAttribute("aria-invalid")).toBe("true");
    await screenshot(page, "settings-errors");

    const row = await db.project.findUniqueOrThrow({ where: { id: projectId } });
    expect(row).toMatchObject({
      candidatesPerIteration: 5,
      proposerKind: "claude",
      settings: { budgets: { project: { evaluation: { usd: 25 } } } },
    });
    await page.reload();
    expect(await page.getByLabel("Candidates per iteration", { exact: true }).inputValue()).toBe("5");
    await page.close();
  });

  it("edits the instructions in Monaco and saves them as a new version, listed in the history", async () => {
    const page = await newPage();
    await page.goto(settingsUrl());
    const editor = page.locator('[data-view="edit"] [data-editor="editable"] .monaco-editor');
    await editor.waitFor({ timeout: 30_000 });
    const save = page.getByRole("button", { name: "Save as new version" });
    expect(await save.isDisabled()).toBe(true); // unchanged text is not a new version
    expect(await page.getByText("The text is the same as version 1: edit it first.").count()).toBe(1);

    // Add a line at the top of the text, above its title.
    await editor.locator(".view-line", { hasText: "You are the proposer of Harness Studio" }).click();
    await page.locator('[data-view="edit"] .monaco-editor.focused').waitFor();
    await page.keyboard.press("Home");
    await page.keyboard.type(ADDED, { delay: 20 });
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter");
    expect(await editorText(page, '[data-view="edit"]')).toContain(ADDED);
    await page.getByLabel("Note for the new version").fill("traces first");
    await save.click();

    await page.waitForURL((url) => url.search.includes("saved=2"), { timeout: 30_000 });
    await page.getByRole("status").filter({ hasText: "Saved as version 2" }).waitFor();
    const history = page.getByRole("complementary", { name: "Version history" });
    expect(await history.locator('[data-version="2"]').textContent()).toContain("traces first");
    expect(await history.locator('[data-version="2"]').textContent()).toContain("current");
    const saved = await db.instructionVersion.findUniqueOrThrow({
      where: { projectId_version: { projectId, version: 2 } },
    });
    expect(saved.text.startsWith(`${ADDED}\n\n`)).toBe(true);
    expect(saved.note).toBe("traces first");
    await page.close();
  });

  it("shows a version read-only from the URL, and a diff of two versions in Monaco's diff editor", async () => {
    // Iteration 1 ran with version 1: the history links to it.
    const v1 = await db.instructionVersion.findUniqueOrThrow({
      where: { projectId_version: { projectId, version: 1 } },
    });
    await db.iteration.create({
      data: { projectId, number: 1, status: "done", proposerKind: "offline", instructionVersionId: v1.id },
    });

    const page = await newPage();
    await page.goto(settingsUrl("?version=1"));
    await page.locator('[data-view="version"] [data-editor="read-only"] .monaco-editor').waitFor({ timeout: 30_000 });
    expect(await page.locator('[data-view="version"]').textContent()).toContain("Version 1");
    expect(await editorText(page, '[data-view="version"]')).not.toContain(ADDED);
    const v1Row = page.locator('[data-version="1"]');
    expect(await v1Row.textContent()).toContain("1 iteration:");
    expect(await v1Row.getByRole("link", { name: "#1" }).getAttribute("href")).toBe(
      `/projects/${projectId}/iterations/1`,
    );

    // The compare picker defaults to the other version and puts the diff in the URL.
    await page.getByRole("button", { name: "Show the diff" }).click();
    await page.waitForURL((url) => url.search.includes("version=1") && url.search.includes("compare=2"));

    for (const [colorScheme, width] of [
      ["light", 1280],
      ["dark", 1920],
    ] as const) {
      const view = colorScheme === "light" ? page : await newPage({ colorScheme, width });
      if (view !== page) await view.goto(settingsUrl("?version=1&compare=2"));
      const diff = view.locator('[data-view="diff"] [data-editor="diff"] .monaco-diff-editor');
      await diff.waitFor({ timeout: 30_000 });
      expect(await view.locator('[data-view="diff"]').textContent()).toContain("Changes from version 1 to version 2");
      await expect
        .poll(() => view.locator('[data-editor="diff"] .line-insert, [data-editor="diff"] .char-insert').count(), {
          timeout: 15_000,
        })
        .toBeGreaterThan(0);
      expect(await editorText(view, '[data-editor="diff"] .editor.modified')).toContain(ADDED);
      expect(await fitsWidth(view)).toBe(true);
      if (colorScheme === "dark") {
        await screenshot(view, "settings-diff-dark-1920");
        await view.goto(settingsUrl());
        await view.locator('[data-view="edit"] .monaco-editor').waitFor({ timeout: 30_000 });
        expect(await fitsWidth(view)).toBe(true);
        await screenshot(view, "settings-dark-1920");
        await view.close();
      } else {
        await screenshot(view, "settings-diff-light-1280");
      }
    }

    // A version that does not exist is said in words, and the page still works.
    await page.goto(settingsUrl("?version=99"));
    await page
      .getByRole("alert")
      .filter({ hasText: "There is no version “99” of the instructions: this project has versions 1 to 2." })
      .waitFor();
    await page.locator('[data-view="edit"]').waitFor();
    await page.close();
  });

  it("answers an unknown project with 404", async () => {
    const page = await newPage();
    expect((await page.goto(`${studio.url}/projects/does-not-exist/settings`))?.status()).toBe(404);
    await page.close();
    const foreign = requested.filter(
      (url) => !url.startsWith("http://127.0.0.1:") && !url.startsWith("data:") && !url.startsWith("blob:"),
    );
    expect(foreign).toEqual([]);
  });
});
