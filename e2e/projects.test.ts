// The projects list and project pages in a real Chromium against a real studio, empty and
// with data, light and dark, at 1280 and 1920 px. Screenshots land in test-results/.
import { PrismaPg } from "@prisma/adapter-pg";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../lib/db/generated/client.ts";
import { startStudio, studioDatabaseUrl, type RunningStudio } from "../tests/helpers/studio.ts";
import { fitsWidth, launchBrowser, screenshot, signIn } from "./browser.ts";

let studio: RunningStudio;
let browser: Browser;

beforeAll(async () => {
  [studio, browser] = await Promise.all([startStudio(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await studio?.stop();
});

function studioDb(dataDir: string): PrismaClient {
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(dataDir) }) });
}

async function seedProject(db: PrismaClient): Promise<string> {
  const project = await db.project.create({
    data: {
      name: "Support ticket triage",
      description: "Route incoming support tickets to one of 18 queues.",
      proposerKind: "offline",
      suite: {
        create: {
          name: "ticket-triage",
          description: "Each task is a support ticket; answer with the queue name.",
          mode: "sequential",
          grader: { type: "normalized" },
          tasks: {
            create: Array.from({ length: 12 }, (_, i) => ({
              key: `t${i}`,
              split: i < 8 ? ("search" as const) : ("test" as const),
              position: i,
              input: `ticket ${i}`,
              expected: "billing",
            })),
          },
        },
      },
    },
  });
  const seed = await db.candidate.create({
    data: {
      projectId: project.id,
      number: 1,
      source: "export default {}",
      sha256: "a".repeat(64),
      origin: "seed",
      status: "valid",
    },
  });
  const iteration = await db.iteration.create({
    data: {
      projectId: project.id,
      number: 1,
      status: "done",
      stage: "done",
      proposerKind: "offline",
      simulated: true, // the offline proposer; the evaluations below are real: one project holds both kinds
      filesReadCount: 23,
      filesRead: [],
      inputTokens: 48210,
      outputTokens: 5120,
      costUsd: 0.31,
    },
  });
  const child = await db.candidate.create({
    data: {
      projectId: project.id,
      number: 2,
      source: "export default {}",
      sha256: "b".repeat(64),
      origin: "proposer",
      status: "valid",
      iterationId: iteration.id,
      iterationNumber: 1,
      parents: { create: [{ parentId: seed.id }] },
    },
  });
  await db.candidate.create({
    data: {
      projectId: project.id,
      number: 3,
      source: "export default {",
      sha256: "c".repeat(64),
      origin: "proposer",
      status: "rejected",
      rejectReason: "Does not compile: harness.ts:1:17: Unexpected end of file",
      iterationId: iteration.id,
      iterationNumber: 1,
    },
  });
  await db.evaluation.createMany({
    data: [
      {
        candidateId: seed.id,
        split: "search",
        model: "claude-sonnet-5-5", // the project's default model
        status: "done",
        score: 0.5,
        taskCount: 8,
        passedCount: 4,
        failedCount: 3,
        errorCount: 1,
        inputTokens: 12000,
        outputTokens: 800,
        costUsd: 0.05,
        durationMs: 8200,
        isolation: "process",
        finishedAt: new Date(),
      },
      {
        candidateId: child.id,
        split: "search",
        model: "claude-sonnet-5-5", // the project's default model
        status: "done",
        score: 0.875,
        taskCount: 8,
        passedCount: 7,
        failedCount: 1,
        inputTokens: 30000,
        outputTokens: 900,
        costUsd: 0.11,
        durationMs: 9100,
        isolation: "bubblewrap",
        simulated: true, // evaluated by the offline iteration; its test evaluation below is real
        finishedAt: new Date(),
      },
      {
        candidateId: child.id,
        split: "test",
        model: "claude-sonnet-5-5", // the project's default model
        status: "done",
        score: 0.75,
        taskCount: 4,
        passedCount: 3,
        failedCount: 1,
        inputTokens: 9000,
        outputTokens: 300,
        costUsd: 0.03,
        durationMs: 4000,
        isolation: "bubblewrap",
        finishedAt: new Date(),
      },
    ],
  });
  return project.id;
}

describe("projects pages", () => {
  it("shows a newcomer how to sign in, then, through the printed link, what to do when there are no projects", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    // Opening the studio from this same machine, without the secret: the login page explains.
    const login = await page.goto(studio.url);
    expect(login?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/login");
    await page.getByRole("heading", { name: "Sign in to Harness Studio" }).waitFor();
    const explained = await page.textContent("main");
    expect(explained).toContain("npx studio link");
    expect(explained).toContain(`${studio.dataDir}/studio-secret`);
    expect(explained).not.toContain(studio.secret);
    expect(await fitsWidth(page)).toBe(true);
    // Long lines (the link, the file path) scroll inside their boxes instead of leaving the card.
    expect(
      await page.locator("form").evaluate((form) => form.parentElement!.scrollWidth <= form.parentElement!.clientWidth),
    ).toBe(true);
    await screenshot(page, "login");

    // The link `npm start` printed: it signs in and leaves no secret in the address bar.
    expect(studio.output()).toContain(studio.signInUrl);
    const response = await page.goto(studio.signInUrl);
    expect(response?.status()).toBe(200);
    expect(page.url()).toBe(`${studio.url}/projects`);
    await page.getByRole("heading", { name: "No projects yet" }).waitFor();
    expect(await page.textContent("body")).toContain("npx studio project create");
    expect(await fitsWidth(page)).toBe(true);
    await screenshot(page, "projects-empty");
    await page.close();
  });

  it("lists projects and opens a project's overview and settings", async () => {
    const db = studioDb(studio.dataDir);
    const projectId = await seedProject(db);
    await db.$disconnect();

    for (const [colorScheme, width] of [
      ["light", 1280],
      ["dark", 1920],
    ] as const) {
      const page = await signIn(await browser.newPage({ viewport: { width, height: 900 }, colorScheme }), studio);
      await page.goto(`${studio.url}/projects`);
      expect(await page.textContent("table")).toContain("Support ticket triage");
      expect(await page.textContent("table")).toContain("87.5%");
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, `projects-list-${colorScheme}`);

      await page.getByRole("link", { name: "Support ticket triage" }).click();
      await page.waitForURL(`**/projects/${projectId}`);
      // Iterations and evaluations stream in below the table, after the page's first bytes.
      await page.getByRole("heading", { name: "Evaluations" }).waitFor();
      const body = await page.textContent("body");
      expect(body).toContain("Best search score");
      expect(body).toContain("87.5%");
      expect(body).toContain("75.0%"); // its test score
      expect(body).toContain("has simulated runs"); // the project holds both kinds, each run labelled
      expect(body).toContain("process only"); // the weaker isolation is named, not hidden
      expect(body).toContain("Files read");
      expect(body).toContain("process-level isolation only");
      expect(await fitsWidth(page)).toBe(true);
      await screenshot(page, `project-overview-${colorScheme}`);

      await page.getByRole("link", { name: "Settings", exact: true }).click();
      await page.waitForURL(`**/projects/${projectId}/settings`);
      expect(await page.textContent("body")).toContain("Candidates per iteration");
      await screenshot(page, `project-settings-${colorScheme}`);
      await page.close();
    }
  });

  it("answers an unknown project with a not-found page", async () => {
    const page = await signIn(await browser.newPage(), studio);
    const response = await page.goto(`${studio.url}/projects/does-not-exist`);
    expect(response?.status()).toBe(404);
    expect(await page.textContent("body")).toContain("Not found");
    await page.close();
  });
});
