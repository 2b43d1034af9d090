// The lineage tree's data: every candidate (rejected proposals too) with its iteration, its
// parents, its search score and whether it is on the frontier or the best. One narrow query; the
// overview loads it after the page (GET /api/projects/<id>/tree), so the page's HTML stays small.
import { db } from "../db/client.ts";
import { noSuchProject } from "../projects/queries.ts";
import { best, frontier } from "./selection.ts";
import { tokensPerTask } from "./standings.ts";
import { onProjectModel } from "../evaluations/model.ts";
import { candidateIteration } from "./queries.ts";

export interface TreeNode {
  id: string;
  number: number;
  /** The iteration it belongs to (candidateIteration): 0 for the seed and what people made before any. */
  iteration: number;
  status: string;
  /** Its parents' numbers. */
  parents: number[];
  /** Search score of its newest finished search evaluation, 0..1; null before one finished. */
  score: number | null;
  /** The hypothesis's first line (or, without one, the rationale's). */
  summary: string;
  /** Why the validator rejected it; null unless rejected. */
  reason: string | null;
  /** On the score-versus-tokens frontier (frontier.ts). */
  frontier: boolean;
  /** The project's best (best.ts). */
  best: boolean;
}

/** Cut so that 500 candidates stay a small answer; the candidate page has the whole text. */
const SUMMARY_CHARS = 100;
const REASON_CHARS = 240;

/** Read one character past the limit, so a cut text can say so. */
const cut = (text: string, limit: number) => (text.length > limit ? `${text.slice(0, limit - 1).trimEnd()}…` : text);

export async function candidateTree(projectId: string): Promise<TreeNode[]> {
  const rows = await db.$queryRaw<
    {
      id: string;
      number: number;
      iteration: number;
      status: string;
      parents: number[];
      summary: string | null;
      reason: string | null;
      score: number | null;
      low: number | null;
      high: number | null;
      input: number | null;
      output: number | null;
      tasks: number | null;
    }[]
  >`
    select c.id, c.number, ${candidateIteration} as iteration, c.status::text as status,
      coalesce((select json_agg(p.number order by p.number) from "CandidateParent" cp join "Candidate" p on p.id = cp."parentId"
        where cp."childId" = c.id), '[]'::json) as parents,
      left(split_part(coalesce(nullif(trim(c.hypothesis), ''), c.rationale, ''), E'\n', 1), ${SUMMARY_CHARS + 1}) as summary,
      case when c.status = 'rejected' then left(coalesce(c."rejectReason", ''), ${REASON_CHARS + 1}) end as reason,
      s.score, s.low, s.high, s.input, s.output, s.tasks
    from "Candidate" c
    left join lateral (
      select e.score, e."scoreLow" as low, e."scoreHigh" as high, e."inputTokens" as input, e."outputTokens" as output,
        e."taskCount" * e.trials as tasks
      from "Evaluation" e where e."candidateId" = c.id and e.split = 'search' and e.status = 'done' and e.score is not null
        and ${onProjectModel}
      order by e."finishedAt" desc nulls last limit 1) s on true
    where c."projectId" = ${projectId}
    order by c.number`;
  // Every project has its seed: no rows means no project.
  if (rows.length === 0 && !(await db.project.count({ where: { id: projectId } }))) throw noSuchProject(projectId);

  // Frontier and best by the same rules as everywhere else, over the valid scored candidates.
  const standings = rows
    .filter((row) => row.status === "valid" && row.score != null)
    .map((row) => ({
      id: row.id,
      number: row.number,
      score: row.score!,
      scoreLow: row.low,
      scoreHigh: row.high,
      tokensPerTask: tokensPerTask(row.input ?? 0, row.output ?? 0, row.tasks ?? 0),
    }));
  const onFrontier = new Set(frontier(standings).map((point) => point.id));
  const bestId = best(standings)?.id;

  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    iteration: row.iteration,
    status: row.status,
    parents: row.parents,
    score: row.score == null ? null : Math.round(row.score * 1e4) / 1e4,
    summary: cut(row.summary ?? "", SUMMARY_CHARS),
    reason: row.reason == null ? null : cut(row.reason, REASON_CHARS),
    frontier: onFrontier.has(row.id),
    best: row.id === bestId,
  }));
}
