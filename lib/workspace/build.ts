// buildWorkspace: the proposer's file tree, rebuilt from the database (see README.md, written
// by readme.ts, for the layout as the proposer sees it). Candidates are processed in batches,
// so memory stays flat however many there are; unchanged files are neither reloaded nor
// rewritten. The test split is sealed: nothing of it is read (no evaluation, score, count, task
// run, trace or task), so nothing of it can reach a file the proposer reads. The feedback mode
// decides what stands for each task run: its raw trace (the default), the proposer model's
// summary of it, or nothing (scores only): see feedback.ts.
import type { FeedbackMode } from "../db/client.ts";
import type { CandidateInfo, EvaluationInfo, TaskRunInfo, WorkspaceProject } from "./data.ts";
import {
  loadCandidates,
  loadLatestSearchEvaluations,
  loadProject,
  loadSources,
  loadTaskInputs,
  loadTaskRuns,
} from "./data.ts";
import { frontier } from "../candidates/selection.ts";
import {
  FRONTIER,
  LEADERBOARD,
  PER_TASK_BEST,
  README,
  candidateDir,
  proposalsDir,
  summaryFile,
  taskFile,
  traceFile,
} from "./layout.ts";
import { renderReadme } from "./readme.ts";
import { auditedRuns } from "../audit/queries.ts";
import {
  renderAudit,
  renderFrontier,
  renderLeaderboard,
  renderMeta,
  renderPerTaskBest,
  renderReason,
  renderScores,
  renderTask,
  splitScores,
  type FrontierEntry,
  type Standing,
} from "./render.ts";
import { writeSummaries, type SummaryTarget } from "./summaries.ts";
import { writeTraces, TRACE_PAGE_BYTES, type TraceTarget } from "./traces.ts";
import { flakyTasks, meanScore, taskTrials } from "./trials.ts";
import { WorkspaceTree, type TreeStats } from "./tree.ts";

export interface BuildOptions {
  /** Also create proposals/<iteration>/, the folder the proposer of that iteration writes into. */
  iteration?: number;
  /** Body bytes per trace query; a tuning knob (tests make it tiny to exercise paging). */
  pageBytes?: number;
  /** What stands for each task run; by default the mode of the project's newest optimization (raw without one). */
  feedback?: FeedbackMode;
}

export type BuildResult = TreeStats;

/** Candidates whose task runs and sources are loaded together. */
const CANDIDATES_PER_BATCH = 50;
const TASKS_PER_BATCH = 200;

export async function buildWorkspace(projectId: string, dir: string, options: BuildOptions = {}): Promise<BuildResult> {
  const project = await loadProject(projectId, options.feedback);
  const { feedback } = project;
  const tree = await WorkspaceTree.open(dir, projectId);
  const [candidates, evaluations] = await Promise.all([
    loadCandidates(projectId),
    loadLatestSearchEvaluations(projectId),
  ]);
  const standings = standingsOf(candidates, evaluations);

  await tree.writeFile(README, renderReadme(project));
  await writeTasks(tree, project.searchTasks);

  const perTask = new Map<string, { passed: { number: number; id: string }[]; bestScore: number | null }>();
  let compared = 0;
  const flaky = new Map<string, string[]>(); // candidate id → its tasks whose trials disagree ("key 2/3")
  for (let start = 0; start < standings.length; start += CANDIDATES_PER_BATCH) {
    const batch = standings.slice(start, start + CANDIDATES_PER_BATCH);
    const runs = groupRuns(
      await loadTaskRuns(batch.flatMap((standing) => (standing.search ? [standing.search.evaluationId] : []))),
    );
    const stale = batch.filter(({ candidate }) => !tree.isCurrent(harnessFile(candidate), sourceVersion(candidate)));
    const sources = await loadSources(stale.map(({ candidate }) => candidate.id));
    for (const { candidate } of stale)
      await tree.writeVersion(harnessFile(candidate), sourceVersion(candidate), sources.get(candidate.id) ?? "");

    const traces: TraceTarget[] = [];
    const summaries: SummaryTarget[] = [];
    for (const standing of batch) {
      const { candidate, search } = standing;
      const rejected = candidate.status === "rejected";
      const searchRuns = search ? (runs.get(search.evaluationId) ?? []) : [];
      const folder = candidateDir(candidate.id, rejected);
      if (rejected) {
        await tree.writeFile(`${folder}/reason.md`, renderReason(candidate, search, feedback));
      } else {
        await tree.writeFile(`${folder}/meta.json`, renderMeta(candidate));
        await tree.writeFile(`${folder}/scores.json`, renderScores(candidate, standing, searchRuns, feedback));
        if (search) {
          compared++;
          for (const trials of taskTrials(searchRuns).values()) tally(perTask, candidate, trials);
          flaky.set(candidate.id, flakyTasks(searchRuns));
        }
      }
      // Scores mode: no trace and nothing in its place. The audit is read from the traces: beside them only.
      if (feedback === "raw") {
        if (search) await tree.writeFile(`${folder}/audit.json`, await auditFile(search.evaluationId, searchRuns));
        traces.push(...searchRuns.map((run) => traceTarget(candidate, run)));
      }
      if (feedback === "summary") summaries.push(...searchRuns.map((run) => summaryTarget(candidate, run)));
    }
    await writeTraces(tree, traces, options.pageBytes ?? TRACE_PAGE_BYTES);
    await writeSummaries(tree, summaries);
  }

  const points: FrontierEntry[] = standings
    .filter(({ candidate, search }) => candidate.status !== "rejected" && search?.score != null)
    .map(({ candidate, search }) => ({
      id: candidate.id,
      number: candidate.number,
      score: search!.score!,
      scoreLow: search!.scoreLow,
      scoreHigh: search!.scoreHigh,
      tokensPerTask: search!.tokensPerTask,
      costUsd: search!.costUsd,
    }));
  const best = frontier(points);
  await tree.writeFile(LEADERBOARD, renderLeaderboard(standings, new Set(best.map((point) => point.id)), flaky));
  await tree.writeFile(FRONTIER, renderFrontier(best));
  await tree.writeFile(PER_TASK_BEST, renderPerTaskBest(project.searchTasks, perTask, compared));

  if (options.iteration !== undefined) tree.ensureFolder(proposalsDir(options.iteration));
  return tree.finish();
}

function standingsOf(candidates: CandidateInfo[], evaluations: EvaluationInfo[]): Standing[] {
  const byCandidate = new Map(evaluations.map((evaluation) => [evaluation.candidateId, evaluation]));
  return candidates.map((candidate) => {
    const search = byCandidate.get(candidate.id);
    return { candidate, search: search ? splitScores(search) : null };
  });
}

/**
 * tasks/<key>.json for every search task, with its position within the search split. The
 * version names both, so a file is rewritten only if the suite's order were ever to change.
 */
async function writeTasks(tree: WorkspaceTree, tasks: WorkspaceProject["searchTasks"]): Promise<void> {
  for (let start = 0; start < tasks.length; start += TASKS_PER_BATCH) {
    const batch = tasks.slice(start, start + TASKS_PER_BATCH);
    const position = new Map(batch.map((task) => [task.id, task.position]));
    const version = (task: { id: string }) => `task:${task.id}@${position.get(task.id)}`;
    const stale = batch.filter((task) => !tree.isCurrent(taskFile(task.key), version(task)));
    for (const task of await loadTaskInputs(stale.map((item) => item.id))) {
      await tree.writeVersion(
        taskFile(task.key),
        version(task),
        renderTask({ ...task, position: position.get(task.id)! }),
      );
    }
  }
}

/** audit.json from the stored per-task-run audits (a run stored before the audit existed is audited now). */
async function auditFile(evaluationId: string, runs: TaskRunInfo[]): Promise<string> {
  const audited = await auditedRuns(runs);
  return renderAudit(
    evaluationId,
    runs.map((run, index) => ({ ...run, audited: audited[index].audit })),
  );
}

function harnessFile(candidate: CandidateInfo): string {
  return `${candidateDir(candidate.id, candidate.status === "rejected")}/harness.ts`;
}

function sourceVersion(candidate: CandidateInfo): string {
  return `source:${candidate.sha256}`;
}

/** A trace changes only with its task run: a finished run of a done evaluation is never rewritten. */
function traceTarget(candidate: CandidateInfo, run: TaskRunInfo): TraceTarget {
  return {
    taskRunId: run.id,
    file: traceFile(candidate.id, run.key, candidate.status === "rejected", run.trial),
    version: `run:${run.evaluationId}/${run.id}/${run.finishedAt?.toISOString() ?? "unfinished"}/${run.eventCount}`,
  };
}

function summaryTarget(candidate: CandidateInfo, run: TaskRunInfo): SummaryTarget {
  return {
    taskRunId: run.id,
    key: run.key,
    file: summaryFile(candidate.id, run.key, candidate.status === "rejected", run.trial),
  };
}

function groupRuns(runs: TaskRunInfo[]): Map<string, TaskRunInfo[]> {
  const grouped = new Map<string, TaskRunInfo[]>();
  for (const run of runs) {
    const list = grouped.get(run.evaluationId);
    if (list) list.push(run);
    else grouped.set(run.evaluationId, [run]);
  }
  for (const list of grouped.values()) list.sort((a, b) => a.position - b.position);
  return grouped;
}

/** A candidate passes a task when every trial of it passed; the task's score is its mean over its trials. */
function tally(
  perTask: Map<string, { passed: { number: number; id: string }[]; bestScore: number | null }>,
  candidate: CandidateInfo,
  trials: TaskRunInfo[],
): void {
  const key = trials[0].key;
  const entry = perTask.get(key) ?? { passed: [], bestScore: null };
  if (trials.every((run) => run.status === "passed")) entry.passed.push({ number: candidate.number, id: candidate.id });
  const score = meanScore(trials);
  if (score !== null && (entry.bestScore === null || score > entry.bestScore)) entry.bestScore = score;
  perTask.set(key, entry);
}
