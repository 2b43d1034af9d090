// A studio with a wrong API key, in a real Chromium: "Run iteration" ends with the model API's
// refusal in plain words on the run controls (not an iteration of zero scores), and the seed's
// evaluation says the same. The model API is a fake that, like the real one, checks the key.
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startFakeAnthropic, type FakeAnthropic } from "../tests/fakes/anthropic-server.ts";
import { startStudio, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, openPage, screenshot } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic({ requireApiKey: "the-right-key", respond: () => ({ text: "The answer is 12." }) });
  [studio, browser] = await Promise.all([
    startStudio({ env: { ANTHROPIC_API_KEY: "sk-ant-a-wrong-key", ANTHROPIC_BASE_URL: fake.url } }),
    launchBrowser(),
  ]);
});
afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await fake?.close();
});

it("shows a refused API key in plain words when a run fails on it", async () => {
  const created = await fetch(`${studio.url}/api/projects`, {
    method: "POST",
    headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
    body: JSON.stringify({ example: "math-word-problems" }),
  });
  expect(created.status).toBe(201);
  const { projectId } = (await created.json()) as { projectId: string };

  const page = await openPage(browser, studio);
  await page.goto(`${studio.url}/projects/${projectId}`);
  expect(await page.locator("main").innerText()).not.toMatch(/simulated|offline mode/); // a key is set: real runs
  await page.getByRole("button", { name: "Run iteration" }).click();
  const failure = page.getByText(/The run failed: The model API refused the API key/);
  await failure.waitFor({ timeout: 90_000 });
  expect(await failure.textContent()).toContain(
    "(401 authentication_error: invalid x-api-key). Check ANTHROPIC_API_KEY",
  );
  expect(await page.content()).not.toContain("sk-ant-a-wrong-key"); // the key itself never reaches the page
  // The buttons are usable again, for after the key is fixed.
  await expect.poll(() => page.getByRole("button", { name: "Run iteration" }).isEnabled()).toBe(true);

  // The seed's evaluation stopped at the refusal and says why on its candidate page.
  await page.reload();
  const evaluationRow = page.locator("tr", { has: page.getByText("search", { exact: true }) }).first();
  expect(await evaluationRow.textContent()).toContain("failed");
  expect(await evaluationRow.textContent()).toContain("The model API refused the API key"); // and why
  expect(await fitsWidth(page)).toBe(true);
  await screenshot(page, "run-failed-bad-key");
  // The fake saw the wrong key, and only a few calls: the evaluation stopped instead of failing 100 tasks.
  const calls = fake.requests.filter((request) => request.path === "/v1/messages");
  expect(calls.length).toBeGreaterThan(0);
  expect(calls.length).toBeLessThan(20);
  await page.close();
});
