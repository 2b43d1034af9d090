// The one rule for "best": every place that picks or ranks candidates (the loop's fallback
// parent, `studio eval`'s default, the overview's headline, the workspace leaderboard) uses it,
// so they can never disagree about which candidate is best.
import { db } from "../db/client.ts";
import { onProjectModel } from "../evaluations/model.ts";

/** A candidate as the rule sees it: its newest finished search evaluation's figures. */
export interface Standing {
  id: string;
  number: number;
  /** Search score, 0..1; null when it has no finished search evaluation. */
  score: number | null;
  /** Model tokens (in + out) per search task, rounded to a tenth. */
  tokensPerTask: number;
}

/**
 * Orders candidates best first: higher search score; ties go to fewer tokens per task, then to
 * the older candidate. Candidates without a score follow, by number.
 */
export function compareStandings(a: Standing, b: Standing): number {
  if (a.score === null || b.score === null)
    return a.score === b.score ? a.number - b.number : a.score === null ? 1 : -1;
  return b.score - a.score || a.tokensPerTask - b.tokensPerTask || a.number - b.number;
}

/** Rounded once, here, so the leaderboard, frontier.json, scores.json and the pages agree to the digit. */
export function tokensPerTask(inputTokens: number, outputTokens: number, taskCount: number): number {
  return taskCount > 0 ? Math.round(((inputTokens + outputTokens) / taskCount) * 10) / 10 : 0;
}

/** Every valid candidate with a finished search evaluation on the project's model, standing on its newest one. */
export async function scoredStandings(projectId: string): Promise<(Standing & { score: number })[]> {
  const rows = await db.$queryRaw<
    { id: string; number: number; score: number; input: number; output: number; tasks: number }[]
  >`
    select distinct on (c.id) c.id, c.number, e.score, e."inputTokens" as input, e."outputTokens" as output, e."taskCount" as tasks
    from "Candidate" c join "Evaluation" e on e."candidateId" = c.id
    where c."projectId" = ${projectId} and c.status = 'valid' and e.split = 'search' and e.status = 'done' and e.score is not null
      and ${onProjectModel}
    order by c.id, e."finishedAt" desc`;
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    score: row.score,
    tokensPerTask: tokensPerTask(row.input, row.output, row.tasks),
  }));
}

/** The project's best candidate by compareStandings, or null before any search evaluation finished. */
export async function bestCandidate(projectId: string): Promise<(Standing & { score: number }) | null> {
  return (await scoredStandings(projectId)).sort(compareStandings)[0] ?? null;
}
