// Dollar budgets need prices. A run whose model has no price (no override, not built in) cannot
// hold a dollar budget: its calls' cost is unknown. Such a run refuses to start and says why,
// rather than count those calls as $0 and let the person believe the budget holds. Token budgets
// are unaffected. The recording proxy (lib/runner/proxy/budget.ts) also refuses the next call when
// a harness calls some other model that turns out to have no price.
import { db, type ProposerKind } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { readSettings, type ProjectSettings } from "../projects/settings.ts";
import { UNPRICED_HINT } from "../runner/proxy/budget.ts";
import { priceFor } from "../runner/proxy/prices.ts";
import { loadPriceOverrides } from "./overrides.ts";

/** The dollar budgets an evaluation's model calls are held to, by name. */
function evaluationDollarBudgets(settings: ProjectSettings): string[] {
  const { task, evaluation, iteration, project } = settings.budgets;
  const names: [string, number | undefined][] = [
    ["task", task?.usd],
    ["evaluation", evaluation?.usd],
    ["iteration evaluation", iteration?.evaluation?.usd],
    ["project evaluation", project?.evaluation?.usd],
  ];
  return names.filter(([, usd]) => usd !== undefined).map(([name]) => name);
}

/** The dollar budgets the proposer's own model calls are held to, by name. */
function proposerDollarBudgets(settings: ProjectSettings): string[] {
  const { iteration, project } = settings.budgets;
  const names: [string, number | undefined][] = [
    ["iteration proposer", iteration?.proposer?.usd],
    ["project proposer", project?.proposer?.usd],
  ];
  return names.filter(([, usd]) => usd !== undefined).map(([name]) => name);
}

function refusal(model: string, budgets: string[]): string {
  const which = budgets.length === 1 ? `the ${budgets[0]} budget is` : `the ${budgets.join(", ")} budgets are`;
  return `Dollar budget cannot be enforced: the model ${model} has no price, and ${which} in dollars. ${UNPRICED_HINT}`;
}

/**
 * Why an evaluation of a harness calling `model` cannot start under these settings, or null.
 * Call after loadPriceOverrides().
 */
export function evaluationPriceRefusal(model: string, settings: ProjectSettings): string | null {
  const budgets = evaluationDollarBudgets(settings);
  return budgets.length && !priceFor(model) ? refusal(model, budgets) : null;
}

/** Why the built-in proposer on `model` cannot start under these settings, or null. */
export function proposerPriceRefusal(model: string, settings: ProjectSettings): string | null {
  const budgets = proposerDollarBudgets(settings);
  return budgets.length && !priceFor(model) ? refusal(model, budgets) : null;
}

/**
 * Refuses, before anything is queued, a run whose dollar budgets cannot hold: an evaluation of
 * the project (with `model`, on that model instead of the project's; and, with `proposer`, an
 * iteration's proposer of that kind). The worker checks again when the run starts, since prices
 * can change in between.
 */
export async function refuseUnpricedStart(
  projectId: string,
  proposer?: { kind?: ProposerKind },
  model?: string,
): Promise<void> {
  const project = await db.project.findUnique({
    where: { id: projectId },
    select: { model: true, proposerModel: true, proposerKind: true, settings: true },
  });
  if (!project) return; // the caller says "no such project" in its own words
  await loadPriceOverrides();
  const settings = readSettings(project.settings);
  const kind = proposer ? (proposer.kind ?? project.proposerKind) : null;
  const refusal =
    evaluationPriceRefusal(model ?? project.model, settings) ??
    (kind === "claude" ? proposerPriceRefusal(project.proposerModel, settings) : null);
  if (refusal) throw new StudioError(refusal, { code: "conflict" });
}
