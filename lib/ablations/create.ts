// A feedback ablation (issue #15): the same seed, suite, settings and budget optimized once per
// feedback mode (raw traces, scores + summaries, scores only), to see on one's own task whether
// the method's finding holds (raw 50.0, summaries 34.9, scores 34.6: search-set medians).
//
// Each mode runs in a sibling project copied from the source: a project has one line of
// candidates, and the workspace a proposer reads lays out every candidate of its project. Three
// optimizations in one project would show each mode the others' candidates (and, through their
// sources and rationales, what the traces taught the raw arm), so the arms would not be apart.
// Siblings keep each arm's workspace to its own candidates with no change to the workspace, the
// loop or the pages; the ablation id links them for the comparison page.
import { db, Prisma, type FeedbackMode } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { currentInstructions } from "../instructions/versions.ts";
import { enqueue, QUEUES } from "../jobs/queue.ts";
import { FEEDBACK_MODES } from "../loop/feedback.ts";
import { createOptimization } from "../loop/optimization.ts";
import { modelConfigured } from "../offline/upstream.ts";
import { refuseUnpricedStart } from "../prices/budgets.ts";
import { noSuchProject } from "../projects/queries.ts";

export interface AblationArm {
  feedback: FeedbackMode;
  projectId: string;
  optimizationId: string;
}

export interface StartedAblation {
  ablationId: string;
  offline: boolean;
  arms: AblationArm[];
}

/** The sibling project's name for one mode. */
export function armName(projectName: string, feedback: FeedbackMode): string {
  return `${projectName} · feedback ${feedback}`;
}

/**
 * Copies the project once per mode and starts one optimization of `iterations` in each, queued
 * for the job worker (never run in the request). `offline` defaults to whether the server has no key.
 */
export async function startAblation(
  projectId: string,
  iterations: number,
  offline = !modelConfigured(),
): Promise<StartedAblation> {
  if (!Number.isInteger(iterations) || iterations < 1 || iterations > 100)
    throw new StudioError("Iterations must be a whole number from 1 to 100.", { code: "invalid" });
  if (!offline && !modelConfigured())
    throw new StudioError("No model API key is set on the server: run offline, or set ANTHROPIC_API_KEY.", {
      code: "conflict",
    });
  // Refused before anything is copied, as each arm's start would refuse it (same models, same settings).
  await refuseUnpricedStart(projectId, offline ? undefined : {});
  const { ablationId, projects } = await copyProject(projectId, iterations, offline);
  const arms: AblationArm[] = [];
  for (const { feedback, projectId: armProjectId } of projects) {
    const optimizationId = await createOptimization(armProjectId, iterations, { offline }, feedback);
    await enqueue(QUEUES.optimize, { optimizationId });
    arms.push({ feedback, projectId: armProjectId, optimizationId });
  }
  return { ablationId, offline, arms };
}

/** One transaction: the ablation and a sibling per mode, each with the suite, the seed, the settings and the instructions. */
async function copyProject(projectId: string, iterations: number, offline: boolean) {
  const source = await db.project.findUnique({
    where: { id: projectId },
    select: {
      name: true,
      description: true,
      model: true,
      proposerKind: true,
      proposerModel: true,
      proposerCommand: true,
      candidatesPerIteration: true,
      settings: true,
      suite: true,
      candidates: {
        where: { origin: "seed" },
        orderBy: { number: "asc" },
        take: 1,
        select: { number: true, source: true, sha256: true },
      },
    },
  });
  if (!source) throw noSuchProject(projectId);
  const seed = source.candidates[0];
  if (!source.suite || !seed)
    throw new StudioError("This project has no task suite or seed harness to copy.", { code: "conflict" });
  const instructions = await currentInstructions(projectId);
  const suite = source.suite;
  return db.$transaction(
    async (tx) => {
      const ablation = await tx.ablation.create({
        data: { sourceProjectId: projectId, name: source.name, iterations, simulated: offline },
        select: { id: true },
      });
      const projects: { feedback: FeedbackMode; projectId: string }[] = [];
      for (const feedback of FEEDBACK_MODES) {
        const project = await tx.project.create({
          data: {
            name: armName(source.name, feedback),
            description: source.description,
            model: source.model,
            proposerKind: source.proposerKind,
            proposerModel: source.proposerModel,
            proposerCommand: source.proposerCommand,
            candidatesPerIteration: source.candidatesPerIteration,
            settings: source.settings as Prisma.InputJsonValue,
            ablationId: ablation.id,
          },
          select: { id: true },
        });
        const copy = await tx.taskSuite.create({
          data: {
            projectId: project.id,
            name: suite.name,
            description: suite.description,
            mode: suite.mode,
            grader: suite.grader as Prisma.InputJsonValue,
            graderSource: suite.graderSource,
            timeoutMs: suite.timeoutMs,
          },
          select: { id: true },
        });
        // In the database: a suite of thousands of tasks never passes through this process.
        await tx.$executeRaw`
          insert into "Task" (id, "suiteId", key, split, position, input, expected, meta, "envFiles")
          select gen_random_uuid()::text, ${copy.id}, key, split, position, input, expected, meta, "envFiles"
          from "Task" where "suiteId" = ${suite.id}`;
        await tx.candidate.create({
          data: {
            projectId: project.id,
            number: 1,
            source: seed.source,
            sha256: seed.sha256,
            origin: "seed",
            status: "valid",
            rationale: `Seed harness of ${source.name} (candidate #${seed.number}), copied for a feedback ablation.`,
          },
        });
        await tx.instructionVersion.create({
          data: {
            projectId: project.id,
            version: 1,
            text: instructions.text,
            note: `Copied from ${source.name} (version ${instructions.version}) for a feedback ablation`,
          },
        });
        projects.push({ feedback, projectId: project.id });
      }
      return { ablationId: ablation.id, projects };
    },
    { timeout: 60_000 },
  );
}
