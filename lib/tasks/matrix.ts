// The task × candidate matrix: rows are a split's tasks, columns are candidates (the frontier
// unless chosen), each cell the outcome of that task in the candidate's newest finished
// evaluation of the split. One narrow query for the cells, sent compactly (one character per
// cell, a score only where it says more than the character), so 200 × 200 stays small; the trace opens through runs/open.
import { db } from "../db/client.ts";
import { onProjectModel } from "../evaluations/model.ts";
import { projectFrontier } from "../candidates/standings.ts";
import { StudioError } from "../errors.ts";
import { impliedScore, type CellCode } from "./matrix-order.ts";

export type { CellCode } from "./matrix-order.ts";

export const MATRIX_MAX_CANDIDATES = 500;

export interface MatrixColumn {
  candidateId: string;
  number: number;
  /** The evaluation the column shows; null when the candidate has no finished one on the split. */
  evaluationId: string | null;
  score: number | null;
}

export interface TaskMatrix {
  split: "search" | "test";
  /** Which candidates were asked for: the frontier, all with an evaluation, or a chosen list. */
  chosen: "frontier" | "all" | "list";
  tasks: { id: string; key: string }[];
  columns: MatrixColumn[];
  /** Row-major, tasks × columns: one CellCode per cell. */
  cells: string;
  /**
   * The scores that say more than the cell's code (partial credit, the mean of trials), by cell
   * index (row-major, like cells), rounded to a thousandth. Absent: 1 for passed, 0 for failed or
   * error, none without a finished run. Sparse, so a pass/fail suite sends none.
   */
  scores: Record<number, number>;
}

export type MatrixCandidates = "frontier" | "all" | number[];

/** `?candidates=` → the frontier (absent or "frontier"), "all", or a list of candidate numbers. */
export function parseMatrixCandidates(raw: string | undefined): MatrixCandidates | null {
  if (!raw || raw === "frontier") return "frontier";
  if (raw === "all") return "all";
  const numbers = raw.split(",").map((part) => Number(part.trim().replace(/^#/, "")));
  if (!numbers.length || numbers.some((n) => !Number.isInteger(n) || n < 1)) return null;
  return [...new Set(numbers)].slice(0, MATRIX_MAX_CANDIDATES);
}

const CODE: Record<string, CellCode> = { passed: "p", failed: "f", error: "e", pending: "r", running: "r" };

export async function taskMatrix(
  projectId: string,
  options: { split: "search" | "test"; candidates: MatrixCandidates },
): Promise<TaskMatrix> {
  // The suite, the asked candidates and the tasks at once: none needs another's answer.
  const [suite, wanted, tasks] = await Promise.all([
    db.taskSuite.findUnique({ where: { projectId }, select: { id: true } }),
    wantedCandidates(projectId, options.candidates),
    db.task.findMany({
      where: { suite: { projectId }, split: options.split },
      orderBy: { position: "asc" },
      select: { id: true, key: true, position: true },
    }),
  ]);
  if (!suite) throw new StudioError(`No project ${projectId}, or it has no task suite.`, { code: "not_found" });

  const evaluations = await db.$queryRaw<
    { candidate_id: string; number: number; evaluation_id: string | null; score: number | null }[]
  >`
      select c.id as candidate_id, c.number, e.id as evaluation_id, e.score
      from "Candidate" c left join lateral (
        select e.id, e.score from "Evaluation" e
        where e."candidateId" = c.id and e.split::text = ${options.split} and e.status = 'done' and ${onProjectModel}
        order by e."finishedAt" desc nulls last limit 1) e on true
      where c."projectId" = ${projectId} and (${wanted}::text[] is null or c.id = any(${wanted}::text[]))
      order by c.number`;

  let columns: MatrixColumn[] = evaluations.map((row) => ({
    candidateId: row.candidate_id,
    number: row.number,
    evaluationId: row.evaluation_id,
    score: row.score,
  }));
  if (wanted) {
    const order = new Map(wanted.map((id, index) => [id, index]));
    columns.sort((a, b) => order.get(a.candidateId)! - order.get(b.candidateId)!);
  } else {
    columns = columns.filter((column) => column.evaluationId).slice(0, MATRIX_MAX_CANDIDATES);
  }

  const evaluationIds = columns.flatMap((column) => column.evaluationId ?? []);
  // One row per evaluation, its task runs as three lists in one order (every aggregate of a group
  // reads its rows in the same order), not one row per cell: 200 × 200 is 40,000 cells, and
  // grouping them by (task, evaluation) cost more than the scan. Joined text, not arrays: the
  // driver takes far longer to decode 40,000 array elements than to split a string.
  const runs = evaluationIds.length
    ? await db.$queryRaw<{ evaluation_id: string; positions: string; statuses: string; scores: string }[]>`
        select r."evaluationId" as evaluation_id, string_agg(t.position::text, ',') as positions,
          string_agg(r.status::text, ',') as statuses, string_agg(coalesce(r.score::text, ''), ',') as scores
        from "TaskRun" r join "Task" t on t.id = r."taskId"
        where r."evaluationId" = any(${evaluationIds}::text[])
        group by r."evaluationId"`
    : [];

  const rowOf = new Map(tasks.map((task, index) => [task.position, index]));
  const columnOf = new Map(columns.map((column, index) => [column.evaluationId, index]));
  const width = columns.length;
  // Each cell's first trial in flat arrays (a cell is usually one task run), the others only for
  // cells with trials: 40,000 cells need no object each.
  const size = tasks.length * width;
  const firstStatus: (string | undefined)[] = new Array(size);
  const firstScore: (number | null)[] = new Array(size);
  const moreTrials = new Map<number, { status: string; score: number | null }[]>();
  for (const run of runs) {
    const column = columnOf.get(run.evaluation_id);
    if (column == null) continue;
    const statuses = run.statuses.split(",");
    const scores = run.scores.split(",");
    run.positions.split(",").forEach((position, i) => {
      const row = rowOf.get(Number(position));
      if (row == null) return;
      const at = row * width + column;
      const score = scores[i] === "" ? null : Number(scores[i]);
      if (firstStatus[at] === undefined) {
        firstStatus[at] = statuses[i];
        firstScore[at] = score;
        return;
      }
      const trials = moreTrials.get(at);
      if (trials) trials.push({ status: statuses[i], score });
      else
        moreTrials.set(at, [
          { status: firstStatus[at]!, score: firstScore[at] },
          { status: statuses[i], score },
        ]);
    });
  }
  const codes: CellCode[] = new Array(size).fill("-");
  const scores: Record<number, number> = {};
  for (let at = 0; at < size; at++) {
    if (firstStatus[at] === undefined) continue;
    const trials = moreTrials.get(at);
    const { status, score } = trials ? combineTrials(trials) : { status: firstStatus[at]!, score: firstScore[at] };
    const code = (codes[at] = CODE[status] ?? "-");
    if (score != null && score !== impliedScore(code)) scores[at] = Math.round(score * 1000) / 1000;
  }
  return {
    split: options.split,
    chosen: Array.isArray(options.candidates) ? "list" : options.candidates,
    tasks: tasks.map(({ id, key }) => ({ id, key })),
    columns,
    cells: codes.join(""),
    scores,
  };
}

/** The asked candidates' ids in column order; null for every candidate with an evaluation. */
async function wantedCandidates(projectId: string, candidates: MatrixCandidates): Promise<string[] | null> {
  if (candidates === "frontier") return (await projectFrontier(projectId)).map((point) => point.id);
  if (candidates === "all") return null;
  const found = await db.candidate.findMany({
    where: { projectId, number: { in: candidates } },
    select: { id: true, number: true },
  });
  const byNumber = new Map(found.map((row) => [row.number, row.id]));
  return candidates.flatMap((number) => byNumber.get(number) ?? []);
}

/**
 * One cell over its trials: passed when all passed, an error when all errored, not finished
 * while one is pending or running, else failed; its score is their mean (a missing score as 0),
 * or the one trial's score as it is.
 */
export function combineTrials(trials: { status: string; score: number | null }[]): {
  status: string;
  score: number | null;
} {
  if (trials.length === 1) return trials[0];
  const status = trials.some((trial) => trial.status === "pending" || trial.status === "running")
    ? trials.some((trial) => trial.status === "pending")
      ? "pending"
      : "running"
    : trials.every((trial) => trial.status === "passed")
      ? "passed"
      : trials.every((trial) => trial.status === "error")
        ? "error"
        : "failed";
  return { status, score: trials.reduce((sum, trial) => sum + (trial.score ?? 0), 0) / trials.length };
}
