// Evaluations in which every task errored. A score of 0.0% reads calm, yet it says nothing about
// the harness when no task ran to an answer (a broken contract, a refused key, a sandbox that
// cannot start): the overview and the projects list flag these loudly. Only the newest finished
// evaluation of each candidate and split counts, so a fixed re-run clears the flag.
import { db } from "../db/client.ts";
import { onProjectModel } from "./model.ts";

export interface AllErroredEvaluation {
  evaluationId: string;
  candidateId: string;
  candidateNumber: number;
  split: "search" | "test";
  taskCount: number;
  /** The most common error among its task runs, and one task run that had it (to open its trace). */
  errorKind: string | null;
  errorMessage: string | null;
  taskRunId: string | null;
}

export async function allErroredEvaluations(projectId: string): Promise<AllErroredEvaluation[]> {
  return db.$queryRaw<AllErroredEvaluation[]>`
    with newest as (
      select distinct on (e."candidateId", e.split) e.id, e."candidateId", e.split::text as split,
        e."taskCount", e.trials, e."errorCount", c.number
      from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
      where c."projectId" = ${projectId} and e.status = 'done' and ${onProjectModel}
      order by e."candidateId", e.split, e."finishedAt" desc
    )
    select n.id as "evaluationId", n."candidateId", n.number as "candidateNumber", n.split, n."taskCount",
      top."errorKind", top."errorMessage", top.id as "taskRunId"
    from newest n
    left join lateral (
      select r.id, r."errorKind", r."errorMessage" from "TaskRun" r
      where r."evaluationId" = n.id and r."errorKind" is not null
      order by count(*) over (partition by r."errorKind") desc, r.id
      limit 1
    ) top on true
    where n."taskCount" > 0 and n."errorCount" = n."taskCount" * n.trials
    order by n.number desc, n.split`;
}
