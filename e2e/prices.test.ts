// The settings page's "Model prices" section in a real Chromium against a real studio, and
// "unpriced" where a cost is shown: an evaluation of a harness calling a made-up model (a fake
// Anthropic server over real HTTP answers as it) shows "unpriced" on the project and run pages,
// never $0; a price added on the settings page is listed, can be changed and deleted, and a bad
// one shows its error under its field and saves nothing. No request may leave 127.0.0.1.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../tests/fakes/anthropic-server.ts";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, openPage, screenshot, SCREENSHOTS } from "./browser.ts";

const MODEL = "acme-large-2";
let studio: RunningStudio;
let browser: Browser;
let fake: FakeAnthropic;
let db: PrismaClient;
let projectId: string;
let evaluationId: string;
const requested: string[] = [];
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-prices-e2e-"));
fs.chmodSync(dir, 0o755);

const field = (page: Page, name: string) => page.locator(`form[aria-label="Model price"] input[name="${name}"]`);

beforeAll(async () => {
  [studio, browser, fake] = await Promise.all([
    startStudio(),
    launchBrowser(),
    startFakeAnthropic({
      requireApiKey: "the-real-key",
      respond: (request) => ({
        text: "ok",
        model: String(request.body?.model),
        usage: { input_tokens: 1_000, output_tokens: 200 },
      }),
    }),
  ]);
  const databaseUrl = studioDatabaseUrl(studio.dataDir);
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: databaseUrl }) });
  const env = studioEnv({ DATABASE_URL: databaseUrl, ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: "the-real-key" });
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "say ok", description: "Say ok.", mode: "independent", grader: { type: "exact" } }),
  );
  fs.writeFileSync(
    path.join(dir, "suite", "tasks.jsonl"),
    [0, 1].map((i) => JSON.stringify({ id: `t${i}`, input: i, expected: "ok", split: "search" })).join("\n"),
  );
  fs.writeFileSync(
    path.join(dir, "harness.ts"),
    `import Anthropic from "@anthropic-ai/sdk";
export default {
  async run(_task: unknown, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({ model: ${JSON.stringify(MODEL)}, max_tokens: 64, messages: [{ role: "user", content: "Say ok." }] });
    return reply.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  },
};\n`,
  );
  const created = await runCli(
    ["project", "create", "--suite", path.join(dir, "suite"), "--harness", path.join(dir, "harness.ts"), "--json"],
    env,
  );
  expect(created.code, created.stderr).toBe(0);
  projectId = JSON.parse(created.stdout).projectId;
  await db.project.update({ where: { id: projectId }, data: { model: MODEL } });
  const evaluated = await runCli(["eval", "--project", projectId, "--concurrency", "1", "--json"], env);
  expect(evaluated.code, evaluated.stderr).toBe(0);
  ({ evaluationId } = JSON.parse(evaluated.stdout.trim().split("\n").at(-1)!));
}, 240_000);

afterAll(async () => {
  await db?.$disconnect();
  await browser?.close();
  await fake?.close();
  await studio?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("unpriced costs", () => {
  it("show as unpriced on the project page and the run page, never $0", async () => {
    const page = await openPage(browser, studio, { requested });
    await page.goto(`${studio.url}/projects/${projectId}`);
    const cost = page.locator("text=Cost").first();
    await cost.waitFor();
    const html = await page.content();
    expect(html).toContain("unpriced");
    expect(html).not.toContain("$0.00");
    await screenshot(page, "prices-project-unpriced");

    const run = await db.taskRun.findFirstOrThrow({ where: { evaluationId }, select: { id: true } });
    await page.goto(`${studio.url}/projects/${projectId}/runs/${run.id}`);
    await page.getByText("unpriced", { exact: true }).first().waitFor();
    expect(await page.content()).not.toContain("$0.00");
    await screenshot(page, "prices-run-unpriced");
    await page.close();
  });
});

describe("the Model prices section", () => {
  it("refuses a bad price under its field, adds a good one, changes and deletes it", async () => {
    const page = await openPage(browser, studio, { requested });
    await page.goto(`${studio.url}/projects/${projectId}/settings`);
    const task = page.locator('[data-model-pricing="Task model"]');
    await task.waitFor();
    expect(await task.textContent()).toContain(`${MODEL} unpriced`);
    expect(await page.locator("[data-prices-empty]").textContent()).toContain("No price overrides.");

    await field(page, "model").fill(MODEL);
    await field(page, "inputPerMTok").fill("-3");
    await field(page, "outputPerMTok").fill("lots");
    await page.getByRole("button", { name: "Add price" }).click();
    await page.getByRole("alert").filter({ hasText: "Nothing was saved: 2 fields need fixing" }).waitFor();
    expect(await page.locator('[data-field-error="inputPerMTok"]').textContent()).toBe(
      "The input price must be $0 or more per million tokens.",
    );
    expect(await page.locator('[data-field-error="outputPerMTok"]').textContent()).toBe(
      "The output price must be a number of dollars per million tokens.",
    );
    expect(await field(page, "inputPerMTok").getAttribute("aria-invalid")).toBe("true");
    const section = page.locator("section", { has: page.getByRole("heading", { name: "Model prices" }) });
    await section.screenshot({ path: path.join(SCREENSHOTS, "prices-settings-errors-section.png") });
    expect(await db.modelPrice.count()).toBe(0);

    await field(page, "inputPerMTok").fill("3");
    await field(page, "outputPerMTok").fill("$15");
    await field(page, "cacheReadPerMTok").fill("0.3");
    await page.getByRole("button", { name: "Add price" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Saved the price of ${MODEL}` })
      .waitFor();
    const row = page.locator(`[data-price-row="${MODEL}"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain("$3$15$0.31.25 × input");
    // The server's badges refresh: the task model is priced now, by the override.
    await page.waitForFunction(() =>
      document.querySelector('[data-model-pricing="Task model"]')?.textContent?.includes("priced (override)"),
    );
    expect(await db.modelPrice.findUniqueOrThrow({ where: { model: MODEL } })).toMatchObject({
      inputPerMTok: 3,
      outputPerMTok: 15,
      cacheReadPerMTok: 0.3,
      cacheWritePerMTok: null,
    });
    expect(await fitsWidth(page)).toBe(true);
    await section.scrollIntoViewIfNeeded();
    await screenshot(page, "prices-settings");
    await section.screenshot({ path: path.join(SCREENSHOTS, "prices-settings-section.png") });

    await row.getByRole("button", { name: "Edit" }).click();
    expect(await field(page, "model").getAttribute("readonly")).not.toBeNull();
    await field(page, "outputPerMTok").fill("12");
    await page.getByRole("button", { name: "Save price" }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Saved the price of ${MODEL}` })
      .waitFor();
    await page.waitForFunction(
      (model) => document.querySelector(`[data-price-row="${model}"]`)?.textContent?.includes("$12"),
      MODEL,
    );
    expect((await db.modelPrice.findUniqueOrThrow({ where: { model: MODEL } })).outputPerMTok).toBe(12);

    await page.getByRole("button", { name: `Delete the price of ${MODEL}` }).click();
    await page
      .getByRole("status")
      .filter({ hasText: `Deleted the price of ${MODEL}` })
      .waitFor();
    await page.locator("[data-prices-empty]").waitFor();
    expect(await db.modelPrice.count()).toBe(0);
    await page.close();

    for (const url of requested) expect(new URL(url).hostname).toBe("127.0.0.1");
  });
});
