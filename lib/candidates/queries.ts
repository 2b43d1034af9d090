// Read model for candidates: the overview's table and charts, the candidate page and the
// diff page's pickers. Scores are those of each candidate's newest finished evaluation.
import { db, Prisma } from "../db/client.ts";
import { best, bestOfOrdered, cheapestFirstOrder, frontier } from "./selection.ts";
import { tokensPerTask } from "./standings.ts";
import { onProjectModel } from "../evaluations/model.ts";

/** SQL over candidate `c`: its parents as a JSON array of { id, number }. */
export const candidateParents = Prisma.sql`coalesce((select json_agg(json_build_object('id', p.id, 'number', p.number) order by p.number)
        from "CandidateParent" cp join "Candidate" p on p.id = cp."parentId" where cp."childId" = c.id), '[]'::json)`;

/**
 * SQL over candidate `c`: the iteration it belongs to. The one that made it; for the seed and
 * hand-made candidates, the last iteration before it (0 before any).
 */
export const candidateIteration = Prisma.sql`coalesce(c."iterationNumber",
          (select max(i.number) from "Iteration" i where i."projectId" = c."projectId" and i."createdAt" <= c."createdAt"), 0)::int`;

/**
 * SQL joins over candidate `c`, on the project's model: `s` is its newest finished search
 * evaluation with a score (score, its interval low and high, cost, unpriced, task runs as tasks,
 * tokens_per_task: per task run), the one it stands on (standings.ts), and `t` its newest
 * finished test evaluation with a score (score, low, high). For a few candidates (an
 * iteration's); readCandidates reads a whole project set-based.
 */
export const latestScores = Prisma.sql`left join lateral (
      select e.score, e."scoreLow" as low, e."scoreHigh" as high, e."costUsd" as cost, e."costUsd" is null as unpriced,
        greatest(e."taskCount" * e.trials, 1) as tasks, (e."inputTokens" + e."outputTokens")::float8 / greatest(e."taskCount" * e.trials, 1) as tokens_per_task
      from "Evaluation" e where e."candidateId" = c.id and e.split = 'search' and e.status = 'done' and e.score is not null and ${onProjectModel}
      order by e."finishedAt" desc nulls last limit 1) s on true
    left join lateral (
      select e.score, e."scoreLow" as low, e."scoreHigh" as high from "Evaluation" e
      where e."candidateId" = c.id and e.split = 'test' and e.status = 'done' and e.score is not null and ${onProjectModel}
      order by e."finishedAt" desc nulls last limit 1) t on true`;

export interface CandidateTableRow {
  id: string;
  number: number;
  iterationNumber: number | null;
  origin: string;
  status: string;
  /** Its parents, for their links. */
  parents: { id: string; number: number }[];
  /** The one-line hypothesis (or, without one, the rationale's first line), for the table's subtitle and text filter. */
  summary: string;
  searchScore: number | null;
  /** The search score's 95% interval; null without one. */
  searchLow: number | null;
  searchHigh: number | null;
  testScore: number | null;
  testLow: number | null;
  testHigh: number | null;
  /** Model tokens (in + out) per task run of the newest finished search evaluation. */
  tokensPerTask: number | null;
  /** USD of the newest finished search evaluation; null when there is none, or it was unpriced. */
  costUsd: number | null;
  /** That USD per task. */
  costPerTask: number | null;
  /** Its newest finished search evaluation made a model call that has no price. */
  unpriced: boolean;
  /** An evaluation of this candidate is queued or running. */
  evaluating: boolean;
}

const rounded = (value: number | null, decimals: number) =>
  value == null ? null : Math.round(value * 10 ** decimals) / 10 ** decimals;
/** To `digits` significant digits: a cost per task is a fraction of a cent, or dollars. */
const significant = (value: number | null, digits: number) =>
  value == null ? null : Number(value.toPrecision(digits));

/**
 * A project's candidates as the overview reads them, in one query: the table's rows, the
 * standings the charts and the best are made of, and the last iteration.
 */
export interface CandidatesRead {
  /** Every candidate with the figures of its newest finished search and test evaluations, newest first. */
  rows: CandidateTableRow[];
  /** Every valid candidate with a finished search evaluation, standing on its newest (as standings.ts reads them), by number. */
  scored: ScoredCandidate[];
  /** The project's last iteration (0 before any). */
  lastIteration: number;
}

export async function readCandidates(projectId: string): Promise<CandidatesRead> {
  const rows = await db.$queryRaw<
    {
      id: string;
      number: number;
      iteration_number: number | null;
      iteration: number;
      last_iteration: number | null;
      origin: string;
      status: string;
      parents: { id: string; number: number }[];
      summary: string | null;
      search_score: number | null;
      search_low: number | null;
      search_high: number | null;
      search_input: number | null;
      search_output: number | null;
      search_tasks: number | null;
      search_cost: number | null;
      search_unpriced: boolean | null;
      test_score: number | null;
      test_low: number | null;
      test_high: number | null;
      evaluating: boolean;
    }[]
  >`
    -- Set-based, not a lateral per candidate: one pass over the project's evaluations and one
    -- over its lineage read hundreds of candidates in about two thirds of the time.
    with newest as (
      select distinct on (e."candidateId", e.split) e."candidateId" as candidate_id, e.split, e.score, e."scoreLow" as low,
        e."scoreHigh" as high, e."costUsd" as cost, e."inputTokens" as input, e."outputTokens" as output,
        greatest(e."taskCount" * e.trials, 1) as tasks
      from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
      where c."projectId" = ${projectId} and e.status = 'done' and e.score is not null and ${onProjectModel}
      order by e."candidateId", e.split, e."finishedAt" desc nulls last),
    lineage as (
      select cp."childId" as child_id, json_agg(json_build_object('id', p.id, 'number', p.number) order by p.number) as parents
      from "CandidateParent" cp join "Candidate" p on p.id = cp."parentId"
      where p."projectId" = ${projectId}
      group by cp."childId")
    select c.id, c.number, c."iterationNumber" as iteration_number, ${candidateIteration} as iteration,
      (select max(i.number)::int from "Iteration" i where i."projectId" = ${projectId}) as last_iteration,
      c.origin::text as origin, c.status::text as status, coalesce(l.parents, '[]'::json) as parents,
      left(split_part(coalesce(nullif(trim(c.hypothesis), ''), c.rationale, ''), E'\n', 1), 120) as summary,
      s.score as search_score, s.low as search_low, s.high as search_high, s.input as search_input, s.output as search_output,
      s.tasks as search_tasks, s.cost as search_cost, s.candidate_id is not null and s.cost is null as search_unpriced,
      t.score as test_score, t.low as test_low, t.high as test_high,
      exists (select 1 from "Evaluation" e where e."candidateId" = c.id and e.status in ('queued', 'running')) as evaluating
    from "Candidate" c
      left join newest s on s.candidate_id = c.id and s.split = 'search'
      left join newest t on t.candidate_id = c.id and t.split = 'test'
      left join lineage l on l.child_id = c.id
    where c."projectId" = ${projectId}
    order by c.number desc`;
  const scored: ScoredCandidate[] = [];
  const tableRows = rows.map((row): CandidateTableRow => {
    const tasks = row.search_tasks ?? 1;
    if (row.status === "valid" && row.search_score != null)
      scored.push({
        id: row.id,
        number: row.number,
        origin: row.origin,
        iteration: row.iteration,
        score: row.search_score,
        scoreLow: row.search_low,
        scoreHigh: row.search_high,
        tokensPerTask: tokensPerTask(row.search_input ?? 0, row.search_output ?? 0, tasks),
        costUsd: row.search_cost,
        costPerTask: row.search_cost == null ? null : row.search_cost / tasks,
      });
    return {
      id: row.id,
      number: row.number,
      iterationNumber: row.iteration_number,
      origin: row.origin,
      status: row.status,
      parents: row.parents,
      summary: row.summary ?? "",
      // Rounded past what any column shows: the browser needs no more.
      searchScore: rounded(row.search_score, 6),
      searchLow: rounded(row.search_low, 6),
      searchHigh: rounded(row.search_high, 6),
      testScore: rounded(row.test_score, 6),
      testLow: rounded(row.test_low, 6),
      testHigh: rounded(row.test_high, 6),
      tokensPerTask:
        row.search_score == null ? null : Math.round(((row.search_input ?? 0) + (row.search_output ?? 0)) / tasks),
      costUsd: rounded(row.search_cost, 6),
      costPerTask: row.search_cost == null ? null : significant(row.search_cost / tasks, 4),
      unpriced: row.search_unpriced === true,
      evaluating: row.evaluating,
    };
  });
  return {
    rows: tableRows,
    scored: scored.sort((a, b) => a.number - b.number),
    lastIteration: rows[0]?.last_iteration ?? 0,
  };
}

/** Every candidate with the figures of its newest finished search and test evaluations. */
export async function listCandidateTable(projectId: string): Promise<CandidateTableRow[]> {
  return (await readCandidates(projectId)).rows;
}

/** The project's best candidate by the selection rule (selection.ts), with its test score; null before any scored. */
export function bestOf(read: CandidatesRead) {
  const top = best(read.scored);
  const row = top && read.rows.find((candidate) => candidate.id === top.id);
  if (!top || !row) return null;
  return {
    candidateId: top.id,
    number: top.number,
    searchScore: top.score,
    searchLow: top.scoreLow,
    searchHigh: top.scoreHigh,
    testScore: row.testScore,
    testLow: row.testLow,
    testHigh: row.testHigh,
  };
}

export interface ScoredCandidate {
  id: string;
  number: number;
  origin: string;
  /** The iteration that made it; for the seed and hand-made candidates, the last iteration before it (0 before any). */
  iteration: number;
  score: number;
  /** The score's 95% interval (the charts' error bars); null for an evaluation stored without one. */
  scoreLow: number | null;
  scoreHigh: number | null;
  tokensPerTask: number;
  /** Null when the evaluation was unpriced. */
  costUsd: number | null;
  /** USD per task run of that evaluation; null when it was unpriced. */
  costPerTask: number | null;
}

export interface CandidateCharts {
  /** Every valid candidate with a finished search evaluation (its newest). */
  points: (ScoredCandidate & { onFrontier: boolean; onCostFrontier: boolean })[];
  /** The score-versus-tokens frontier (the loop's, lib/candidates/selection.ts), by tokens per task ascending. */
  frontier: ScoredCandidate[];
  /** The same over dollars per task, among the priced points, by cost per task ascending. */
  costFrontier: ScoredCandidate[];
  /** Iterations 0 (the seed) to the last: the best (by the selection rule) so far, and the best made in that iteration, with their intervals. */
  progress: {
    iteration: number;
    best: number | null;
    bestLow: number | null;
    bestHigh: number | null;
    bestNumber: number | null;
    iterationBest: number | null;
    iterationBestLow: number | null;
    iterationBestHigh: number | null;
    iterationBestNumber: number | null;
  }[];
}

export async function getCandidateCharts(projectId: string): Promise<CandidateCharts> {
  return candidateCharts(await readCandidates(projectId));
}

/** The charts' points, frontiers and progress, from the candidates as read once. */
export function candidateCharts({ scored, lastIteration: last }: CandidatesRead): CandidateCharts {
  const front = frontier(scored);
  const onFrontier = new Set(front.map((point) => point.id));
  // frontier() ranks by its tokensPerTask field: hand it dollars there, then give the points back.
  const byId = new Map(scored.map((point) => [point.id, point]));
  const costFront = frontier(
    scored
      .filter((point) => point.costPerTask != null)
      .map((point) => ({ ...point, tokensPerTask: point.costPerTask! })),
  ).map((point) => byId.get(point.id)!);
  const onCostFrontier = new Set(costFront.map((point) => point.id));

  const lastIteration = Math.max(last, ...scored.map((point) => point.iteration));
  const progress: CandidateCharts["progress"] = [];
  const ordered = cheapestFirstOrder(scored); // sorted once for every iteration's best so far
  const madeIn = new Map<number, ScoredCandidate[]>();
  for (const point of scored) {
    const made = madeIn.get(point.iteration);
    if (made) made.push(point);
    else madeIn.set(point.iteration, [point]);
  }
  for (let iteration = 0; iteration <= lastIteration && scored.length > 0; iteration++) {
    // The best so far is the rule's pick among all candidates up to this iteration, as the loop saw it then.
    const soFar = bestOfOrdered(ordered, (point) => point.iteration <= iteration);
    const made = best(madeIn.get(iteration) ?? []);
    progress.push({
      iteration,
      best: soFar?.score ?? null,
      bestLow: soFar?.scoreLow ?? null,
      bestHigh: soFar?.scoreHigh ?? null,
      bestNumber: soFar?.number ?? null,
      iterationBest: made?.score ?? null,
      iterationBestLow: made?.scoreLow ?? null,
      iterationBestHigh: made?.scoreHigh ?? null,
      iterationBestNumber: made?.number ?? null,
    });
  }
  return {
    points: scored.map((point) => ({
      ...point,
      onFrontier: onFrontier.has(point.id),
      onCostFrontier: onCostFrontier.has(point.id),
    })),
    frontier: front,
    costFrontier: costFront,
    progress,
  };
}

/**
 * The score-against-cost chart's points: the fields it plots, rounded past what it shows (every
 * point goes to the browser, 500 of them at times).
 */
export function chartPoints(points: CandidateCharts["points"]) {
  return points.map((point) => ({
    id: point.id,
    number: point.number,
    origin: point.origin,
    score: rounded(point.score, 6)!,
    scoreLow: rounded(point.scoreLow, 6),
    scoreHigh: rounded(point.scoreHigh, 6),
    tokensPerTask: rounded(point.tokensPerTask, 0)!,
    costUsd: rounded(point.costUsd, 6),
    costPerTask: significant(point.costPerTask, 4),
    onFrontier: point.onFrontier,
    onCostFrontier: point.onCostFrontier,
  }));
}

export async function getCandidateDetail(projectId: string, candidateId: string) {
  const candidate = await db.candidate.findFirst({
    where: { id: candidateId, projectId },
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
      source: true,
      parents: {
        select: { parent: { select: { id: true, number: true, origin: true } } },
        orderBy: { parent: { number: "asc" } },
      },
      children: {
        select: { child: { select: { id: true, number: true, origin: true, status: true } } },
        orderBy: { child: { number: "asc" } },
      },
    },
  });
  if (!candidate) return null;
  const { parents, children, ...rest } = candidate;
  return { ...rest, parents: parents.map((row) => row.parent), children: children.map((row) => row.child) };
}

/** Numbers and ids of a project's candidates, for pickers. */
export async function listCandidateOptions(
  projectId: string,
): Promise<{ id: string; number: number; origin: string; status: string }[]> {
  return db.candidate.findMany({
    where: { projectId },
    orderBy: { number: "desc" },
    select: { id: true, number: true, origin: true, status: true },
  });
}

export async function getCandidateSource(projectId: string, candidateId: string) {
  return db.candidate.findFirst({
    where: { id: candidateId, projectId },
    select: {
      id: true,
      number: true,
      origin: true,
      status: true,
      source: true,
      hypothesis: true,
      axis: true,
      parents: {
        select: { parentId: true, parent: { select: { number: true } } },
        orderBy: { parent: { number: "asc" } },
      },
    },
  });
}
