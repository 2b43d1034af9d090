// Token budgets, checked before a request goes upstream. The harness gets a 400 (not a 429:
// the SDK would retry a 429 and the budget will not refill) with a message that names the
// budget, so the trace says why the run stopped.

import type { Attribution, Budget } from "./types.ts";

function defaultLabel(attribution: Attribution): string {
  if (attribution.taskRunId) return "task run";
  if (attribution.evaluationId) return "evaluation";
  if (attribution.iterationId) return "iteration";
  return "run";
}

/** Every budget that applies to this attribution, each with a label. */
export function budgetsOf(attribution: Attribution): (Budget & { label: string })[] {
  const all: (Budget & { label: string })[] = [];
  if (attribution.budget)
    all.push({ ...attribution.budget, label: attribution.budget.label ?? defaultLabel(attribution) });
  for (const budget of attribution.budgets ?? []) all.push(budget);
  return all;
}

/** The message for the first spent budget, or undefined when every budget has room left. */
export function exhaustedBudget(attribution: Attribution): string | undefined {
  for (const budget of budgetsOf(attribution)) {
    const used = budget.used();
    if (used >= budget.maxTokens) {
      return `Token budget exhausted: ${budget.label} used ${used} of ${budget.maxTokens} tokens (set in the project's budgets)`;
    }
  }
  return undefined;
}
