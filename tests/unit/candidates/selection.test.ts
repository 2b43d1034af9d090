import { describe, expect, it } from "vitest";
import {
  beats,
  best,
  bestOfOrdered,
  cheapestFirstOrder,
  frontier,
  frontierOfOrdered,
  rank,
  type Scored,
} from "../../../lib/candidates/selection.ts";
import { scoreInterval } from "../../../lib/evaluations/interval.ts";

let next = 0;
/** A candidate scored on `passed` of `tasks` pass/fail tasks (its interval is Wilson's, as an evaluation stores it). */
function candidate(id: string, passed: number, tasks: number, tokensPerTask: number): Scored {
  const scores = Array.from({ length: tasks }, (_, i) => (i < passed ? 1 : 0));
  const interval = scoreInterval(scores)!;
  return { id, number: ++next, score: passed / tasks, scoreLow: interval.low, scoreHigh: interval.high, tokensPerTask };
}

const bounds = (interval: { low: number; high: number }) => ({ scoreLow: interval.low, scoreHigh: interval.high });

/** A point with no interval (an evaluation stored before intervals were). */
function bare(id: string, score: number, tokensPerTask: number, number = ++next): Scored {
  return { id, number, score, scoreLow: null, scoreHigh: null, tokensPerTask };
}

describe("the selection rule", () => {
  it("treats candidates whose intervals overlap as tied, and gives the tie to the cheaper", () => {
    // 18/20 against 17/20: well within noise. The dearer one is left off the frontier, and the
    // best is the cheaper, although its score is lower.
    const cheap = candidate("cheap", 17, 20, 100);
    const dear = candidate("dear", 18, 20, 400);
    expect(beats(dear, cheap)).toBe(false);
    expect(frontier([dear, cheap]).map((point) => point.id)).toEqual(["cheap"]);
    expect(best([dear, cheap])?.id).toBe("cheap");
    expect(rank([dear, cheap]).map((point) => point.id)).toEqual(["cheap", "dear"]);
  });

  it("keeps a dearer candidate when it is better beyond noise, and makes it the best", () => {
    const cheap = candidate("cheap", 10, 100, 100);
    const dear = candidate("dear", 90, 100, 400);
    expect(beats(dear, cheap)).toBe(true);
    expect(frontier([dear, cheap]).map((point) => point.id)).toEqual(["cheap", "dear"]);
    expect(best([cheap, dear])?.id).toBe("dear");
  });

  it("asks a frontier member to beat every cheaper member, not only the last", () => {
    const a = candidate("a", 50, 100, 10); // [0.40, 0.60]
    const b = candidate("b", 62, 100, 20); // within noise of a: left out
    const c = candidate("c", 75, 100, 30); // beyond noise of a
    expect(frontier([c, b, a]).map((point) => point.id)).toEqual(["a", "c"]);
    expect(best([a, b, c])?.id).toBe("c");
    // The ranking: the best, then the best of the rest (a and b are within noise: a, the cheaper).
    expect(rank([a, b, c]).map((point) => point.id)).toEqual(["c", "a", "b"]);
  });

  it("with trials: the interval bootstraps over per-task means, and the rule reads it like any other", () => {
    // Ten tasks, three trials each: a task's score is its mean over its trials.
    const means = [1, 1, 2 / 3, 2 / 3, 1, 1 / 3, 1, 2 / 3, 1, 1];
    const interval = scoreInterval(means, 3)!;
    expect(interval).toEqual({ low: expect.closeTo(0.7, 6), high: expect.closeTo(0.9667, 3) });
    const flaky: Scored = { id: "flaky", number: 1, score: 0.833, ...bounds(interval), tokensPerTask: 50 };
    const solid: Scored = { id: "solid", number: 2, score: 1, scoreLow: 0.97, scoreHigh: 1, tokensPerTask: 80 };
    const close: Scored = { id: "close", number: 3, score: 0.9, scoreLow: 0.75, scoreHigh: 1, tokensPerTask: 80 };
    // Beyond noise: the dearer solid one is best. Within noise: the cheaper flaky one is.
    expect(best([flaky, solid])?.id).toBe("solid");
    expect(best([flaky, close])?.id).toBe("flaky");
  });

  it("without intervals, any higher score beats; exact ties go to the older candidate", () => {
    const points = [
      bare("expensive-best", 0.9, 900),
      bare("dominated", 0.5, 500), // beaten by "mid" (better and cheaper)
      bare("mid", 0.7, 300),
      bare("free", 0.2, 0),
      bare("same-score-dearer", 0.7, 301), // as good as "mid" but dearer
      bare("same-cost-worse", 0.6, 300), // as cheap as "mid" but worse
      bare("nan", Number.NaN, 1),
    ];
    expect(frontier(points).map((point) => point.id)).toEqual(["free", "mid", "expensive-best"]);
    const twins = [bare("b", 0.5, 10, 2), bare("a", 0.5, 10, 1)];
    expect(frontier(twins).map((point) => point.id)).toEqual(["a"]);
    expect(frontier([])).toEqual([]);
    expect(best([])).toBeNull();
  });

  it("ranks unscored candidates last, by number", () => {
    const ranked = rank([
      { id: "u2", number: 9, score: null, scoreLow: null, scoreHigh: null, tokensPerTask: 0 },
      { id: "s", number: 5, score: 0.4, scoreLow: 0.3, scoreHigh: 0.5, tokensPerTask: 10 },
      { id: "u1", number: 3, score: null, scoreLow: null, scoreHigh: null, tokensPerTask: 0 },
    ]);
    expect(ranked.map((point) => point.id)).toEqual(["s", "u1", "u2"]);
  });
});

describe("frontierOfOrdered", () => {
  it("gives any subset of the cheapest-first order the frontier frontier() gives it", () => {
    let seed = 7;
    const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const points = Array.from({ length: 120 }, (_, n) => {
      const score = Math.round(random() * 20) / 20;
      const wide = random() < 0.5;
      return {
        id: `c${n}`,
        number: n + 1,
        score,
        scoreLow: wide ? Math.max(0, score - 0.1) : null,
        scoreHigh: wide ? Math.min(1, score + 0.1) : null,
        tokensPerTask: Math.round(random() * 10) * 100,
        iteration: Math.floor(n / 8),
      };
    });
    const ordered = cheapestFirstOrder(points);
    // Rule 2 as written: walked cheapest first, a point joins when it beats every member kept.
    const byTheRule = (subset: typeof points) => {
      const kept: typeof points = [];
      for (const point of subset) if (kept.every((member) => beats(point, member))) kept.push(point);
      return kept;
    };
    for (let iteration = 0; iteration < 15; iteration++) {
      const upTo = (point: { iteration: number }) => point.iteration <= iteration;
      const expected = byTheRule(ordered.filter(upTo));
      expect(expected.length).toBeGreaterThan(0);
      expect(frontierOfOrdered(ordered.filter(upTo))).toEqual(expected);
      expect(frontier(points.filter(upTo))).toEqual(expected);
      // The best so far, walked in place (the overview's chart does this at every iteration).
      expect(bestOfOrdered(ordered, upTo)).toBe(expected.at(-1));
    }
    expect(bestOfOrdered(ordered, () => false)).toBeNull();
  });
});
