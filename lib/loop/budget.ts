// Spending against the project's budgets: the proposer and the evaluations separately, per
// iteration and over the whole project. A reached budget is reported in words, and the loop
// stops cleanly with that reason stored.
import { db } from "../db/client.ts";
import type { Limit, ProjectSettings } from "../projects/settings.ts";
import { UNPRICED_HINT } from "../runner/proxy/budget.ts";
import type { Stop } from "./stop.ts";

export interface Spent {
  tokens: number;
  /** The priced runs' cost; see `unpriced`. */
  usd: number;
  /** Set when some of this spending is unpriced (its model had no price): its dollars are unknown. */
  unpriced?: string;
}

const UNPRICED_EARLIER = "earlier runs' model had no price, so what they cost is unknown";

function spent(tokens: number, usd: number, unpriced: boolean): Spent {
  return unpriced ? { tokens, usd, unpriced: UNPRICED_EARLIER } : { tokens, usd };
}

/**
 * What the project's proposer runs and evaluations have spent so far. Stored input tokens
 * include cache writes and reads, so token budgets count every token, as the proxy does.
 */
export async function projectSpending(projectId: string): Promise<{ proposer: Spent; evaluation: Spent }> {
  const [row] = await db.$queryRaw<
    { p_tokens: number; p_usd: number; p_unpriced: boolean; e_tokens: number; e_usd: number; e_unpriced: boolean }[]
  >`
    select
      coalesce((select sum("inputTokens" + "outputTokens") from "Iteration" where "projectId" = ${projectId}), 0)::float8 as p_tokens,
      coalesce((select sum("costUsd") from "Iteration" where "projectId" = ${projectId}), 0)::float8 as p_usd,
      exists (select 1 from "Iteration" where "projectId" = ${projectId} and "costUsd" is null) as p_unpriced,
      coalesce((select sum(e."inputTokens" + e."outputTokens") from "Evaluation" e join "Candidate" c on c.id = e."candidateId" where c."projectId" = ${projectId}), 0)::float8 as e_tokens,
      coalesce((select sum(e."costUsd") from "Evaluation" e join "Candidate" c on c.id = e."candidateId" where c."projectId" = ${projectId}), 0)::float8 as e_usd,
      exists (select 1 from "Evaluation" e join "Candidate" c on c.id = e."candidateId" where c."projectId" = ${projectId} and e."costUsd" is null) as e_unpriced`;
  return {
    proposer: spent(row.p_tokens, row.p_usd, row.p_unpriced),
    evaluation: spent(row.e_tokens, row.e_usd, row.e_unpriced),
  };
}

/** What the evaluations of one iteration's candidates have spent. */
export async function iterationEvaluationSpending(iterationId: string): Promise<Spent> {
  const [row] = await db.$queryRaw<{ tokens: number; usd: number; unpriced: boolean }[]>`
    select coalesce(sum(e."inputTokens" + e."outputTokens"), 0)::float8 as tokens, coalesce(sum(e."costUsd"), 0)::float8 as usd,
      coalesce(bool_or(e."costUsd" is null), false) as unpriced
    from "Evaluation" e join "Candidate" c on c.id = e."candidateId" where c."iterationId" = ${iterationId}`;
  return spent(row.tokens, row.usd, row.unpriced);
}

/** A budget stop, in words like "Project evaluation budget reached: 10,240 of 10,000 tokens used.", or null. */
export function reached(label: string, limit: Limit | undefined, spent: Spent): Stop | null {
  if (limit?.tokens !== undefined && spent.tokens >= limit.tokens) {
    const used = Math.round(spent.tokens).toLocaleString("en-US");
    return {
      kind: "budget",
      message: `${label} budget reached: ${used} of ${limit.tokens.toLocaleString("en-US")} tokens used.`,
    };
  }
  // Unknown dollars never pass for "within budget".
  if (limit?.usd !== undefined && spent.unpriced) {
    return {
      kind: "budget",
      message: `${label} dollar budget cannot be enforced: ${spent.unpriced}. ${UNPRICED_HINT}`,
    };
  }
  if (limit?.usd !== undefined && spent.usd >= limit.usd) {
    return {
      kind: "budget",
      message: `${label} budget reached: $${spent.usd.toFixed(2)} of $${limit.usd.toFixed(2)} spent.`,
    };
  }
  return null;
}

/** Before an iteration: is the project's proposer or evaluation budget spent? */
export async function projectBudgetReached(projectId: string, settings: ProjectSettings): Promise<Stop | null> {
  const budget = settings.budgets.project;
  if (!budget) return null;
  const spent = await projectSpending(projectId);
  return (
    reached("Project proposer", budget.proposer, spent.proposer) ??
    reached("Project evaluation", budget.evaluation, spent.evaluation)
  );
}

/** Tokens and dollars: what is left of a limit, each side only when the limit sets it. */
export interface Allowance {
  tokens?: number;
  usd?: number;
}

/**
 * The proposer's allowance for one iteration: the least of what its own limit allows and what
 * is left of the project's, in tokens and in dollars separately. Dollars stay dollars: each
 * call is priced exactly as it is made (cache reads at their own rate), never turned into
 * tokens at one price.
 */
export async function proposerAllowance(projectId: string, settings: ProjectSettings): Promise<Allowance> {
  const { iteration, project } = settings.budgets;
  const spent = project?.proposer ? (await projectSpending(projectId)).proposer : { tokens: 0, usd: 0 };
  const least = (...values: (number | undefined)[]) => {
    const set = values.filter((value): value is number => value !== undefined);
    return set.length ? Math.max(0, Math.min(...set)) : undefined;
  };
  const minus = (limit: number | undefined, used: number) => (limit === undefined ? undefined : limit - used);
  return {
    tokens: least(iteration?.proposer?.tokens, minus(project?.proposer?.tokens, spent.tokens)),
    usd: least(iteration?.proposer?.usd, minus(project?.proposer?.usd, spent.usd)),
  };
}

/** Before evaluating one more candidate of an iteration. */
export async function evaluationBudgetReached(
  projectId: string,
  iterationId: string,
  settings: ProjectSettings,
): Promise<Stop | null> {
  const { iteration, project } = settings.budgets;
  if (iteration?.evaluation) {
    const stop = reached("Iteration evaluation", iteration.evaluation, await iterationEvaluationSpending(iterationId));
    if (stop) return stop;
  }
  if (project?.evaluation)
    return reached("Project evaluation", project.evaluation, (await projectSpending(projectId)).evaluation);
  return null;
}
