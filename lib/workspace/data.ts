// What the workspace is built from, read from Postgres with narrow selects: lists never load
// harness sources, task inputs or trace bodies; those are read only for the files being written.
import { db, type FeedbackMode } from "../db/client.ts";
import { onProjectModel } from "../evaluations/model.ts";
import type { StoredFigures } from "../evaluations/figures.ts";
import { StudioError } from "../errors.ts";
import { hasSimulatedRuns } from "../projects/queries.ts";
import { readSettings, type ProjectSettings } from "../projects/settings.ts";
import type { GraderConfig } from "../suites/format.ts";
import { readStoredGrader } from "../suites/store.ts";

export interface WorkspaceProject {
  id: string;
  name: string;
  description: string;
  /** The model the harness calls through ctx.model. */
  model: string;
  proposerKind: string;
  candidatesPerIteration: number;
  /** Some of its runs are simulated; each evaluation says whether it is. */
  hasSimulatedRuns: boolean;
  settings: ProjectSettings;
  /** What the workspace holds of each task run: raw traces (the default), summaries, or scores only. */
  feedback: FeedbackMode;
  suite: {
    name: string;
    description: string;
    mode: "independent" | "sequential";
    grader: GraderConfig;
    passThreshold: number;
    timeoutMs: number;
  };
  /**
   * Search tasks in suite order (the stream order of sequential suites), `position` counted
   * within the search split (0, 1, 2…), so no gap shows where a held-out task sits.
   */
  searchTasks: { id: string; key: string; position: number }[];
}

export interface CandidateInfo {
  id: string;
  number: number;
  origin: string;
  status: "pending" | "valid" | "rejected";
  rejectReason: string | null;
  rationale: string | null;
  hypothesis: string | null;
  axis: string | null;
  iterationNumber: number | null;
  simulated: boolean;
  createdAt: Date;
  /** sha256 of the source: the source's version, so unchanged harness.ts files are not reloaded. */
  sha256: string;
  parents: { id: string; number: number }[];
}

/** A candidate's newest finished search evaluation: the one its scores and traces come from. */
export interface EvaluationInfo extends StoredFigures {
  id: string;
  candidateId: string;
  simulated: boolean;
  finishedAt: Date;
}

export interface TaskRunInfo {
  id: string;
  evaluationId: string;
  key: string;
  position: number;
  /** Which of its evaluation's trials of the task: 1, 2, … */
  trial: number;
  status: string;
  score: number | null;
  errorKind: string | null;
  errorMessage: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  durationMs: number | null;
  eventCount: number;
  finishedAt: Date | null;
  /** The stored harness audit (lib/audit), null for runs stored before it existed. */
  audit: unknown;
}

export async function loadProject(projectId: string, feedback?: FeedbackMode): Promise<WorkspaceProject> {
  const project = await db.project.findUnique({
    where: { id: projectId },
    select: {
      id: true,
      name: true,
      description: true,
      model: true,
      proposerKind: true,
      candidatesPerIteration: true,
      settings: true,
      suite: { select: { id: true, name: true, description: true, mode: true, grader: true, timeoutMs: true } },
    },
  });
  if (!project) throw new StudioError(`No project ${projectId}.`);
  const { suite } = project;
  if (!suite) throw new StudioError(`Project ${projectId} has no task suite.`);
  // The held-out split is sealed: not even its size is read.
  const searchTasks = await db.task.findMany({
    where: { suiteId: suite.id, split: "search" },
    orderBy: { position: "asc" },
    select: { id: true, key: true },
  });
  const { grader, passThreshold } = readStoredGrader(suite.grader);
  return {
    id: project.id,
    name: project.name,
    description: project.description,
    model: project.model,
    proposerKind: project.proposerKind,
    candidatesPerIteration: project.candidatesPerIteration,
    hasSimulatedRuns: await hasSimulatedRuns(projectId),
    settings: readSettings(project.settings),
    feedback: feedback ?? (await latestFeedback(projectId)),
    suite: {
      name: suite.name,
      description: suite.description,
      mode: suite.mode,
      grader,
      passThreshold,
      timeoutMs: suite.timeoutMs,
    },
    searchTasks: searchTasks.map((task, position) => ({ ...task, position })),
  };
}

/** Every candidate of the project, by number, without sources. */
export async function loadCandidates(projectId: string): Promise<CandidateInfo[]> {
  const rows = await db.candidate.findMany({
    where: { projectId },
    orderBy: { number: "asc" },
    select: {
      id: true,
      number: true,
      origin: true,
      status: true,
      rejectReason: true,
      rationale: true,
      hypothesis: true,
      axis: true,
      iterationNumber: true,
      simulated: true,
      createdAt: true,
      sha256: true,
      parents: { select: { parent: { select: { id: true, number: true } } } },
    },
  });
  return rows.map(({ parents, ...row }) => ({
    ...row,
    parents: parents.map(({ parent }) => parent).sort((a, b) => a.number - b.number),
  }));
}

/**
 * Per candidate, the newest search evaluation on the project's model that finished with status "done" (as the
 * leaderboards elsewhere in the studio count it): failed and cancelled evaluations are partial.
 * Test evaluations are never read: the held-out split is sealed from the proposer.
 */
export async function loadLatestSearchEvaluations(projectId: string): Promise<EvaluationInfo[]> {
  return db.$queryRaw<EvaluationInfo[]>`
    select distinct on (e."candidateId")
      e.id, e."candidateId", e.score, e."scoreLow", e."scoreHigh", e."taskCount", e.trials, e."passedCount", e."failedCount", e."errorCount",
      e."inputTokens", e."outputTokens", e."costUsd", e."durationMs", e.simulated, e."finishedAt"
    from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
    where c."projectId" = ${projectId} and e.split = 'search' and e.status = 'done' and e."finishedAt" is not null
      and ${onProjectModel}
    order by e."candidateId", e."finishedAt" desc, e."createdAt" desc, e.id desc`;
}

/** The task runs of some search evaluations, narrow: no output, no events. */
export async function loadTaskRuns(evaluationIds: string[]): Promise<TaskRunInfo[]> {
  if (evaluationIds.length === 0) return [];
  const rows = await db.taskRun.findMany({
    // The split condition is a second lock: a test evaluation's id passed here by mistake yields nothing.
    where: { evaluationId: { in: evaluationIds }, task: { split: "search" } },
    select: {
      id: true,
      evaluationId: true,
      trial: true,
      status: true,
      score: true,
      errorKind: true,
      errorMessage: true,
      inputTokens: true,
      outputTokens: true,
      costUsd: true,
      durationMs: true,
      eventCount: true,
      finishedAt: true,
      audit: true,
      task: { select: { key: true, position: true } }, // position only orders the runs; it is never written
    },
  });
  // Every row matched an evaluation id, so none is a check's.
  return rows.map(({ task, evaluationId, ...row }) => ({
    ...row,
    evaluationId: evaluationId ?? "",
    key: task.key,
    position: task.position,
  }));
}

export async function loadSources(candidateIds: string[]): Promise<Map<string, string>> {
  if (candidateIds.length === 0) return new Map();
  const rows = await db.candidate.findMany({ where: { id: { in: candidateIds } }, select: { id: true, source: true } });
  return new Map(rows.map((row) => [row.id, row.source]));
}

/**
 * Inputs of some search tasks, for tasks/<key>.json, with the names of the files their
 * environment starts with (the files themselves stay in the database: the harness finds them in
 * its working folder, the proposer only needs to know they exist).
 */
export async function loadTaskInputs(taskIds: string[]) {
  if (taskIds.length === 0) return [];
  return db.$queryRaw<{ id: string; key: string; input: unknown; meta: unknown; files: string[] }[]>`
    select t.id, t.key, t.input, t.meta,
      case when jsonb_typeof(t."envFiles") = 'object'
        then array(select jsonb_object_keys(t."envFiles") as name order by name) else '{}' end as files
    from "Task" t
    where t.id = any(${taskIds}::text[]) and t.split = 'search'`;
}

/** The feedback mode of the project's newest optimization (raw when it has none): what `studio export` lays out. */
async function latestFeedback(projectId: string): Promise<FeedbackMode> {
  const newest = await db.optimization.findFirst({
    where: { projectId },
    orderBy: { createdAt: "desc" },
    select: { feedback: true },
  });
  return newest?.feedback ?? "raw";
}
