// The project's score-versus-cost frontier: valid candidates that no other beats on search
// score without spending more tokens per task.
import { db } from "../db/client.ts";
import { frontier } from "../workspace/frontier.ts";

export interface FrontierCandidate {
  id: string;
  number: number;
  score: number;
  tokensPerTask: number;
}

export async function projectFrontier(projectId: string): Promise<FrontierCandidate[]> {
  const rows = await db.$queryRaw<{ id: string; number: number; score: number; tokens_per_task: number }[]>`
    select distinct on (c.id) c.id, c.number, e.score,
      ((e."inputTokens" + e."outputTokens")::float8 / greatest(e."taskCount", 1)) as tokens_per_task
    from "Candidate" c join "Evaluation" e on e."candidateId" = c.id
    where c."projectId" = ${projectId} and c.status = 'valid' and e.split = 'search' and e.status = 'done' and e.score is not null
    order by c.id, e."finishedAt" desc`;
  return frontier(rows.map((row) => ({ id: row.id, number: row.number, score: row.score, tokensPerTask: row.tokens_per_task })));
}
