// Read models for the pages: narrow columns and aggregates computed in Postgres, so a
// project with 500 candidates × 200 tasks lists as fast as an empty one.
import { db, Prisma } from "../db/client.ts";
import { StudioError } from "../errors.ts";

/** SQL over candidate `c`: its parents as a JSON array of { id, number }. */
export const candidateParents = Prisma.sql`coalesce((select json_agg(json_build_object('id', p.id, 'number', p.number) order by p.number)
        from "CandidateParent" cp join "Candidate" p on p.id = cp."parentId" where cp."childId" = c.id), '[]'::json)`;

/**
 * SQL joins over candidate `c`: `s` is its newest finished search evaluation (score, cost,
 * tokens_per_task) and `t` its newest finished test evaluation (score).
 */
export const latestScores = Prisma.sql`left join lateral (
      select e.score, e."costUsd" as cost, (e."inputTokens" + e."outputTokens")::float8 / greatest(e."taskCount", 1) as tokens_per_task
      from "Evaluation" e where e."candidateId" = c.id and e.split = 'search' and e.status = 'done'
      order by e."finishedAt" desc nulls last limit 1) s on true
    left join lateral (
      select e.score from "Evaluation" e where e."candidateId" = c.id and e.split = 'test' and e.status = 'done'
      order by e."finishedAt" desc nulls last limit 1) t on true`;

export interface ProjectSummary {
  id: string;
  name: string;
  description: string;
  simulated: boolean;
  suiteName: string | null;
  mode: string | null;
  searchTasks: number;
  testTasks: number;
  candidates: number;
  iterations: number;
  bestSearchScore: number | null;
  lastActivity: Date;
}

export async function listProjects(): Promise<ProjectSummary[]> {
  const rows = await db.$queryRaw<
    {
      id: string;
      name: string;
      description: string;
      simulated: boolean;
      suite_name: string | null;
      mode: string | null;
      search_tasks: number;
      test_tasks: number;
      candidates: number;
      iterations: number;
      best_search: number | null;
      last_activity: Date;
    }[]
  >`
    select p.id, p.name, p.description, p.simulated, s.name as suite_name, s.mode::text as mode,
      (select count(*)::int from "Task" t where t."suiteId" = s.id and t.split = 'search') as search_tasks,
      (select count(*)::int from "Task" t where t."suiteId" = s.id and t.split = 'test') as test_tasks,
      (select count(*)::int from "Candidate" c where c."projectId" = p.id) as candidates,
      (select count(*)::int from "Iteration" i where i."projectId" = p.id) as iterations,
      (select max(e.score) from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
        where c."projectId" = p.id and e.split = 'search' and e.status = 'done') as best_search,
      greatest(p."updatedAt",
        (select max(i."createdAt") from "Iteration" i where i."projectId" = p.id),
        (select max(c."createdAt") from "Candidate" c where c."projectId" = p.id)) as last_activity
    from "Project" p left join "TaskSuite" s on s."projectId" = p.id
    order by last_activity desc`;
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    simulated: row.simulated,
    suiteName: row.suite_name,
    mode: row.mode,
    searchTasks: row.search_tasks,
    testTasks: row.test_tasks,
    candidates: row.candidates,
    iterations: row.iterations,
    bestSearchScore: row.best_search,
    lastActivity: row.last_activity,
  }));
}

/** The refusal for an unknown project id, in one wording for every caller. */
export function noSuchProject(projectId: string): StudioError {
  return new StudioError(`No project ${projectId}.`, { code: "not_found" });
}

export async function getProject(id: string) {
  return db.project.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      description: true,
      simulated: true,
      model: true,
      proposerKind: true,
      proposerModel: true,
      proposerCommand: true,
      candidatesPerIteration: true,
      settings: true,
      createdAt: true,
      updatedAt: true,
      suite: { select: { name: true, description: true, mode: true, grader: true, timeoutMs: true } },
    },
  });
}

export interface ProjectTotals {
  searchTasks: number;
  testTasks: number;
  candidates: number;
  iterations: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  best: { candidateId: string; number: number; searchScore: number; testScore: number | null } | null;
}

export async function getProjectTotals(projectId: string): Promise<ProjectTotals> {
  const [counts] = await db.$queryRaw<
    { search_tasks: number; test_tasks: number; candidates: number; iterations: number; input_tokens: number; output_tokens: number; cost: number }[]
  >`
    select
      (select count(*)::int from "Task" t join "TaskSuite" s on s.id = t."suiteId" where s."projectId" = ${projectId} and t.split = 'search') as search_tasks,
      (select count(*)::int from "Task" t join "TaskSuite" s on s.id = t."suiteId" where s."projectId" = ${projectId} and t.split = 'test') as test_tasks,
      (select count(*)::int from "Candidate" where "projectId" = ${projectId}) as candidates,
      (select count(*)::int from "Iteration" where "projectId" = ${projectId}) as iterations,
      coalesce((select sum(e."inputTokens") from "Evaluation" e join "Candidate" c on c.id = e."candidateId" where c."projectId" = ${projectId}), 0)::float8
        + coalesce((select sum("inputTokens") from "Iteration" where "projectId" = ${projectId}), 0)::float8 as input_tokens,
      coalesce((select sum(e."outputTokens") from "Evaluation" e join "Candidate" c on c.id = e."candidateId" where c."projectId" = ${projectId}), 0)::float8
        + coalesce((select sum("outputTokens") from "Iteration" where "projectId" = ${projectId}), 0)::float8 as output_tokens,
      coalesce((select sum(e."costUsd") from "Evaluation" e join "Candidate" c on c.id = e."candidateId" where c."projectId" = ${projectId}), 0)
        + coalesce((select sum("costUsd") from "Iteration" where "projectId" = ${projectId}), 0) as cost`;
  const [best] = await db.$queryRaw<{ candidate_id: string; number: number; search: number; test: number | null }[]>`
    select c.id as candidate_id, c.number, e.score as search,
      (select t.score from "Evaluation" t where t."candidateId" = c.id and t.split = 'test' and t.status = 'done' order by t."finishedAt" desc limit 1) as test
    from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
    where c."projectId" = ${projectId} and e.split = 'search' and e.status = 'done' and e.score is not null
    order by e.score desc, c.number asc limit 1`;
  return {
    searchTasks: counts.search_tasks,
    testTasks: counts.test_tasks,
    candidates: counts.candidates,
    iterations: counts.iterations,
    inputTokens: Number(counts.input_tokens),
    outputTokens: Number(counts.output_tokens),
    costUsd: Number(counts.cost),
    best: best ? { candidateId: best.candidate_id, number: best.number, searchScore: best.search, testScore: best.test } : null,
  };
}

export interface CandidateRow {
  id: string;
  number: number;
  origin: string;
  status: string;
  iterationNumber: number | null;
  parentNumbers: number[];
  searchScore: number | null;
  testScore: number | null;
  createdAt: Date;
}

/** The newest evaluation per split decides a candidate's score. */
export async function listCandidates(projectId: string): Promise<CandidateRow[]> {
  const rows = await db.$queryRaw<
    { id: string; number: number; origin: string; status: string; iteration_number: number | null; parents: number[] | null; search: number | null; test: number | null; created_at: Date }[]
  >`
    select c.id, c.number, c.origin::text, c.status::text, c."iterationNumber" as iteration_number, c."createdAt" as created_at,
      (select array_agg(p.number order by p.number) from "CandidateParent" cp join "Candidate" p on p.id = cp."parentId" where cp."childId" = c.id) as parents,
      (select e.score from "Evaluation" e where e."candidateId" = c.id and e.split = 'search' and e.status = 'done' order by e."finishedAt" desc limit 1) as search,
      (select e.score from "Evaluation" e where e."candidateId" = c.id and e.split = 'test' and e.status = 'done' order by e."finishedAt" desc limit 1) as test
    from "Candidate" c where c."projectId" = ${projectId}
    order by c.number desc`;
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    origin: row.origin,
    status: row.status,
    iterationNumber: row.iteration_number,
    parentNumbers: row.parents ?? [],
    searchScore: row.search,
    testScore: row.test,
    createdAt: row.created_at,
  }));
}

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
  return rows.map(({ candidate, ...row }) => ({ ...row, candidateId: candidate.id, candidateNumber: candidate.number }));
}

export interface IterationRow {
  id: string;
  number: number;
  status: string;
  stage: string | null;
  proposerKind: string;
  filesReadCount: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  stopReason: string | null;
  error: string | null;
  candidates: { number: number; status: string }[];
  instructionVersion: number | null;
  createdAt: Date;
}

export async function listIterations(projectId: string, limit = 20): Promise<IterationRow[]> {
  const rows = await db.iteration.findMany({
    where: { projectId },
    orderBy: { number: "desc" },
    take: limit,
    select: {
      id: true,
      number: true,
      status: true,
      stage: true,
      proposerKind: true,
      filesReadCount: true,
      inputTokens: true,
      outputTokens: true,
      costUsd: true,
      stopReason: true,
      error: true,
      createdAt: true,
      instructionVersion: { select: { version: true } },
      candidates: { orderBy: { number: "asc" }, select: { number: true, status: true } },
    },
  });
  return rows.map(({ instructionVersion, ...row }) => ({ ...row, instructionVersion: instructionVersion?.version ?? null }));
}

// ─── Candidates: the overview's table and charts, the candidate page, the diff page ───
// (Imports are hoisted; this one sits here so the section stays one appended block.)
import { frontier } from "../workspace/frontier.ts";

export interface CandidateTableRow {
  id: string;
  number: number;
  iterationNumber: number | null;
  origin: string;
  status: string;
  parents: { id: string; number: number }[];
  /** First line of the rationale (or hypothesis), for the table's subtitle and text filter. */
  summary: string;
  searchScore: number | null;
  testScore: number | null;
  /** Model tokens (in + out) per task of the newest finished search evaluation. */
  tokensPerTask: number | null;
  /** USD of the newest finished search evaluation. */
  costUsd: number | null;
  /** An evaluation of this candidate is queued or running. */
  evaluating: boolean;
  simulated: boolean;
}

/** Every candidate with the figures of its newest finished search and test evaluations. */
export async function listCandidateTable(projectId: string): Promise<CandidateTableRow[]> {
  const rows = await db.$queryRaw<
    {
      id: string;
      number: number;
      iteration_number: number | null;
      origin: string;
      status: string;
      simulated: boolean;
      parents: { id: string; number: number }[];
      summary: string | null;
      search_score: number | null;
      tokens_per_task: number | null;
      search_cost: number | null;
      test_score: number | null;
      evaluating: boolean;
    }[]
  >`
    select c.id, c.number, c."iterationNumber" as iteration_number, c.origin::text as origin, c.status::text as status, c.simulated,
      ${candidateParents} as parents,
      left(split_part(coalesce(c.rationale, c.hypothesis, ''), E'\n', 1), 160) as summary,
      s.score as search_score, s.tokens_per_task, s.cost as search_cost, t.score as test_score,
      exists (select 1 from "Evaluation" e where e."candidateId" = c.id and e.status in ('queued', 'running')) as evaluating
    from "Candidate" c
    ${latestScores}
    where c."projectId" = ${projectId}
    order by c.number desc`;
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    iterationNumber: row.iteration_number,
    origin: row.origin,
    status: row.status,
    parents: row.parents,
    summary: row.summary ?? "",
    searchScore: row.search_score,
    testScore: row.test_score,
    tokensPerTask: row.tokens_per_task,
    costUsd: row.search_cost,
    evaluating: row.evaluating,
    simulated: row.simulated,
  }));
}

export interface ScoredCandidate {
  id: string;
  number: number;
  origin: string;
  /** The iteration that made it; for the seed and hand-made candidates, the last iteration before it (0 before any). */
  iteration: number;
  score: number;
  tokensPerTask: number;
  costUsd: number;
}

export interface CandidateCharts {
  /** Every valid candidate with a finished search evaluation (its newest). */
  points: (ScoredCandidate & { onFrontier: boolean })[];
  /** The score-versus-tokens frontier, by tokens per task ascending. */
  frontier: ScoredCandidate[];
  /** Iterations 0 (the seed) to the last: the best score so far, and the best made in that iteration. */
  progress: { iteration: number; best: number | null; bestNumber: number | null; iterationBest: number | null; iterationBestNumber: number | null }[];
}

export async function getCandidateCharts(projectId: string): Promise<CandidateCharts> {
  const [rows, [last]] = await Promise.all([
    db.$queryRaw<{ id: string; number: number; origin: string; iteration: number; score: number; tokens_per_task: number; cost: number }[]>`
      select distinct on (c.id) c.id, c.number, c.origin::text as origin, e.score, e."costUsd" as cost,
        ((e."inputTokens" + e."outputTokens")::float8 / greatest(e."taskCount", 1)) as tokens_per_task,
        coalesce(c."iterationNumber",
          (select max(i.number) from "Iteration" i where i."projectId" = c."projectId" and i."createdAt" <= c."createdAt"), 0)::int as iteration
      from "Candidate" c join "Evaluation" e on e."candidateId" = c.id
      where c."projectId" = ${projectId} and c.status = 'valid' and e.split = 'search' and e.status = 'done' and e.score is not null
      order by c.id, e."finishedAt" desc nulls last`,
    db.$queryRaw<{ last: number | null }[]>`select max(number)::int as last from "Iteration" where "projectId" = ${projectId}`,
  ]);
  const scored: ScoredCandidate[] = rows
    .map((row) => ({ id: row.id, number: row.number, origin: row.origin, iteration: row.iteration, score: row.score, tokensPerTask: row.tokens_per_task, costUsd: row.cost }))
    .sort((a, b) => a.number - b.number);
  const front = frontier(scored);
  const onFrontier = new Set(front.map((point) => point.id));

  const lastIteration = Math.max(last?.last ?? 0, ...scored.map((point) => point.iteration));
  const progress: CandidateCharts["progress"] = [];
  let best: ScoredCandidate | null = null;
  for (let iteration = 0; iteration <= lastIteration && scored.length > 0; iteration++) {
    let iterationBest: ScoredCandidate | null = null;
    for (const point of scored) if (point.iteration === iteration && (!iterationBest || point.score > iterationBest.score)) iterationBest = point;
    if (iterationBest && (!best || iterationBest.score > best.score)) best = iterationBest;
    progress.push({
      iteration,
      best: best?.score ?? null,
      bestNumber: best?.number ?? null,
      iterationBest: iterationBest?.score ?? null,
      iterationBestNumber: iterationBest?.number ?? null,
    });
  }
  return { points: scored.map((point) => ({ ...point, onFrontier: onFrontier.has(point.id) })), frontier: front, progress };
}

export interface EvaluationBrief {
  id: string;
  split: "search" | "test";
  status: string;
  score: number | null;
  taskCount: number;
  passedCount: number;
  failedCount: number;
  errorCount: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durationMs: number;
  isolation: string | null;
  simulated: boolean;
  /** Why it failed, when it did. */
  error: string | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const evaluationBriefSelect = {
  id: true,
  split: true,
  status: true,
  score: true,
  taskCount: true,
  passedCount: true,
  failedCount: true,
  errorCount: true,
  inputTokens: true,
  outputTokens: true,
  costUsd: true,
  durationMs: true,
  isolation: true,
  simulated: true,
  error: true,
  createdAt: true,
  finishedAt: true,
} as const;

/** The newest evaluation of a candidate on each split (any status), and whether one ever finished. */
export async function getCandidateEvaluations(candidateId: string): Promise<Record<"search" | "test", { newest: EvaluationBrief | null; done: EvaluationBrief | null }>> {
  const result: Record<"search" | "test", { newest: EvaluationBrief | null; done: EvaluationBrief | null }> = { search: { newest: null, done: null }, test: { newest: null, done: null } };
  for (const split of ["search", "test"] as const) {
    const [newest, done] = await Promise.all([
      db.evaluation.findFirst({ where: { candidateId, split }, orderBy: { createdAt: "desc" }, select: evaluationBriefSelect }),
      db.evaluation.findFirst({ where: { candidateId, split, status: "done" }, orderBy: { finishedAt: "desc" }, select: evaluationBriefSelect }),
    ]);
    result[split] = { newest, done };
  }
  return result;
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
      parents: { select: { parent: { select: { id: true, number: true, origin: true } } }, orderBy: { parent: { number: "asc" } } },
      children: { select: { child: { select: { id: true, number: true, origin: true, status: true } } }, orderBy: { child: { number: "asc" } } },
    },
  });
  if (!candidate) return null;
  const { parents, children, ...rest } = candidate;
  return { ...rest, parents: parents.map((row) => row.parent), children: children.map((row) => row.child) };
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

/** An evaluation's task runs in suite order, with short previews only (full bodies live on the trace page). */
export async function listTaskResults(evaluationId: string, outcome: TaskOutcome | null = null): Promise<TaskResultRow[]> {
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
    order by t.position`;
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

/** Numbers and ids of a project's candidates, for pickers. */
export async function listCandidateOptions(projectId: string): Promise<{ id: string; number: number; origin: string; status: string }[]> {
  return db.candidate.findMany({ where: { projectId }, orderBy: { number: "desc" }, select: { id: true, number: true, origin: true, status: true } });
}

export async function getCandidateSource(projectId: string, candidateId: string) {
  return db.candidate.findFirst({
    where: { id: candidateId, projectId },
    select: { id: true, number: true, origin: true, status: true, source: true, parents: { select: { parentId: true, parent: { select: { number: true } } }, orderBy: { parent: { number: "asc" } } } },
  });
}

export type OutcomeChange = "fixed" | "broken" | "changed";

export interface OutcomeDiffRow {
  taskKey: string;
  position: number;
  change: OutcomeChange;
  a: { taskRunId: string; status: string; score: number | null };
  b: { taskRunId: string; status: string; score: number | null };
}

export interface OutcomeDiff {
  rows: OutcomeDiffRow[];
  counts: { fixed: number; broken: number; changed: number; samePassed: number; sameNotPassed: number; unfinished: number; compared: number };
}

/**
 * How two evaluations' task outcomes differ, task by task: fixed (not passed → passed),
 * broken (passed → not passed), changed (failed ↔ error). Unfinished task runs are counted, not compared.
 */
export async function diffTaskOutcomes(evaluationA: string, evaluationB: string): Promise<OutcomeDiff> {
  const rows = await db.$queryRaw<{ key: string; position: number; a_id: string; a_status: string; a_score: number | null; b_id: string; b_status: string; b_score: number | null }[]>`
    select t.key, t.position, a.id as a_id, a.status::text as a_status, a.score as a_score, b.id as b_id, b.status::text as b_status, b.score as b_score
    from "TaskRun" a join "TaskRun" b on b."taskId" = a."taskId" join "Task" t on t.id = a."taskId"
    where a."evaluationId" = ${evaluationA} and b."evaluationId" = ${evaluationB}
    order by t.position`;
  const finished = new Set(["passed", "failed", "error"]);
  const counts = { fixed: 0, broken: 0, changed: 0, samePassed: 0, sameNotPassed: 0, unfinished: 0, compared: 0 };
  const changed: OutcomeDiffRow[] = [];
  for (const row of rows) {
    if (!finished.has(row.a_status) || !finished.has(row.b_status)) {
      counts.unfinished++;
      continue;
    }
    counts.compared++;
    if (row.a_status === row.b_status) {
      if (row.a_status === "passed") counts.samePassed++;
      else counts.sameNotPassed++;
      continue;
    }
    const change: OutcomeChange = row.b_status === "passed" ? "fixed" : row.a_status === "passed" ? "broken" : "changed";
    counts[change]++;
    changed.push({
      taskKey: row.key,
      position: row.position,
      change,
      a: { taskRunId: row.a_id, status: row.a_status, score: row.a_score },
      b: { taskRunId: row.b_id, status: row.b_status, score: row.b_score },
    });
  }
  const order: Record<OutcomeChange, number> = { broken: 0, fixed: 1, changed: 2 };
  changed.sort((x, y) => order[x.change] - order[y.change] || x.position - y.position);
  return { rows: changed, counts };
}
