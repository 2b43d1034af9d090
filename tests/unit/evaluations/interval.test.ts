// A score's 95% interval: Wilson for pass/fail, a seeded bootstrap for partial scores.
import { describe, expect, it } from "vitest";
import { scoreInterval, taskMeans, wilson } from "../../../lib/evaluations/interval.ts";

describe("scoreInterval", () => {
  it("gives pass/fail scores Wilson's interval, which stays inside 0..1 at the ends", () => {
    // Known values: 8 of 10 → 0.4902 to 0.9433; 0 of 20 → 0 to 0.1611; 20 of 20 → 0.8389 to 1.
    const eight = scoreInterval([1, 1, 1, 1, 1, 1, 1, 1, 0, 0])!;
    expect(eight.low).toBeCloseTo(0.4902, 4);
    expect(eight.high).toBeCloseTo(0.9433, 4);
    expect(scoreInterval(Array(20).fill(0))).toEqual({ low: 0, high: expect.closeTo(0.1611, 4) });
    const all = wilson(20, 20);
    expect(all.low).toBeCloseTo(0.8389, 4);
    expect(all.high).toBe(1);
  });

  it("narrows as tasks are added", () => {
    const width = (n: number) => {
      const interval = wilson(n / 2, n);
      return interval.high - interval.low;
    };
    expect(width(10)).toBeGreaterThan(width(40));
    expect(width(40)).toBeGreaterThan(width(160));
  });

  it("bootstraps partial scores over tasks: the same scores always give the same interval, around the mean", () => {
    const scores = [0.2, 0.5, 0.5, 0.9, 1, 0.75, 0.3, 0.6];
    const first = scoreInterval(scores)!;
    expect(scoreInterval([...scores])).toEqual(first);
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    expect(first.low).toBeLessThan(mean);
    expect(first.high).toBeGreaterThan(mean);
    expect(first.low).toBeGreaterThanOrEqual(Math.min(...scores));
    expect(first.high).toBeLessThanOrEqual(Math.max(...scores));
    // Identical partial scores have no spread.
    expect(scoreInterval([0.5, 0.5, 0.5])).toEqual({ low: 0.5, high: 0.5 });
  });

  it("is null with no scores", () => {
    expect(scoreInterval([])).toBeNull();
  });
});

describe("scoreInterval with trials", () => {
  it("bootstraps over per-task means even when every mean is 0 or 1: Wilson is for one pass/fail run per task", () => {
    const means = [1, 1, 1, 0, 1, 1, 0, 1, 1, 1];
    expect(scoreInterval(means, 1)).toEqual(wilson(8, 10));
    const withTrials = scoreInterval(means, 3)!;
    expect(withTrials).not.toEqual(wilson(8, 10));
    expect(withTrials.low).toBeLessThan(0.8);
    expect(withTrials.high).toBeGreaterThan(0.8);
  });

  it("takes each task's mean over its finished trials", () => {
    const means = taskMeans([
      { taskId: "a", score: 1 },
      { taskId: "b", score: 0 },
      { taskId: "a", score: 0 },
      { taskId: "a", score: null },
      { taskId: "b", score: 0.5 },
    ]);
    expect([...means]).toEqual([
      ["a", 1 / 3],
      ["b", 0.25],
    ]);
  });
});
