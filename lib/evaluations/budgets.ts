// The budgets an evaluation's model calls are held to while it runs, each started at what was
// spent before: the evaluation's own (a resumed one has spent something already), its
// iteration's evaluations' and the project's evaluations'. The proxy refuses the call after one
// is spent, and the evaluation stops there (not only between evaluations).
import { db } from "../db/client.ts";
import { iterationEvaluationSpending, projectSpending } from "../loop/budget.ts";
import type { ProjectSettings } from "../projects/settings.ts";
import { newBudget } from "../runner/proxy/index.ts";
import type { Budget } from "../runner/proxy/types.ts";
import { refreshAggregates } from "./aggregate.ts";

export async function evaluationBudgets(evaluationId: string, settings: ProjectSettings): Promise<Budget[]> {
  const { evaluation, iteration, project } = settings.budgets;
  if (!evaluation && !iteration?.evaluation && !project?.evaluation) return [];
  await refreshAggregates(evaluationId); // a resumed evaluation's figures, up to date
  const row = await db.evaluation.findUniqueOrThrow({
    where: { id: evaluationId },
    select: {
      inputTokens: true,
      outputTokens: true,
      costUsd: true,
      candidate: { select: { projectId: true, iterationId: true } },
    },
  });
  const own =
    row.costUsd === null
      ? {
          tokens: row.inputTokens + row.outputTokens,
          usd: 0,
          unpriced: "this evaluation's earlier task runs are unpriced",
        }
      : { tokens: row.inputTokens + row.outputTokens, usd: row.costUsd };
  const budgets = [newBudget("evaluation", evaluation, own)];
  if (iteration?.evaluation && row.candidate.iterationId)
    budgets.push(
      newBudget(
        "iteration evaluation",
        iteration.evaluation,
        await iterationEvaluationSpending(row.candidate.iterationId),
      ),
    );
  if (project?.evaluation)
    budgets.push(
      newBudget("project evaluation", project.evaluation, (await projectSpending(row.candidate.projectId)).evaluation),
    );
  return budgets.filter((budget): budget is Budget => budget !== null);
}
