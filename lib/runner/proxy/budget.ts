// Budgets, checked before a request goes upstream: tokens (every token of a call: input, output,
// cache writes and cache reads) and dollars (each call priced by prices.ts). A spent budget is
// answered with a 400 (not a 429: the SDK would retry a 429 and the budget will not refill) whose
// message names it, so the trace says why the run stopped. A call answered by a model with no
// price makes every dollar budget of its credential refuse the next call: its cost is unknown,
// and counting it as $0 would let a dollar budget look held while it is not.
//
// Calls in flight are not charged yet, so N lanes could each pass the check just below a limit
// and overshoot it N calls over. A call therefore waits while the calls already in flight on one
// of its budgets are expected (at that budget's mean spend per call) to use up what is left; it
// goes once they are answered, or is refused if they did use it up. Whatever the concurrency,
// about one call's spend at most goes past a limit.

import { formatUsd } from "../../format.ts";
import type { Attribution, Budget, Spend, TokenUsage } from "./types.ts";

/** Every token of a call, as budgets count it. */
export function tokensOf(usage: TokenUsage | undefined): number {
  if (!usage) return 0;
  return (
    (usage.input_tokens ?? 0) +
    (usage.output_tokens ?? 0) +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}

/** How to fix an unpriced model, in the words every refusal uses. */
export const UNPRICED_HINT =
  "Add its price on the settings page (Model prices) or with `studio prices --set MODEL input=… output=…`, or use a token budget.";

/**
 * A budget for a project setting's limit, starting at what was spent before; null when the limit
 * sets nothing. `start.unpriced` says why earlier spending has no dollar figure.
 */
export function newBudget(
  label: string,
  limit: { tokens?: number; usd?: number } | undefined,
  start: Spend & { unpriced?: string } = { tokens: 0, usd: 0 },
): Budget | null {
  if (limit?.tokens === undefined && limit?.usd === undefined) return null;
  const budget: Budget = {
    label,
    maxTokens: limit.tokens,
    maxUsd: limit.usd,
    spent: { tokens: start.tokens, usd: start.usd },
  };
  if (start.unpriced) budget.unpriced = start.unpriced;
  return budget;
}

/** Adds one answered call's spend to every budget of its credential; `unpricedModel` when the call's model has no price. */
export function chargeBudgets(attribution: Attribution, spend: Spend, unpricedModel?: string): void {
  for (const budget of attribution.budgets ?? []) {
    budget.spent.tokens += spend.tokens;
    budget.spent.usd += spend.usd;
    if (unpricedModel !== undefined) budget.unpriced ??= `the model ${unpricedModel} has no price`;
  }
}

/** The refusal for a spent budget, in words; undefined while it has room left. */
export function budgetSpent(budget: Budget): string | undefined {
  const { spent, label } = budget;
  // Counting an unpriced call as $0 would let the budget look held while it is not.
  if (budget.maxUsd !== undefined && budget.unpriced)
    return `Dollar budget cannot be enforced: ${label} has ${formatUsd(budget.maxUsd)} but ${budget.unpriced}. ${UNPRICED_HINT}`;
  if (budget.maxUsd !== undefined && spent.usd >= budget.maxUsd)
    return `Dollar budget exhausted: ${label} spent ${formatUsd(spent.usd)} of ${formatUsd(budget.maxUsd)} (set in the project's budgets)`;
  if (budget.maxTokens !== undefined && spent.tokens >= budget.maxTokens)
    return `Token budget exhausted: ${label} used ${Math.round(spent.tokens)} of ${budget.maxTokens} tokens, cache reads and writes included (set in the project's budgets)`;
  return undefined;
}

/** Is this error message the proxy's refusal for a spent budget (one of budgetSpent's messages)? */
export function isBudgetRefusal(message: string): boolean {
  return /(Dollar|Token) budget (exhausted|cannot be enforced)/.test(message);
}

/** The message for the first spent budget, or undefined when every budget has room left. */
export function exhaustedBudget(attribution: Attribution): string | undefined {
  for (const budget of attribution.budgets ?? []) {
    const message = budgetSpent(budget);
    if (message) return message;
  }
  return undefined;
}

/** Calls of one budget in flight, and the mean spend of those answered, for the wait described above. */
interface Flow {
  inFlight: number;
  answered: number;
  spend: Spend;
  waiters: Set<() => void>;
}

const flows = new WeakMap<Budget, Flow>();

function flowOf(budget: Budget): Flow {
  let flow = flows.get(budget);
  if (!flow) flows.set(budget, (flow = { inFlight: 0, answered: 0, spend: { tokens: 0, usd: 0 }, waiters: new Set() }));
  return flow;
}

/** Would the calls in flight, at the mean spend per call, use up what is left of this budget? */
function inFlightWouldSpend(budget: Budget): boolean {
  const flow = flowOf(budget);
  if (flow.inFlight === 0 || flow.answered === 0) return false;
  const expected = (field: keyof Spend) => budget.spent[field] + (flow.inFlight * flow.spend[field]) / flow.answered;
  return (
    (budget.maxUsd !== undefined && expected("usd") >= budget.maxUsd) ||
    (budget.maxTokens !== undefined && expected("tokens") >= budget.maxTokens)
  );
}

function nextAnswer(flow: Flow, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const wake = () => {
      flow.waiters.delete(wake);
      signal.removeEventListener("abort", onAbort);
      resolve();
    };
    const onAbort = () => {
      flow.waiters.delete(wake);
      reject(signal.reason);
    };
    if (signal.aborted) return onAbort();
    flow.waiters.add(wake);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

export type Admission = { refusal: string } | { release: (spend: Spend) => void };

/**
 * Admits one model call against its credential's budgets: a refusal in words, or `release`, to
 * call once when the call is over (with what it spent, after the proxy has charged it).
 * Rejects when `signal` aborts while the call waits.
 */
export async function admitCall(attribution: Attribution, signal: AbortSignal): Promise<Admission> {
  const budgets = attribution.budgets ?? [];
  for (;;) {
    const refusal = exhaustedBudget(attribution);
    if (refusal) return { refusal };
    const busy = budgets.find(inFlightWouldSpend);
    if (!busy) break;
    await nextAnswer(flowOf(busy), signal);
  }
  for (const budget of budgets) flowOf(budget).inFlight++;
  let released = false;
  return {
    release: (spend) => {
      if (released) return;
      released = true;
      for (const budget of budgets) {
        const flow = flowOf(budget);
        flow.inFlight--;
        if (spend.tokens > 0 || spend.usd > 0) {
          flow.answered++;
          flow.spend.tokens += spend.tokens;
          flow.spend.usd += spend.usd;
        }
        for (const wake of [...flow.waiters]) wake();
      }
    },
  };
}
