// Search across every task run of a project's evaluations: text in the output, expected answer
// or input (ILIKE, served by the trigram indexes of migration task_run_search), outcome, error
// kind, score, tokens, latency and cost ranges, a tool the model called, candidate and split.
// One query; list columns and short previews only (full bodies live on the trace page).
import { db, Prisma } from "../db/client.ts";
import { AUDIT_VERSION } from "../audit/compute.ts";
import { StudioError } from "../errors.ts";
import { parseSort, SEARCH_PAGE_SIZE, TEXT_FIELDS, type SearchFilters, type SortKey } from "./filters.ts";

export interface SearchResultRow {
  taskRunId: string;
  taskId: string;
  taskKey: string;
  split: "search" | "test";
  candidateId: string;
  candidateNumber: number;
  /** Which of its evaluation's trials of the task: 1, 2, … of `trials`. */
  trial: number;
  trials: number;
  status: string;
  score: number | null;
  errorKind: string | null;
  outputPreview: string | null;
  expectedPreview: string;
  inputPreview: string;
  tokens: number;
  durationMs: number | null;
  /** Null when a model call was unpriced. */
  costUsd: number | null;
}

export interface SearchResults {
  /** Task runs matching the filters, over all pages. */
  total: number;
  page: number;
  pageSize: number;
  rows: SearchResultRow[];
}

const SORT_SQL: Record<SortKey, Prisma.Sql> = {
  candidate: Prisma.sql`c.number`,
  task: Prisma.sql`t.position`,
  score: Prisma.sql`r.score`,
  tokens: Prisma.sql`(r."inputTokens" + r."outputTokens")`,
  latency: Prisma.sql`r."durationMs"`,
  cost: Prisma.sql`r."costUsd"`,
};

/** `50%_off` → `%50\%\_off%`: the text as typed, found anywhere. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

function textCondition(projectId: string, filters: SearchFilters): Prisma.Sql | null {
  if (!filters.q) return null;
  const pattern = containsPattern(filters.q);
  const fields = filters.in?.length ? filters.in : TEXT_FIELDS;
  const parts: Prisma.Sql[] = [];
  // Each expression is exactly the indexed one (`col #>> '{}'`), so the trigram index applies.
  if (fields.includes("output")) parts.push(Prisma.sql`(r.output #>> '{}') ilike ${pattern}`);
  const taskParts: Prisma.Sql[] = [];
  if (fields.includes("input")) taskParts.push(Prisma.sql`(t2.input #>> '{}') ilike ${pattern}`);
  if (fields.includes("expected")) taskParts.push(Prisma.sql`(t2.expected #>> '{}') ilike ${pattern}`);
  // Tasks are few beside task runs: match them once (an uncorrelated subquery, hashed), then
  // keep the runs of those tasks.
  if (taskParts.length)
    parts.push(
      Prisma.sql`r."taskId" in (select t2.id from "Task" t2 join "TaskSuite" s2 on s2.id = t2."suiteId"
        where s2."projectId" = ${projectId} and (${Prisma.join(taskParts, " or ")}))`,
    );
  return Prisma.sql`(${Prisma.join(parts, " or ")})`;
}

/**
 * The task runs whose model responses called `tool` (a tool_use block of that name). Read from
 * the audit stored with each run (its tools, by name, with how often each was called): checking
 * the responses themselves reads every matching model call's body, half a second for 40,000
 * of them. A run stored without a current audit is read from its responses (the expression and
 * predicate of TraceEvent_response_content_idx, so that index answers it).
 */
function toolCondition(tool: string): Prisma.Sql {
  const block = JSON.stringify([{ type: "tool_use", name: tool }]);
  // The version compared as text: as jsonb (-> = to_jsonb(n)) it cost twice as much. The older
  // runs' check is an IN beside it, not an EXISTS inside a CASE: there the planner costs the
  // subquery once per run and joins the 40,000 matches by index, one by one (half again slower).
  const current = Prisma.sql`(r.audit ->> 'version') = ${String(AUDIT_VERSION)}`;
  return Prisma.sql`((${current} and coalesce((r.audit -> 'tools' -> ${tool} ->> 'called')::int, 0) > 0)
    or ((${current}) is not true and r.id in (select ev."taskRunId" from "TraceEvent" ev where ev.kind = 'model_call'
        and (ev.body -> 'response' -> 'body' -> 'content') @> ${block}::jsonb)))`;
}

function range(column: Prisma.Sql, min: number | undefined, max: number | undefined): Prisma.Sql[] {
  const parts: Prisma.Sql[] = [];
  if (min != null) parts.push(Prisma.sql`${column} >= ${min}`);
  if (max != null) parts.push(Prisma.sql`${column} <= ${max}`);
  return parts;
}

export function searchConditions(projectId: string, filters: SearchFilters): Prisma.Sql[] {
  const conditions: Prisma.Sql[] = [Prisma.sql`c."projectId" = ${projectId}`];
  const text = textCondition(projectId, filters);
  if (text) conditions.push(text);
  if (filters.status?.length) conditions.push(Prisma.sql`r.status::text in (${Prisma.join(filters.status)})`);
  if (filters.errorKind?.length) conditions.push(Prisma.sql`r."errorKind" in (${Prisma.join(filters.errorKind)})`);
  if (filters.candidate?.length) conditions.push(Prisma.sql`c.number in (${Prisma.join(filters.candidate)})`);
  if (filters.split) conditions.push(Prisma.sql`e.split::text = ${filters.split}`);
  if (filters.tool) conditions.push(toolCondition(filters.tool));
  conditions.push(
    ...range(Prisma.sql`r.score`, filters.scoreMin, filters.scoreMax),
    ...range(Prisma.sql`(r."inputTokens" + r."outputTokens")`, filters.tokensMin, filters.tokensMax),
    ...range(Prisma.sql`r."durationMs"`, filters.latencyMin, filters.latencyMax),
    ...range(Prisma.sql`r."costUsd"`, filters.costMin, filters.costMax),
  );
  return conditions;
}

/** One page of the project's task runs that match every filter given. */
export async function searchTaskRuns(projectId: string, filters: SearchFilters): Promise<SearchResults> {
  for (const [low, high, name] of [
    [filters.scoreMin, filters.scoreMax, "score"],
    [filters.tokensMin, filters.tokensMax, "tokens"],
    [filters.latencyMin, filters.latencyMax, "latency"],
    [filters.costMin, filters.costMax, "cost"],
  ] as const) {
    if (low != null && high != null && low > high)
      throw new StudioError(`The ${name} range is empty: its minimum is above its maximum.`, { code: "invalid" });
  }
  const exists = await db.project.findUnique({ where: { id: projectId }, select: { id: true } });
  if (!exists) throw new StudioError(`No project ${projectId}.`, { code: "not_found" });

  const page = filters.page ?? 0;
  const sort = parseSort(filters.sort);
  const direction = Prisma.raw(sort.desc ? "desc nulls last" : "asc nulls first");
  // First the matching ids and sort keys only (narrow: no previews, no bodies), counted and cut
  // to the page; then the page's rows in full. Previews for every match would cost more than
  // the match itself.
  const found = await db.$queryRaw<{ id: string; total: number }[]>`
    with matched as materialized (
      select r.id, ${SORT_SQL[sort.key]} as sort_value, c.number, t.position
      from "TaskRun" r
        join "Evaluation" e on e.id = r."evaluationId"
        join "Candidate" c on c.id = e."candidateId"
        join "Task" t on t.id = r."taskId"
      where ${Prisma.join(searchConditions(projectId, filters), " and ")})
    select m.id, (select count(*) from matched)::int as total from matched m
    order by m.sort_value ${direction}, m.number desc, m.position, m.id
    limit ${SEARCH_PAGE_SIZE} offset ${page * SEARCH_PAGE_SIZE}`;
  const ids = found.map((row) => row.id);
  const rows = ids.length
    ? await db.$queryRaw<
        {
          id: string;
          task_id: string;
          key: string;
          split: "search" | "test";
          candidate_id: string;
          number: number;
          status: string;
          score: number | null;
          error_kind: string | null;
          output_preview: string | null;
          expected_preview: string | null;
          input_preview: string | null;
          tokens: number;
          duration_ms: number | null;
          cost: number | null;
          trial: number;
          trials: number;
        }[]
      >`
        select r.id, r.trial, e.trials, t.id as task_id, t.key, e.split::text as split, c.id as candidate_id, c.number, r.status::text as status,
          r.score, r."errorKind" as error_kind, left(r.output #>> '{}', 160) as output_preview,
          left(t.expected #>> '{}', 80) as expected_preview, left(t.input #>> '{}', 160) as input_preview,
          (r."inputTokens" + r."outputTokens")::int as tokens, r."durationMs" as duration_ms, r."costUsd" as cost
        from "TaskRun" r
          join "Evaluation" e on e.id = r."evaluationId"
          join "Candidate" c on c.id = e."candidateId"
          join "Task" t on t.id = r."taskId"
        where r.id = any(${ids}::text[])`
    : [];
  const byId = new Map(rows.map((row) => [row.id, row]));
  return {
    total: found[0]?.total ?? (page > 0 ? await countOnly(projectId, filters) : 0),
    page,
    pageSize: SEARCH_PAGE_SIZE,
    rows: ids.map((id) => {
      const row = byId.get(id)!;
      return {
        taskRunId: row.id,
        taskId: row.task_id,
        taskKey: row.key,
        split: row.split,
        candidateId: row.candidate_id,
        candidateNumber: row.number,
        trial: row.trial,
        trials: row.trials,
        status: row.status,
        score: row.score,
        errorKind: row.error_kind,
        outputPreview: row.output_preview,
        expectedPreview: row.expected_preview ?? "",
        inputPreview: row.input_preview ?? "",
        tokens: row.tokens,
        durationMs: row.duration_ms,
        costUsd: row.cost,
      };
    }),
  };
}

/** The total when the page asked for is past the last one (no row carries the count). */
async function countOnly(projectId: string, filters: SearchFilters): Promise<number> {
  const [row] = await db.$queryRaw<{ total: number }[]>`
    select count(*)::int as total from "TaskRun" r
      join "Evaluation" e on e.id = r."evaluationId"
      join "Candidate" c on c.id = e."candidateId"
      join "Task" t on t.id = r."taskId"
    where ${Prisma.join(searchConditions(projectId, filters), " and ")}`;
  return row.total;
}

/** The error kinds that occur among the project's task runs, for the filter's choices. */
export async function projectErrorKinds(projectId: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ kind: string }[]>`
    select distinct r."errorKind" as kind from "TaskRun" r
      join "Evaluation" e on e.id = r."evaluationId" join "Candidate" c on c.id = e."candidateId"
    where c."projectId" = ${projectId} and r."errorKind" is not null order by 1`;
  return rows.map((row) => row.kind);
}
