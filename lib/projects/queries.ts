// Read models for the projects list and a project's headline figures: narrow columns and
// aggregates computed in Postgres, so a project with 500 candidates × 200 tasks lists as fast
// as an empty one. Each concept's own read model lives in its folder (lib/candidates,
// lib/evaluations, lib/iterations, lib/instructions).
import { bestCandidate } from "../candidates/standings.ts";
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";

export interface ProjectSummary {
  id: string;
  name: string;
  description: string;
  /** Some of its evaluations or iterations ran offline (each run says which). */
  hasSimulatedRuns: boolean;
  suiteName: string | null;
  mode: string | null;
  searchTasks: number;
  testTasks: number;
  candidates: number;
  iterations: number;
  bestSearchScore: number | null;
  /** Evaluations (the newest of a candidate on a split) in which every task errored: see lib/evaluations/all-errored.ts. */
  allErroredEvaluations: number;
  createdAt: Date;
  lastActivity: Date;
}

export async function listProjects(): Promise<ProjectSummary[]> {
  const rows = await db.$queryRaw<
    {
      id: string;
      name: string;
      description: string;
      has_simulated_runs: boolean;
      suite_name: string | null;
      mode: string | null;
      search_tasks: number;
      test_tasks: number;
      candidates: number;
      iterations: number;
      all_errored: number;
      created_at: Date;
      last_activity: Date;
    }[]
  >`
    select p.id, p.name, p.description, s.name as suite_name, s.mode::text as mode,
      (exists (select 1 from "Iteration" i where i."projectId" = p.id and i.simulated)
        or exists (select 1 from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
          where c."projectId" = p.id and e.simulated)) as has_simulated_runs,
      (select count(*)::int from "Task" t where t."suiteId" = s.id and t.split = 'search') as search_tasks,
      (select count(*)::int from "Task" t where t."suiteId" = s.id and t.split = 'test') as test_tasks,
      (select count(*)::int from "Candidate" c where c."projectId" = p.id) as candidates,
      (select count(*)::int from "Iteration" i where i."projectId" = p.id) as iterations,
      (select count(*)::int from (
          select distinct on (e."candidateId", e.split) e."taskCount", e."errorCount"
          from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
          where c."projectId" = p.id and e.status = 'done' and e.model = p.model
          order by e."candidateId", e.split, e."finishedAt" desc) newest
        where newest."taskCount" > 0 and newest."errorCount" = newest."taskCount") as all_errored,
      p."createdAt" as created_at,
      greatest(p."updatedAt",
        (select max(i."createdAt") from "Iteration" i where i."projectId" = p.id),
        (select max(c."createdAt") from "Candidate" c where c."projectId" = p.id)) as last_activity
    from "Project" p left join "TaskSuite" s on s."projectId" = p.id
    order by last_activity desc`;
  // The best by the selection rule (lib/candidates/selection.ts), as the project's own page shows it.
  const best = await Promise.all(rows.map((row) => bestCandidate(row.id)));
  return rows.map((row, index) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    hasSimulatedRuns: row.has_simulated_runs,
    suiteName: row.suite_name,
    mode: row.mode,
    searchTasks: row.search_tasks,
    testTasks: row.test_tasks,
    candidates: row.candidates,
    iterations: row.iterations,
    bestSearchScore: best[index]?.score ?? null,
    allErroredEvaluations: row.all_errored,
    createdAt: row.created_at,
    lastActivity: row.last_activity,
  }));
}

/** The refusal for an unknown project id, in one wording for every caller. */
export function noSuchProject(projectId: string): StudioError {
  return new StudioError(`No project ${projectId}.`, { code: "not_found" });
}

/** Whether any evaluation or iteration of the project ran offline: simulated is a run's kind, not a project's. */
export async function hasSimulatedRuns(projectId: string): Promise<boolean> {
  const [row] = await db.$queryRaw<{ simulated: boolean }[]>`
    select exists (select 1 from "Evaluation" e join "Candidate" c on c.id = e."candidateId" where c."projectId" = ${projectId} and e.simulated)
      or exists (select 1 from "Iteration" where "projectId" = ${projectId} and simulated) as simulated`;
  return row.simulated;
}

export async function getProject(id: string) {
  const [project, simulated] = await Promise.all([readProject(id), hasSimulatedRuns(id)]);
  return project && { ...project, hasSimulatedRuns: simulated };
}

function readProject(id: string) {
  return db.project.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      description: true,
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
  /** What the priced runs cost; see `unpricedRuns`. */
  costUsd: number;
  /** Evaluations and iterations with an unpriced model call: their cost is unknown, not in `costUsd`. */
  unpricedRuns: number;
}

export async function getProjectTotals(projectId: string): Promise<ProjectTotals> {
  const [counts] = await db.$queryRaw<
    {
      search_tasks: number;
      test_tasks: number;
      candidates: number;
      iterations: number;
      input_tokens: number;
      output_tokens: number;
      cost: number;
      unpriced: number;
    }[]
  >`
    select tk.search_tasks, tk.test_tasks, ca.candidates, it.iterations,
      ev.input_tokens + it.input_tokens as input_tokens, ev.output_tokens + it.output_tokens as output_tokens,
      ev.cost + it.cost as cost, ev.unpriced + it.unpriced as unpriced
    from
      (select count(*) filter (where t.split = 'search')::int as search_tasks, count(*) filter (where t.split = 'test')::int as test_tasks
        from "Task" t join "TaskSuite" s on s.id = t."suiteId" where s."projectId" = ${projectId}) tk,
      (select count(*)::int as candidates from "Candidate" where "projectId" = ${projectId}) ca,
      (select coalesce(sum(e."inputTokens"), 0)::float8 as input_tokens, coalesce(sum(e."outputTokens"), 0)::float8 as output_tokens,
          coalesce(sum(e."costUsd"), 0)::float8 as cost, (count(*) filter (where e."costUsd" is null))::int as unpriced
        from "Evaluation" e join "Candidate" c on c.id = e."candidateId" where c."projectId" = ${projectId}) ev,
      (select count(*)::int as iterations, coalesce(sum("inputTokens"), 0)::float8 as input_tokens, coalesce(sum("outputTokens"), 0)::float8 as output_tokens,
          coalesce(sum("costUsd"), 0)::float8 as cost, (count(*) filter (where "costUsd" is null))::int as unpriced
        from "Iteration" where "projectId" = ${projectId}) it`;
  return {
    searchTasks: counts.search_tasks,
    testTasks: counts.test_tasks,
    candidates: counts.candidates,
    iterations: counts.iterations,
    inputTokens: Number(counts.input_tokens),
    outputTokens: Number(counts.output_tokens),
    costUsd: Number(counts.cost),
    unpricedRuns: counts.unpriced,
  };
}
