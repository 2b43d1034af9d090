// The feedback ablation's modes, checked on the folder the loop really builds. A small ticket
// suite runs offline (the offline model and proposer, marked simulated):
// - scores: the workspace holds no trace file and no summary anywhere; the proposer still works;
// - summary: one summary per task run, written by the (offline) proposer model through the
//   iteration's recording proxy, counted in the iteration's proposer tokens, cached: a second
//   summarize-and-build makes no new model call.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { createProject } from "../../lib/projects/create.ts";
import { createOptimization, runOptimization } from "../../lib/loop/optimization.ts";
import { workspaceDir } from "../../lib/iterations/run.ts";
import { refreshWorkspace } from "../../lib/iterations/summaries.ts";
import { buildWorkspace } from "../../lib/workspace/build.ts";
import { readSettings } from "../../lib/projects/settings.ts";
import { offlineUpstream } from "../../lib/offline/upstream.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-feedback-test-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");

const EXAMPLE = path.resolve(import.meta.dirname, "../../examples/text-classification");

/** Eight search and two test tickets of the bundled example, as independent tasks. */
function smallSuite(): string {
  const dir = fs.mkdtempSync(path.join(scratch, "suite-"));
  const lines = fs.readFileSync(path.join(EXAMPLE, "tasks.jsonl"), "utf8").trim().split("\n");
  const tasks = lines.map((line) => JSON.parse(line) as { split: string });
  const picked = [
    ...tasks.filter((task) => task.split === "search").slice(0, 8),
    ...tasks.filter((task) => task.split === "test").slice(0, 2),
  ];
  fs.writeFileSync(path.join(dir, "tasks.jsonl"), picked.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(
    path.join(dir, "suite.json"),
    JSON.stringify({
      name: "Tickets",
      description: "Label each support ticket with one of task.input.labels.",
      mode: "independent",
      grader: { type: "normalized" },
      timeoutMs: 30_000,
    }),
  );
  fs.copyFileSync(path.join(EXAMPLE, "harness.ts"), path.join(dir, "harness.ts"));
  return dir;
}

/** Every file under `dir`, relative, posix. */
function filesUnder(dir: string, relative = ""): string[] {
  return fs.readdirSync(path.join(dir, relative), { withFileTypes: true }).flatMap((entry) => {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    return entry.isDirectory() ? filesUnder(dir, child) : [child];
  });
}

async function optimizeOffline(feedback: "scores" | "summary") {
  const suite = smallSuite();
  const { projectId } = await createProject({ suiteDir: suite, harnessFile: path.join(suite, "harness.ts") });
  const optimizationId = await createOptimization(projectId, 1, { offline: true }, feedback);
  const result = await runOptimization(optimizationId);
  expect(result.status, JSON.stringify(result)).toBe("done");
  const iteration = await db.iteration.findFirstOrThrow({ where: { projectId, number: 1 } });
  expect(iteration.status).toBe("done");
  return { projectId, iteration, dir: workspaceDir(projectId) };
}

afterAll(async () => {
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe("feedback modes", () => {
  it("scores: the built workspace holds no trace files, and the offline proposer still proposes", async () => {
    const { projectId, iteration, dir } = await optimizeOffline("scores");
    const files = filesUnder(dir).filter((file) => !file.startsWith(".studio/"));
    const seed = await db.candidate.findFirstOrThrow({ where: { projectId, origin: "seed" } });
    // The workspace is real: sources and per-task scores of the seed are there...
    expect(files).toContain(`candidates/${seed.id}/harness.ts`);
    const scores = JSON.parse(fs.readFileSync(path.join(dir, `candidates/${seed.id}/scores.json`), "utf8"));
    expect(scores.tasks).toHaveLength(8);
    // ...but no trace, no summary, and no task line names one.
    expect(files.filter((file) => file.endsWith(".jsonl") || /\/(traces|summaries)\//.test(file))).toEqual([]);
    expect(scores.tasks.filter((task: object) => "trace" in task || "summary" in task)).toEqual([]);
    const readme = fs.readFileSync(path.join(dir, "README.md"), "utf8");
    expect(readme).toContain("Feedback in this workspace: scores only");
    expect(readme).not.toContain("## The trace format");
    // What it read is recorded, and none of it is a trace.
    expect(iteration.filesRead.length).toBeGreaterThan(0);
    expect(iteration.filesRead.filter((file) => file.includes("trace"))).toEqual([]);
    expect(await db.candidate.count({ where: { projectId, iterationId: iteration.id } })).toBeGreaterThan(0);
    expect(await db.traceSummary.count({ where: { taskRun: { task: { suite: { projectId } } } } })).toBe(0);

    // The same project built raw does hold traces: the check above could fail.
    const raw = path.join(scratch, "raw-build");
    await buildWorkspace(projectId, raw, { feedback: "raw" });
    expect(filesUnder(raw).filter((file) => file.endsWith(".jsonl")).length).toBeGreaterThanOrEqual(8);
  });

  it("summary: one cached summary per task run, written through the proposer's proxy and counted in the iteration", async () => {
    const { projectId, iteration, dir } = await optimizeOffline("summary");
    const files = filesUnder(dir).filter((file) => !file.startsWith(".studio/"));
    expect(files.filter((file) => file.endsWith(".jsonl"))).toEqual([]);

    // One summary file per task line of each scored candidate, and one stored summary per task run.
    const seed = await db.candidate.findFirstOrThrow({ where: { projectId, origin: "seed" } });
    const scores = JSON.parse(fs.readFileSync(path.join(dir, `candidates/${seed.id}/scores.json`), "utf8"));
    const summaryFiles = files.filter((file) => file.startsWith(`candidates/${seed.id}/summaries/`));
    expect(summaryFiles.sort()).toEqual(
      scores.tasks.map((task: { summary: string }) => `candidates/${seed.id}/${task.summary}`).sort(),
    );
    expect(summaryFiles).toHaveLength(8);
    const text = fs.readFileSync(path.join(dir, summaryFiles[0]), "utf8");
    expect(text).toContain("simulated: the studio's offline model");
    expect(text).toMatch(/\d+ events: /); // the offline model's summary (RULES.md, Rule 4)
    expect(fs.readFileSync(path.join(dir, "README.md"), "utf8")).toContain("summaries, not traces");

    const summaries = await db.traceSummary.findMany({ where: { iterationId: iteration.id } });
    const seedRuns = await db.taskRun.count({ where: { evaluation: { candidateId: seed.id, split: "search" } } });
    expect(summaries).toHaveLength(seedRuns); // iteration 1 saw only the seed's task runs
    expect(summaries.every((summary) => summary.simulated && summary.inputTokens > 0)).toBe(true);

    // Each summary was a recorded model call of the iteration's transcript, and its tokens are the proposer's.
    const calls = await db.traceEvent.findMany({ where: { iterationId: iteration.id, kind: "model_call" } });
    expect(calls).toHaveLength(summaries.length);
    const summaryTokens = summaries.reduce((sum, row) => sum + row.inputTokens + row.outputTokens, 0);
    expect(iteration.inputTokens + iteration.outputTokens).toBeGreaterThanOrEqual(summaryTokens);
    // Priced like the proposer's other calls (the proposer model's price), and in the iteration's cost.
    const summaryCost = summaries.reduce((sum, row) => sum + (row.costUsd ?? NaN), 0);
    expect(summaryCost).toBeGreaterThan(0);
    expect(iteration.costUsd).toBeGreaterThanOrEqual(summaryCost - 1e-12);
    expect(iteration.filesRead.some((file) => file.includes("/summaries/"))).toBe(true);

    // Cached: summarizing and building again makes no model call and changes no summary.
    const settings = readSettings((await db.project.findUniqueOrThrow({ where: { id: projectId } })).settings);
    const upstreamUrl = await offlineUpstream();
    const project = await db.project.findUniqueOrThrow({ where: { id: projectId } });
    // Every search task run shown now (the seed's and iteration 1's candidates') gets one; then none more.
    await refreshWorkspace(iteration, dir, "summary", {
      model: project.proposerModel,
      settings,
      run: { upstreamUrl, apiKey: null, settings },
    });
    const before = await db.traceEvent.count({ where: { iterationId: iteration.id, kind: "model_call" } });
    // This project's summaries only: other files may write theirs to the same database meanwhile.
    const projectSummaries = () => db.traceSummary.count({ where: { taskRun: { task: { suite: { projectId } } } } });
    const stored = await projectSummaries();
    await refreshWorkspace(iteration, dir, "summary", {
      model: project.proposerModel,
      settings,
      run: { upstreamUrl, apiKey: null, settings },
    });
    expect(await db.traceEvent.count({ where: { iterationId: iteration.id, kind: "model_call" } })).toBe(before);
    expect(await projectSummaries()).toBe(stored);
  });
});
