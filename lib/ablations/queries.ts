// The comparison page's read model: per feedback mode, the best search score against iteration,
// the tokens spent, the files the proposer read in each iteration, and the final frontier.
import { db, type FeedbackMode } from "../db/client.ts";
import { getCandidateCharts, type CandidateCharts } from "../candidates/queries.ts";
import { FEEDBACK_MODES } from "../loop/feedback.ts";
import { readStop, stopInWords } from "../loop/stop.ts";

export interface ArmIteration {
  number: number;
  status: string;
  filesRead: number;
  proposerTokens: number;
  proposerCostUsd: number | null;
  /** Of the proposer's tokens, those its trace summaries took (summary mode). */
  summaryTokens: number;
}

export interface Arm {
  feedback: FeedbackMode;
  project: { id: string; name: string };
  optimization: {
    id: string;
    status: string;
    iterationsDone: number;
    iterationsRequested: number;
    stop: string | null;
    error: string | null;
  } | null;
  progress: CandidateCharts["progress"];
  frontier: CandidateCharts["frontier"];
  iterations: ArmIteration[];
  tokens: { proposer: number; evaluations: number };
  costUsd: { proposer: number | null; evaluations: number | null };
}

export interface AblationView {
  id: string;
  name: string;
  iterations: number;
  simulated: boolean;
  createdAt: Date;
  sourceProjectId: string | null;
  arms: Arm[];
}

export async function getAblation(ablationId: string): Promise<AblationView | null> {
  const ablation = await db.ablation.findUnique({
    where: { id: ablationId },
    select: {
      id: true,
      name: true,
      iterations: true,
      simulated: true,
      createdAt: true,
      sourceProjectId: true,
      projects: { select: { id: true, name: true } },
    },
  });
  if (!ablation) return null;
  const arms = await Promise.all(ablation.projects.map((project) => armOf(project)));
  const present = arms.filter((arm): arm is Arm => arm !== null);
  present.sort((a, b) => FEEDBACK_MODES.indexOf(a.feedback) - FEEDBACK_MODES.indexOf(b.feedback));
  const { projects: _projects, ...rest } = ablation;
  return { ...rest, arms: present };
}

/** A project's ablations (made from it, or the one it is an arm of), newest first: the overview links to their comparisons. */
export async function projectAblations(projectId: string) {
  const [project, ablations] = await Promise.all([
    db.project.findUnique({ where: { id: projectId }, select: { ablationId: true } }),
    db.ablation.findMany({
      where: { OR: [{ sourceProjectId: projectId }, { projects: { some: { id: projectId } } }] },
      orderBy: { createdAt: "desc" },
      select: { id: true, name: true, iterations: true, createdAt: true, simulated: true },
      take: 10,
    }),
  ]);
  return {
    isArm: Boolean(project?.ablationId),
    ablations: ablations.map((ablation) => ({ ...ablation, createdAt: ablation.createdAt.toISOString() })),
  };
}

async function armOf(project: { id: string; name: string }): Promise<Arm | null> {
  const [optimization, charts, iterations, evaluations] = await Promise.all([
    db.optimization.findFirst({
      where: { projectId: project.id },
      orderBy: { createdAt: "asc" },
      select: {
        id: true,
        status: true,
        feedback: true,
        iterationsDone: true,
        iterationsRequested: true,
        stopKind: true,
        stopReason: true,
        error: true,
      },
    }),
    getCandidateCharts(project.id),
    db.iteration.findMany({
      where: { projectId: project.id },
      orderBy: { number: "asc" },
      select: {
        number: true,
        status: true,
        filesReadCount: true,
        inputTokens: true,
        outputTokens: true,
        costUsd: true,
        summaries: { select: { inputTokens: true, outputTokens: true } },
      },
    }),
    db.evaluation.aggregate({
      where: { candidate: { projectId: project.id } },
      _sum: { inputTokens: true, outputTokens: true, costUsd: true },
      _count: { costUsd: true, _all: true },
    }),
  ]);
  if (!optimization) return null; // not started yet: nothing to compare
  const armIterations = iterations.map((iteration) => ({
    number: iteration.number,
    status: iteration.status,
    filesRead: iteration.filesReadCount,
    proposerTokens: iteration.inputTokens + iteration.outputTokens,
    proposerCostUsd: iteration.costUsd,
    summaryTokens: iteration.summaries.reduce((sum, row) => sum + row.inputTokens + row.outputTokens, 0),
  }));
  const proposerUnpriced = armIterations.some((iteration) => iteration.proposerCostUsd === null);
  const evaluationsUnpriced = evaluations._count.costUsd < evaluations._count._all;
  const stop = readStop(optimization);
  return {
    feedback: optimization.feedback,
    project,
    optimization: {
      id: optimization.id,
      status: optimization.status,
      iterationsDone: optimization.iterationsDone,
      iterationsRequested: optimization.iterationsRequested,
      stop: stopInWords(stop),
      error: optimization.error,
    },
    progress: charts.progress,
    frontier: charts.frontier,
    iterations: armIterations,
    tokens: {
      proposer: armIterations.reduce((sum, iteration) => sum + iteration.proposerTokens, 0),
      evaluations: (evaluations._sum.inputTokens ?? 0) + (evaluations._sum.outputTokens ?? 0),
    },
    costUsd: {
      proposer: proposerUnpriced
        ? null
        : armIterations.reduce((sum, iteration) => sum + (iteration.proposerCostUsd ?? 0), 0),
      evaluations: evaluationsUnpriced ? null : (evaluations._sum.costUsd ?? 0),
    },
  };
}
