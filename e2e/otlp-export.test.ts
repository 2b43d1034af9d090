// OTLP export in a real Chromium against a real studio: an evaluation whose receiver was down
// shows the export's error beside it (the evaluation itself done), and the button sends it again
// once the project's endpoint points at a live OTLP/HTTP receiver, then shows the spans sent.
import path from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli, startStudio, studioDatabaseUrl, studioEnv, type RunningStudio } from "../tests/helpers/studio.ts";
import { startOtlpReceiver, type OtlpReceiver } from "../tests/helpers/otlp-receiver.ts";
import { refusedPort } from "../tests/helpers/refused-port.ts";
import { fitsWidth, launchBrowser, openPage, screenshot, SCREENSHOTS } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;
let receiver: OtlpReceiver;
let projectId: string;
let seedId: string;
let evaluationId: string;
let tasks: number;

const cli = (args: string[]) => runCli(args, studioEnv({ DATABASE_URL: studioDatabaseUrl(studio.dataDir) }), 150_000);

beforeAll(async () => {
  [studio, browser, receiver] = await Promise.all([startStudio(), launchBrowser(), startOtlpReceiver()]);
  const response = await fetch(`${studio.url}/api/projects`, {
    method: "POST",
    headers: { ...studio.authHeaders(), "content-type": "application/json", origin: studio.url },
    body: JSON.stringify({ example: "text-classification" }),
  });
  expect(response.status).toBe(201);
  ({ projectId, seedCandidateId: seedId } = (await response.json()) as { projectId: string; seedCandidateId: string });

  const set = await cli([
    "settings",
    "--project",
    projectId,
    "--set",
    `otlp.endpoint=http://127.0.0.1:${await refusedPort()}`,
  ]);
  expect(set.code, set.stderr).toBe(0);
  const evaluated = await cli(["eval", "--project", projectId, "--offline", "--json"]);
  expect(evaluated.code, evaluated.stderr).toBe(0);
  const summary = JSON.parse(evaluated.stdout.trim().split("\n").at(-1)!) as {
    evaluationId: string;
    status: string;
    tasks: number;
  };
  expect(summary.status).toBe("done");
  ({ evaluationId, tasks } = summary);
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await studio?.stop();
  await receiver?.close();
});

describe("OTLP export", () => {
  it("shows a failed export beside the finished evaluation, and the button sends it again", async () => {
    const page = await openPage(browser, studio, { width: 1440, height: 900 });
    await page.goto(`${studio.url}/projects/${projectId}/candidates/${seedId}`);
    const search = page.locator('[data-split="search"]');
    const otlp = search.getByLabel("OTLP export");
    await otlp.getByText("export failed").waitFor();
    expect(await search.innerText()).toContain("done");
    expect(await otlp.innerText()).toMatch(
      /OTLP export to http:\/\/127\.0\.0\.1:\d+\/v1\/traces failed: .*ECONNREFUSED/,
    );
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "otlp-export-failed");
    await search.screenshot({ path: path.join(SCREENSHOTS, "otlp-export-failed-panel.png") });

    const set = await cli(["settings", "--project", projectId, "--set", `otlp.endpoint=${receiver.endpoint}`]);
    expect(set.code, set.stderr).toBe(0);
    await otlp.getByRole("button", { name: "Export traces again (OTLP)" }).click();
    await otlp.getByText("exported", { exact: true }).waitFor();
    const spans = receiver.spans();
    const roots = spans.filter((span) => span.parentSpanId === "");
    expect(roots).toHaveLength(tasks);
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(tasks);
    expect(roots.every((root) => root.attributes["studio.evaluation.id"] === evaluationId)).toBe(true);
    const calls = spans.filter((span) => span.attributes["openinference.span.kind"] === "LLM");
    expect(calls.length).toBeGreaterThanOrEqual(tasks);
    for (const call of calls) {
      expect(call.attributes["gen_ai.operation.name"]).toBe("chat");
      expect(typeof call.attributes["gen_ai.usage.input_tokens"]).toBe("number");
      expect(call.attributes["gen_ai.input.messages"]).toBeTruthy();
    }
    expect(await otlp.innerText()).toContain(`${spans.length} spans`);
    expect(await otlp.innerText()).not.toContain("ECONNREFUSED");
    await screenshot(page, "otlp-export-done");
    await search.screenshot({ path: path.join(SCREENSHOTS, "otlp-export-done-panel.png") });
  });
});
