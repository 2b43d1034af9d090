// Where candidates stand: each valid candidate's newest finished search evaluation, read once
// here for every place that ranks them, and the project's best and frontier by the one
// selection rule (selection.ts).
import { db } from "../db/client.ts";
import { onProjectModel } from "../evaluations/model.ts";
import { best, frontier, type Scored } from "./selection.ts";

/** A candidate as the rule sees it: its newest finished search evaluation's figures. */
export type Standing = Scored;

/** Rounded once, here, so the leaderboard, frontier.json, scores.json and the pages agree to the digit. */
export function tokensPerTask(inputTokens: number, outputTokens: number, taskCount: number): number {
  return taskCount > 0 ? Math.round(((inputTokens + outputTokens) / taskCount) * 10) / 10 : 0;
}

/** Every valid candidate with a finished search evaluation on the project's model, standing on its newest one. */
export async function scoredStandings(projectId: string): Promise<Standing[]> {
  const rows = await db.$queryRaw<
    {
      id: string;
      number: number;
      score: number;
      low: number | null;
      high: number | null;
      input: number;
      output: number;
      tasks: number;
    }[]
  >`
    select distinct on (c.id) c.id, c.number, e.score, e."scoreLow" as low, e."scoreHigh" as high,
      e."inputTokens" as input, e."outputTokens" as output, e."taskCount" * e.trials as tasks
    from "Candidate" c join "Evaluation" e on e."candidateId" = c.id
    where c."projectId" = ${projectId} and c.status = 'valid' and e.split = 'search' and e.status = 'done' and e.score is not null
      and ${onProjectModel}
    order by c.id, e."finishedAt" desc`;
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    score: row.score,
    scoreLow: row.low,
    scoreHigh: row.high,
    tokensPerTask: tokensPerTask(row.input, row.output, row.tasks),
  }));
}

/** The project's best candidate by the selection rule, or null before any search evaluation finished. */
export async function bestCandidate(projectId: string): Promise<Standing | null> {
  return best(await scoredStandings(projectId));
}

/** The project's frontier by the selection rule, cheapest first. */
export async function projectFrontier(projectId: string): Promise<Standing[]> {
  return frontier(await scoredStandings(projectId));
}
