// The transfer page's finding: one or two plain sentences computed from the matrix. Every claim
// is checked against the 95% intervals: "above" only when the intervals do not overlap, "within
// the intervals" when they do; a cell without an interval, or without a price for a claim about
// cost, is left out. When nothing can be said truly, nothing is said. Pure, so it is unit-tested.

/** One cell as the finding reads it: a finished evaluation of a candidate with a model. */
export interface FindingCell {
  score: number;
  scoreLow: number | null;
  scoreHigh: number | null;
  /** USD per task; null when unpriced. */
  costPerTask: number | null;
}

export interface FindingRow {
  number: number;
  /** The seed harness (the row every gain is measured from). */
  seed: boolean;
  /** The project's best candidate on its own model. */
  best: boolean;
  /** By model. */
  cells: Record<string, FindingCell | null>;
}

export interface FindingInput {
  /** The model the search ran with (the project's). */
  projectModel: string;
  /** Every model of the matrix, the project's first. */
  models: string[];
  rows: FindingRow[];
}

type Comparison = "above" | "below" | "within";

/** How `a` stands against `b` by their 95% intervals; null when either has none. */
export function compareCells(a: FindingCell, b: FindingCell): Comparison | null {
  if (a.scoreLow == null || a.scoreHigh == null || b.scoreLow == null || b.scoreHigh == null) return null;
  if (a.scoreLow > b.scoreHigh) return "above";
  if (a.scoreHigh < b.scoreLow) return "below";
  return "within";
}

const FRACTIONS = [
  "",
  "",
  "half",
  "a third",
  "a quarter",
  "a fifth",
  "a sixth",
  "a seventh",
  "an eighth",
  "a ninth",
  "a tenth",
];

/** "at a ninth of the cost", "at half the cost", "at 38% of the cost". */
export function costWords(cheap: number, dear: number): string {
  const times = dear / cheap;
  const whole = Math.round(times);
  if (whole >= 2 && whole < FRACTIONS.length && Math.abs(times - whole) <= 0.1 * whole)
    return whole === 2 ? "at half the cost" : `at ${FRACTIONS[whole]} of the cost`;
  const percent = Math.round((cheap / dear) * 100);
  return percent < 1 ? "at under 1% of the cost" : `at ${percent}% of the cost`;
}

const pct = (score: number) => `${(score * 100).toFixed(1)}%`;

function rowName(row: FindingRow): string {
  if (row.seed) return `the seed (#${row.number})`;
  if (row.best) return `the best harness (#${row.number})`;
  return `candidate #${row.number}`;
}

const list = (items: string[]) =>
  items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;

/** Does the best harness, found with the project's model, carry over to the other models? */
function carryOver(input: FindingInput, seed: FindingRow, best: FindingRow): string | null {
  const groups: Record<Comparison, string[]> = { above: [], below: [], within: [] };
  for (const model of input.models) {
    if (model === input.projectModel) continue;
    const mine = best.cells[model];
    const theirs = seed.cells[model];
    if (!mine || !theirs) continue;
    const comparison = compareCells(mine, theirs);
    if (comparison) groups[comparison].push(model);
  }
  const compared = groups.above.length + groups.below.length + groups.within.length;
  if (compared === 0) return null;
  const subject = `${rowName(best)[0].toUpperCase()}${rowName(best).slice(1)}, found with ${input.projectModel},`;
  const parts: string[] = [];
  if (groups.above.length)
    parts.push(
      `scores above the seed on ${groups.above.length === compared && compared > 1 ? (compared === 2 ? "both other models" : `all ${compared} other models`) : list(groups.above)}`,
    );
  if (groups.below.length) parts.push(`scores below the seed on ${list(groups.below)}`);
  if (groups.within.length) parts.push(`is within the 95% intervals of the seed on ${list(groups.within)}`);
  return `${subject} ${list(parts)}.`;
}

/**
 * Does a harness with a cheaper model match or beat the seed with a dearer one? The pair with the
 * largest saving among those clearly above; failing that, among those within the intervals (said so).
 */
function cheaperBeatsDearer(input: FindingInput, seed: FindingRow): string | null {
  let found: { text: string; above: boolean; saving: number } | null = null;
  for (const row of input.rows) {
    if (row.seed) continue;
    for (const cheapModel of input.models) {
      const cheap = row.cells[cheapModel];
      if (!cheap || cheap.costPerTask == null || cheap.costPerTask <= 0) continue;
      for (const dearModel of input.models) {
        if (dearModel === cheapModel) continue;
        const dear = seed.cells[dearModel];
        if (!dear || dear.costPerTask == null || cheap.costPerTask >= dear.costPerTask * 0.9) continue;
        const comparison = compareCells(cheap, dear);
        if (comparison === null || comparison === "below" || (comparison === "within" && cheap.score < dear.score))
          continue;
        const above = comparison === "above";
        const saving = dear.costPerTask / cheap.costPerTask;
        if (found && (found.above && !above ? true : found.above === above && found.saving >= saving)) continue;
        const cost = costWords(cheap.costPerTask, dear.costPerTask);
        const text = above
          ? `${rowName(row)} on ${cheapModel} scores above the seed on ${dearModel} (${pct(cheap.score)} against ${pct(dear.score)}) ${cost}.`
          : `${rowName(row)} on ${cheapModel} scores ${pct(cheap.score)} against the seed's ${pct(dear.score)} on ${dearModel}, a difference within the 95% intervals, ${cost}.`;
        found = { text: text[0].toUpperCase() + text.slice(1), above, saving };
      }
    }
  }
  return found?.text ?? null;
}

/** The finding in a sentence or two, or null when the data supports none. */
export function transferFinding(input: FindingInput): string | null {
  const seed = input.rows.find((row) => row.seed);
  if (!seed) return null;
  const best = input.rows.find((row) => row.best && !row.seed);
  const sentences = [best ? carryOver(input, seed, best) : null, cheaperBeatsDearer(input, seed)].filter(
    (sentence): sentence is string => sentence !== null,
  );
  return sentences.length ? sentences.join(" ") : null;
}
