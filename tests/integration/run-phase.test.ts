// What the progress API says a run is doing, phase by phase, as the run controls and every live
// page read it: the seed's scoring, an iteration, and the final check of the frontier on the
// held-out test split (once reported as "iteration 0"). And its revision, which moves whenever
// a candidate, evaluation or iteration changes, so open pages re-render.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { createProject } from "../../lib/projects/create.ts";
import { projectProgress } from "../../lib/projects/progress.ts";
import { progressLine } from "../../lib/projects/progress-line.ts";
import { createOptimization } from "../../lib/loop/optimization.ts";
import { prepareEvaluation } from "../../lib/evaluations/run.ts";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-run-phase-"));
fs.chmodSync(scratch, 0o755);
process.env.STUDIO_DATA_DIR = path.join(scratch, "data");

afterAll(async () => {
  await disconnectDb();
  fs.rmSync(scratch, { recursive: true, force: true });
});

async function newProject() {
  const dir = fs.mkdtempSync(path.join(scratch, "project-"));
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "phases", description: "Add.", mode: "independent", grader: { type: "numeric" } }),
  );
  const tasks = Array.from({ length: 6 }, (_, i) => ({
    id: `t${i}`,
    input: { a: i, b: 1 },
    expected: i + 1,
    split: i < 4 ? "search" : "test",
  }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(
    path.join(dir, "harness.ts"),
    "export default { async run(task: { input: { a: number; b: number } }) { return String(task.input.a + task.input.b); } };",
  );
  return createProject({
    suiteDir: path.join(dir, "suite"),
    harnessFile: path.join(dir, "harness.ts"),
    name: "phases",
  });
}

describe("run phases in the progress API", () => {
  it("reports the seed, an iteration and the final test check each by name, and moves its revision", async () => {
    const project = await newProject();
    const idle = await projectProgress(project.projectId);
    expect(idle.running).toBe(false);
    expect(idle.phase).toBeNull();

    const optimizationId = await createOptimization(project.projectId, 1, { kind: "offline" });
    const queued = await projectProgress(project.projectId);
    expect(queued.phase).toEqual({ kind: "waiting" });
    await db.optimization.update({ where: { id: optimizationId }, data: { status: "running" } });

    // The seed's search evaluation, before the first iteration.
    const seed = await prepareEvaluation(project.seedCandidateId, "search", { simulated: true });
    await db.evaluation.update({
      where: { id: seed.evaluationId },
      data: { status: "running", startedAt: new Date(), taskCount: 4, passedCount: 1 },
    });
    const seeding = await projectProgress(project.projectId);
    expect(seeding.phase).toEqual({ kind: "seed", candidateNumber: 1, tasksDone: 1, tasksTotal: 4, tokens: 0 });
    expect(seeding.iteration).toBeNull();
    expect(seeding.revision).not.toBe(queued.revision);
    await db.evaluation.update({ where: { id: seed.evaluationId }, data: { status: "done", finishedAt: new Date() } });
    const scored = await projectProgress(project.projectId);
    expect(scored.revision).not.toBe(seeding.revision);
    expect(scored.phase).toEqual({ kind: "waiting" });

    // The iteration: its own number, never 0.
    const iteration = await db.iteration.create({
      data: {
        projectId: project.projectId,
        optimizationId,
        number: 1,
        status: "running",
        stage: "proposing",
        proposerKind: "offline",
      },
    });
    const proposing = await projectProgress(project.projectId);
    expect(proposing.phase).toEqual({ kind: "iteration", number: 1 });
    expect(proposing.iteration).toMatchObject({ number: 1, stage: "proposing" });
    expect(proposing.revision).not.toBe(scored.revision);
    await db.iteration.update({ where: { id: iteration.id }, data: { stage: "validating" } });
    const validating = await projectProgress(project.projectId);
    expect(validating.revision).not.toBe(proposing.revision); // a new stage shows on the iteration list
    await db.iteration.update({ where: { id: iteration.id }, data: { status: "done", stage: "done" } });
    await db.optimization.update({ where: { id: optimizationId }, data: { iterationsDone: 1 } });

    // The final check of the frontier on the held-out split.
    const test = await prepareEvaluation(project.seedCandidateId, "test", { simulated: true });
    await db.evaluation.update({
      where: { id: test.evaluationId },
      data: { status: "running", startedAt: new Date(), taskCount: 2 },
    });
    const checking = await projectProgress(project.projectId);
    expect(checking.phase).toEqual({ kind: "test", candidateNumber: 1, tasksDone: 0, tasksTotal: 2, tokens: 0 });
    expect(checking.iteration).toBeNull();
    // (No worker holds this run's lease here, so the line ends by saying it waits for one.)
    expect(progressLine(checking)).toBe(
      "Final check on the held-out test split · candidate #1 · 0 of 2 tasks · waiting for a job worker to resume it",
    );

    // Over HTTP's JSON as well: nothing in it calls the check an iteration.
    const json = JSON.parse(JSON.stringify(checking)) as Record<string, unknown>;
    expect(json.iteration).toBeNull();
    expect(json.phase).toMatchObject({ kind: "test" });

    // Nothing changed: the same revision (pages do not re-render for nothing).
    expect((await projectProgress(project.projectId)).revision).toBe(checking.revision);
  });
});
