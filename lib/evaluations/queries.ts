// Read model for evaluations: the overview's list, a candidate's newest evaluation per split,
// its task results by outcome, and which tasks flipped between two evaluations.
import { comparePaired, type PairedComparison } from "./paired.ts";
import { db, Prisma } from "../db/client.ts";
import { storedFiguresSelect, type StoredFigures } from "./figures.ts";

/** An evaluation as the pages list it: its stored figures (figures.ts) and what it was. */
export interface EvaluationBrief extends StoredFigures {
  id: string;
  split: "search" | "test";
  /** The task model it ran with. */
  model: string;
  status: string;
  isolation: string | null;
  memoryLimit: string | null;
  simulated: boolean;
  /** Why it failed, when it did. */
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
  /** The last OTLP export (lib/otlp): "exported", "failed", or null when never exported. */
  otlpExportStatus: string | null;
  otlpExportError: string | null;
  otlpExportSpans: number | null;
  otlpExportedAt: Date | null;
}

const evaluationBriefSelect = {
  id: true,
  split: true,
  model: true,
  status: true,
  ...storedFiguresSelect,
  isolation: true,
  memoryLimit: true,
  simulated: true,
  error: true,
  createdAt: true,
  finishedAt: true,
  otlpExportStatus: true,
  otlpExportError: true,
  otlpExportSpans: true,
  otlpExportedAt: true,
} as const;

/** An evaluation in the overview's list: its brief, and whose it is. */
export interface EvaluationRow extends EvaluationBrief {
  candidateId: string;
  candidateNumber: number;
}

export async function listEvaluations(projectId: string, limit = 20): Promise<EvaluationRow[]> {
  const rows = await db.evaluation.findMany({
    where: { candidate: { projectId } },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: {
      ...evaluationBriefSelect,
      candidate: { select: { id: true, number: true } },
    },
  });
  return rows.map(({ candidate, ...row }) => ({
    ...row,
    candidateId: candidate.id,
    candidateNumber: candidate.number,
  }));
}

/**
 * The newest evaluation of a candidate on each split (any status) with `model` (default: its
 * project's model), and whether one ever finished.
 */
export async function getCandidateEvaluations(
  candidateId: string,
  model?: string,
): Promise<Record<"search" | "test", { newest: EvaluationBrief | null; done: EvaluationBrief | null }>> {
  model ??= (
    await db.candidate.findUnique({ where: { id: candidateId }, select: { project: { select: { model: true } } } })
  )?.project.model;
  const result: Record<"search" | "test", { newest: EvaluationBrief | null; done: EvaluationBrief | null }> = {
    search: { newest: null, done: null },
    test: { newest: null, done: null },
  };
  for (const split of ["search", "test"] as const) {
    const [newest, done] = await Promise.all([
      db.evaluation.findFirst({
        where: { candidateId, split, model },
        orderBy: { createdAt: "desc" },
        select: evaluationBriefSelect,
      }),
      db.evaluation.findFirst({
        where: { candidateId, split, model, status: "done" },
        orderBy: { finishedAt: "desc" },
        select: evaluationBriefSelect,
      }),
    ]);
    result[split] = { newest, done };
  }
  return result;
}

export type TaskOutcome = "passed" | "failed" | "error";

/** One trial of a task: one task run, with its trace. */
export interface TrialResult {
  taskRunId: string;
  /** 1, 2, … */
  trial: number;
  status: string;
  score: number | null;
  errorKind: string | null;
  errorMessage: string | null;
  outputPreview: string | null;
  tokens: number;
  durationMs: number | null;
}

/** A task of an evaluation: its trials side by side, and its score (their mean). */
export interface TaskResultRow {
  taskKey: string;
  position: number;
  /** The mean over its finished trials; null before one finished. */
  score: number | null;
  inputPreview: string;
  expectedPreview: string;
  /** In trial order. */
  trials: TrialResult[];
}

/** How many tasks a page of the candidate page's task results shows. */
export const TASK_RESULTS_PAGE = 50;

const FINISHED = new Set(["passed", "failed", "error"]);

/**
 * An evaluation's tasks in suite order, a page of tasks at a time, each with all its trials;
 * with an outcome, the tasks with at least one trial of it. Short previews only (full bodies
 * live on the trace page).
 */
export async function listTaskResults(
  evaluationId: string,
  outcome: TaskOutcome | null = null,
  page: { offset: number; limit: number } = { offset: 0, limit: TASK_RESULTS_PAGE },
): Promise<TaskResultRow[]> {
  const rows = await db.$queryRaw<
    {
      id: string;
      trial: number;
      key: string;
      position: number;
      status: string;
      score: number | null;
      error_kind: string | null;
      error_message: string | null;
      input_preview: string | null;
      output_preview: string | null;
      expected_preview: string | null;
      tokens: number;
      duration_ms: number | null;
    }[]
  >`
    with matching as (
      select distinct r."taskId" from "TaskRun" r
      where r."evaluationId" = ${evaluationId} and (${outcome}::text is null or r.status::text = ${outcome}::text)
    ), page as (
      select t.id, t.key, t.position, t.input, t.expected from "Task" t join matching m on m."taskId" = t.id
      order by t.position limit ${page.limit} offset ${page.offset}
    )
    select r.id, r.trial, t.key, t.position, r.status::text as status, r.score, r."errorKind" as error_kind, left(r."errorMessage", 240) as error_message,
      left(t.input #>> '{}', 160) as input_preview, left(r.output #>> '{}', 160) as output_preview, left(t.expected #>> '{}', 80) as expected_preview,
      (r."inputTokens" + r."outputTokens")::int as tokens, r."durationMs" as duration_ms
    from page t join "TaskRun" r on r."taskId" = t.id and r."evaluationId" = ${evaluationId}
    order by t.position, r.trial`;
  const tasks: TaskResultRow[] = [];
  for (const row of rows) {
    let task = tasks.at(-1);
    if (task?.position !== row.position) {
      task = {
        taskKey: row.key,
        position: row.position,
        score: null,
        inputPreview: row.input_preview ?? "",
        expectedPreview: row.expected_preview ?? "",
        trials: [],
      };
      tasks.push(task);
    }
    task.trials.push({
      taskRunId: row.id,
      trial: row.trial,
      status: row.status,
      score: row.score,
      errorKind: row.error_kind,
      errorMessage: row.error_message,
      outputPreview: row.output_preview,
      tokens: row.tokens,
      durationMs: row.duration_ms,
    });
  }
  for (const task of tasks) {
    const finished = task.trials.filter((trial) => FINISHED.has(trial.status));
    task.score = finished.length
      ? finished.reduce((sum, trial) => sum + (trial.score ?? 0), 0) / finished.length
      : null;
  }
  return tasks;
}

/**
 * Tasks per trial outcome of an evaluation: { passed: 12, failed: 3, … }, each task counted
 * under every status one of its trials has (with one trial, the task runs per status).
 */
export async function countTaskResults(evaluationId: string): Promise<Record<string, number>> {
  const rows = await db.$queryRaw<{ status: string; count: number }[]>`
    select status::text as status, count(distinct "taskId")::int as count from "TaskRun"
    where "evaluationId" = ${evaluationId} group by status`;
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}

export type OutcomeChange = "fixed" | "broken" | "changed";

/**
 * One side of a flipped task: its run (the first trial), and what it answered (or why it
 * errored), cut to OUTCOME_TEXT_CHARS. With trials, the task's status is "passed" when every
 * trial passed, "error" when every trial errored, else "failed"; its score is their mean.
 */
export interface OutcomeSide {
  taskRunId: string;
  status: string;
  score: number | null;
  /** Trials passed, of `trials`. */
  passed: number;
  trials: number;
  output: string | null;
  error: string | null;
}

export interface OutcomeDiffRow {
  taskKey: string;
  position: number;
  change: OutcomeChange;
  expected: string;
  a: OutcomeSide;
  b: OutcomeSide;
}

/** How much of an output, an error or an expected answer the diff page shows; the trace has the rest. */
export const OUTCOME_TEXT_CHARS = 600;

export interface OutcomeDiff {
  rows: OutcomeDiffRow[];
  counts: {
    fixed: number;
    broken: number;
    changed: number;
    samePassed: number;
    sameNotPassed: number;
    unfinished: number;
    compared: number;
  };
  /** B against A over the tasks both finished: the difference, and whether it is more than noise. */
  comparison: PairedComparison | null;
}

/**
 * How two evaluations' task outcomes differ, task by task: fixed (not passed → passed),
 * broken (passed → not passed), changed (failed ↔ error). Unfinished tasks (a trial still
 * pending) are counted, not compared. The paired test pairs each task's means over its trials.
 */
export async function diffTaskOutcomes(evaluationA: string, evaluationB: string): Promise<OutcomeDiff> {
  const rows = await db.$queryRaw<
    {
      key: string;
      position: number;
      expected: string | null;
      a_id: string;
      a_status: string;
      a_score: number | null;
      a_passed: number;
      a_trials: number;
      a_output: string | null;
      a_error: string | null;
      b_id: string;
      b_status: string;
      b_score: number | null;
      b_passed: number;
      b_trials: number;
      b_output: string | null;
      b_error: string | null;
    }[]
  >`
    with a as (${taskOutcomes(evaluationA)}), b as (${taskOutcomes(evaluationB)})
    select t.key, t.position, left(t.expected #>> '{}', ${OUTCOME_TEXT_CHARS}) as expected,
      a.id as a_id, a.status as a_status, a.score as a_score, a.passed as a_passed, a.trials as a_trials,
      left(a.output, ${OUTCOME_TEXT_CHARS}) as a_output, left(a.error, ${OUTCOME_TEXT_CHARS}) as a_error,
      b.id as b_id, b.status as b_status, b.score as b_score, b.passed as b_passed, b.trials as b_trials,
      left(b.output, ${OUTCOME_TEXT_CHARS}) as b_output, left(b.error, ${OUTCOME_TEXT_CHARS}) as b_error
    from a join b on b."taskId" = a."taskId" join "Task" t on t.id = a."taskId"
    order by t.position`;
  const finished = new Set(["passed", "failed", "error"]);
  const counts = { fixed: 0, broken: 0, changed: 0, samePassed: 0, sameNotPassed: 0, unfinished: 0, compared: 0 };
  const changed: OutcomeDiffRow[] = [];
  const pairs: [number, number][] = [];
  for (const row of rows) {
    if (!finished.has(row.a_status) || !finished.has(row.b_status)) {
      counts.unfinished++;
      continue;
    }
    counts.compared++;
    pairs.push([row.a_score ?? 0, row.b_score ?? 0]);
    if (row.a_status === row.b_status) {
      if (row.a_status === "passed") counts.samePassed++;
      else counts.sameNotPassed++;
      continue;
    }
    const change: OutcomeChange =
      row.b_status === "passed" ? "fixed" : row.a_status === "passed" ? "broken" : "changed";
    counts[change]++;
    changed.push({
      taskKey: row.key,
      position: row.position,
      change,
      expected: row.expected ?? "",
      a: side(row.a_id, row.a_status, row.a_score, row.a_passed, row.a_trials, row.a_output, row.a_error),
      b: side(row.b_id, row.b_status, row.b_score, row.b_passed, row.b_trials, row.b_output, row.b_error),
    });
  }
  const order: Record<OutcomeChange, number> = { broken: 0, fixed: 1, changed: 2 };
  changed.sort((x, y) => order[x.change] - order[y.change] || x.position - y.position);
  return { rows: changed, counts, comparison: comparePaired(pairs) };
}

/** Each task of an evaluation over its trials: status ("pending" while one is unfinished), mean score, the first trial's run. */
function taskOutcomes(evaluationId: string) {
  return Prisma.sql`
    select r."taskId",
      case when count(*) filter (where r.status::text in ('pending', 'running')) > 0 then 'pending'
        when bool_and(r.status = 'passed') then 'passed'
        when bool_and(r.status = 'error') then 'error'
        else 'failed' end as status,
      avg(coalesce(r.score, 0))::float8 as score,
      count(*) filter (where r.status = 'passed')::int as passed, count(*)::int as trials,
      (array_agg(r.id order by r.trial))[1] as id,
      (array_agg(r.output #>> '{}' order by r.trial))[1] as output,
      (array_agg(r."errorMessage" order by r.trial) filter (where r."errorMessage" is not null))[1] as error
    from "TaskRun" r where r."evaluationId" = ${evaluationId}
    group by r."taskId"`;
}

function side(
  taskRunId: string,
  status: string,
  score: number | null,
  passed: number,
  trials: number,
  output: string | null,
  error: string | null,
): OutcomeSide {
  return { taskRunId, status, score, passed, trials, output, error };
}
