// Read models for the pages: narrow columns and aggregates computed in Postgres, so a
// project with 500 candidates × 200 tasks lists as fast as an empty one.
import { db } from "../db/client.ts";

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

export interface EvaluationRow {
  id: string;
  candidateNumber: number;
  split: string;
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
  createdAt: Date;
}

export async function listEvaluations(projectId: string, limit = 20): Promise<EvaluationRow[]> {
  const rows = await db.evaluation.findMany({
    where: { candidate: { projectId } },
    orderBy: { createdAt: "desc" },
    take: limit,
    select: {
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
      createdAt: true,
      candidate: { select: { number: true } },
    },
  });
  return rows.map(({ candidate, ...row }) => ({ ...row, candidateNumber: candidate.number }));
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
