// Read model for evaluations: the overview's list, a candidate's newest evaluation per split,
// its task results by outcome, and which tasks flipped between two evaluations.
import { comparePaired, type PairedComparison } from "./paired.ts";
import { db } from "../db/client.ts";
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

export interface TaskResultRow {
  taskRunId: string;
  taskKey: string;
  position: number;
  status: string;
  score: number | null;
  errorKind: string | null;
  errorMessage: string | null;
  inputPreview: string;
  outputPreview: string | null;
  expectedPreview: string;
  tokens: number;
  durationMs: number | null;
}

/** How many task results a page of the candidate page shows. */
export const TASK_RESULTS_PAGE = 50;

/** An evaluation's task runs in suite order, a page at a time, with short previews only (full bodies live on the trace page). */
export async function listTaskResults(
  evaluationId: string,
  outcome: TaskOutcome | null = null,
  page: { offset: number; limit: number } = { offset: 0, limit: TASK_RESULTS_PAGE },
): Promise<TaskResultRow[]> {
  const rows = await db.$queryRaw<
    {
      id: string;
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
    select r.id, t.key, t.position, r.status::text as status, r.score, r."errorKind" as error_kind, left(r."errorMessage", 240) as error_message,
      left(t.input #>> '{}', 160) as input_preview, left(r.output #>> '{}', 160) as output_preview, left(t.expected #>> '{}', 80) as expected_preview,
      (r."inputTokens" + r."outputTokens")::int as tokens, r."durationMs" as duration_ms
    from "TaskRun" r join "Task" t on t.id = r."taskId"
    where r."evaluationId" = ${evaluationId} and (${outcome}::text is null or r.status::text = ${outcome}::text)
    order by t.position
    limit ${page.limit} offset ${page.offset}`;
  return rows.map((row) => ({
    taskRunId: row.id,
    taskKey: row.key,
    position: row.position,
    status: row.status,
    score: row.score,
    errorKind: row.error_kind,
    errorMessage: row.error_message,
    inputPreview: row.input_preview ?? "",
    outputPreview: row.output_preview,
    expectedPreview: row.expected_preview ?? "",
    tokens: row.tokens,
    durationMs: row.duration_ms,
  }));
}

/** Task runs per status of an evaluation: { passed: 12, failed: 3, … }. */
export async function countTaskResults(evaluationId: string): Promise<Record<string, number>> {
  const rows = await db.$queryRaw<{ status: string; count: number }[]>`
    select status::text as status, count(*)::int as count from "TaskRun" where "evaluationId" = ${evaluationId} group by status`;
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}

export type OutcomeChange = "fixed" | "broken" | "changed";

/** One side of a flipped task: its run, and what it answered (or why it errored), cut to OUTCOME_TEXT_CHARS. */
export interface OutcomeSide {
  taskRunId: string;
  status: string;
  score: number | null;
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
 * broken (passed → not passed), changed (failed ↔ error). Unfinished task runs are counted, not compared.
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
      a_output: string | null;
      a_error: string | null;
      b_id: string;
      b_status: string;
      b_score: number | null;
      b_output: string | null;
      b_error: string | null;
    }[]
  >`
    select t.key, t.position, left(t.expected #>> '{}', ${OUTCOME_TEXT_CHARS}) as expected,
      a.id as a_id, a.status::text as a_status, a.score as a_score,
      left(a.output #>> '{}', ${OUTCOME_TEXT_CHARS}) as a_output, left(a."errorMessage", ${OUTCOME_TEXT_CHARS}) as a_error,
      b.id as b_id, b.status::text as b_status, b.score as b_score,
      left(b.output #>> '{}', ${OUTCOME_TEXT_CHARS}) as b_output, left(b."errorMessage", ${OUTCOME_TEXT_CHARS}) as b_error
    from "TaskRun" a join "TaskRun" b on b."taskId" = a."taskId" join "Task" t on t.id = a."taskId"
    where a."evaluationId" = ${evaluationA} and b."evaluationId" = ${evaluationB}
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
      a: { taskRunId: row.a_id, status: row.a_status, score: row.a_score, output: row.a_output, error: row.a_error },
      b: { taskRunId: row.b_id, status: row.b_status, score: row.b_score, output: row.b_output, error: row.b_error },
    });
  }
  const order: Record<OutcomeChange, number> = { broken: 0, fixed: 1, changed: 2 };
  changed.sort((x, y) => order[x.change] - order[y.change] || x.position - y.position);
  return { rows: changed, counts, comparison: comparePaired(pairs) };
}
