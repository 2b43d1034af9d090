// The one selection rule: which candidates form the score-versus-cost frontier, which one is
// "best", and the ranking that puts it first. Every place that picks or orders candidates (the
// loop's parents and its end-of-run test evaluations, `studio eval`'s default, the overview's
// headline, table and charts, the task matrix, the workspace's leaderboard and frontier.json)
// goes through here, so they can never disagree.
//
// The rule, precisely:
// 1. Noise. A candidate *beats* another when its search score is above the other's beyond noise:
//    the low end of its 95% interval is above the high end of the other's (the intervals do not
//    overlap). Overlapping intervals are a tie. An evaluation with no interval (stored before
//    intervals were) counts as its score alone, so any higher score beats it.
// 2. Frontier. Candidates are walked cheapest first (fewer tokens per task; at equal cost, the
//    higher score, then the older candidate). A candidate joins the frontier when it beats every
//    member already on it. So a dearer candidate within noise of a cheaper member is left out:
//    ties go to the cheaper one.
// 3. Best. The frontier's last member: the dearest, which beats every cheaper member, and which
//    no candidate on the frontier beats.
// 4. Ranking. The best first, then the best of the rest, and so on; candidates without a score
//    follow, by number.

export interface Scored {
  id: string;
  number: number;
  /** Search score, 0..1. */
  score: number;
  /** Its 95% interval (lib/evaluations/interval.ts); null for an evaluation stored without one. */
  scoreLow: number | null;
  scoreHigh: number | null;
  /** The cost axis: model tokens per task (or dollars per task, for the cost chart). Lower is better. */
  tokensPerTask: number;
}

/** Is `a`'s score above `b`'s beyond noise (rule 1)? */
export function beats(a: Scored, b: Scored): boolean {
  return (a.scoreLow ?? a.score) > (b.scoreHigh ?? b.score);
}

/** Cheapest first; at equal cost the higher score, then the older candidate. */
function cheapestFirst(a: Scored, b: Scored): number {
  return a.tokensPerTask - b.tokensPerTask || b.score - a.score || a.number - b.number;
}

/** The frontier (rule 2), cheapest first. Points with a non-finite score or cost are left out; extra fields pass through. */
export function frontier<T extends Scored>(points: readonly T[]): T[] {
  return frontierOfOrdered(cheapestFirstOrder(points));
}

/** The points frontier() walks, in its order: finite score and cost, cheapest first. */
export function cheapestFirstOrder<T extends Scored>(points: readonly T[]): T[] {
  return points
    .filter((point) => Number.isFinite(point.score) && Number.isFinite(point.tokensPerTask))
    .sort(cheapestFirst);
}

/**
 * The frontier of points already in cheapestFirstOrder (or any subset of them, which stays in
 * order). For the best of many subsets of one set, bestOfOrdered walks the set once per subset.
 */
export function frontierOfOrdered<T extends Scored>(ordered: readonly T[]): T[] {
  const kept: T[] = [];
  walkFrontier(ordered, (point) => kept.push(point));
  return kept;
}

/**
 * The best (rule 3) of the points in cheapestFirstOrder that `include` picks, without copying
 * them: the best so far at each of hundreds of iterations is a walk each.
 */
export function bestOfOrdered<T extends Scored>(ordered: readonly T[], include: (point: T) => boolean): T | null {
  let last: T | null = null;
  walkFrontier(ordered, (point) => (last = point), include);
  return last;
}

/**
 * Rule 2's walk. A point beats every member kept so far exactly when its low end is above the
 * highest of their high ends, so that one figure is all the walk keeps.
 */
function walkFrontier<T extends Scored>(
  ordered: readonly T[],
  keep: (point: T) => void,
  include: (point: T) => boolean = () => true,
): void {
  let highest: number | null = null;
  for (const point of ordered) {
    if (!include(point) || (highest !== null && !((point.scoreLow ?? point.score) > highest))) continue;
    keep(point);
    highest = Math.max(highest ?? -Infinity, point.scoreHigh ?? point.score);
  }
}

/** The best candidate (rule 3), or null with none. */
export function best<T extends Scored>(points: readonly T[]): T | null {
  return frontier(points).at(-1) ?? null;
}

/** The ranking (rule 4): best first. Takes any candidates; those with a null score go last, by number. */
export function rank<T extends Omit<Scored, "score"> & { score: number | null }>(points: readonly T[]): T[] {
  const unscored = points.filter((point) => point.score === null).sort((a, b) => a.number - b.number);
  let rest = points.filter((point) => point.score !== null) as (T & Scored)[];
  const ranked: T[] = [];
  while (rest.length) {
    const top = best(rest) ?? rest[0];
    ranked.push(top);
    rest = rest.filter((point) => point !== top);
  }
  return [...ranked, ...unscored];
}
