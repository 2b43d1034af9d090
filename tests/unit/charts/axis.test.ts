import { describe, expect, it } from "vitest";
import { decimalsOf, niceTicks, tokenTickLabel, usdTickLabel } from "../../../lib/charts/axis.ts";
import { spreadOffset, spreadOverlaps } from "../../../lib/charts/overlap.ts";

const distinct = (labels: string[]) => new Set(labels).size === labels.length;
const tokenLabels = (max: number) => {
  const ticks = niceTicks(max, { minStep: 1 });
  return ticks.map((value) => tokenTickLabel(value, ticks));
};
const usdLabels = (max: number) => {
  const ticks = niceTicks(max, { minStep: 0.0001 });
  return ticks.map((value) => usdTickLabel(value, ticks));
};

describe("niceTicks", () => {
  it("gives whole-token ticks when every candidate used 0 tokens (no '0 0 1 1 1')", () => {
    expect(niceTicks(0, { minStep: 1 })).toEqual([0, 1]);
    expect(tokenLabels(0)).toEqual(["0", "1"]);
    expect(tokenLabels(1)).toEqual(["0", "1"]);
    expect(tokenLabels(3)).toEqual(["0", "1", "2", "3"]);
  });

  it("steps 1, 2, 2.5 or 5 × 10^k from 0 to at least the largest value", () => {
    expect(niceTicks(1234, { minStep: 1 })).toEqual([0, 500, 1000, 1500]);
    expect(niceTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(1)).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(niceTicks(0.3)).toEqual([0, 0.1, 0.2, 0.3]); // rounded: not 0.30000000000000004
    for (const max of [0.00042, 0.013, 0.9, 17, 333, 12_500, 2_400_000]) {
      const ticks = niceTicks(max);
      expect(ticks[0]).toBe(0);
      expect(ticks.at(-1)!).toBeGreaterThanOrEqual(max);
      expect(ticks.length).toBeGreaterThanOrEqual(2);
      expect(ticks.length).toBeLessThanOrEqual(6);
    }
  });

  it("never steps finer than minStep", () => {
    expect(niceTicks(2, { minStep: 1 })).toEqual([0, 1, 2]);
    expect(niceTicks(0.00001, { minStep: 0.0001 })).toEqual([0, 0.0001]);
  });
});

describe("tick labels", () => {
  it("are distinct for tokens at every scale", () => {
    for (const max of [0, 1, 2, 3, 9, 99, 1234, 12_345, 12_500, 99_999, 1_250_000, 2_400_000]) {
      const labels = tokenLabels(max);
      expect(distinct(labels), `${max}: ${labels.join(" ")}`).toBe(true);
    }
    expect(tokenLabels(15_000)).toEqual(["0", "5k", "10k", "15k"]);
    expect(tokenLabels(2_400_000)).toEqual(["0", "1M", "2M", "3M"]);
  });

  it("are distinct for dollars, with the digits a small step needs", () => {
    expect(usdLabels(0.0003)).toEqual(["$0", "$0.0001", "$0.0002", "$0.0003"]);
    expect(usdLabels(0.02)).toEqual(["$0", "$0.005", "$0.010", "$0.015", "$0.020"]);
    expect(usdLabels(3)).toEqual(["$0", "$1.00", "$2.00", "$3.00"]);
    expect(usdLabels(0)).toEqual(["$0", "$0.0001"]);
    for (const max of [0, 0.00003, 0.0007, 0.004, 0.09, 1.2, 45, 1800]) {
      const labels = usdLabels(max);
      expect(distinct(labels), `${max}: ${labels.join(" ")}`).toBe(true);
    }
  });

  it("decimalsOf counts the digits a step is written with", () => {
    expect([1, 500, 2.5, 0.25, 0.1, 0.0001, 0.005].map(decimalsOf)).toEqual([0, 0, 1, 2, 1, 4, 3]);
  });
});

describe("spreadOverlaps", () => {
  const at = (x: number, y: number) => ({ x, y });
  it("groups points on one spot and leaves the others alone", () => {
    const points = [at(100, 0.5), at(100, 0.5), at(900, 0.5), at(101, 0.505), at(100, 0.9)];
    const spreads = spreadOverlaps(points, (point) => point, { x: 1000, y: 1 });
    expect(spreads).toEqual([
      { index: 0, size: 3 },
      { index: 1, size: 3 },
      { index: 0, size: 1 },
      { index: 2, size: 3 },
      { index: 0, size: 1 },
    ]);
  });

  it("centres a group's dots on the spot, a gap apart", () => {
    expect(spreadOffset({ index: 0, size: 1 })).toBe(0);
    expect([0, 1].map((index) => spreadOffset({ index, size: 2 }, 10))).toEqual([-5, 5]);
    expect([0, 1, 2].map((index) => spreadOffset({ index, size: 3 }, 10))).toEqual([-10, 0, 10]);
  });

  it("keeps points at 0 tokens apart only when their scores differ", () => {
    const spreads = spreadOverlaps([at(0, 0.2), at(0, 0.2), at(0, 0.8)], (point) => point, { x: 0, y: 1 });
    expect(spreads.map((spread) => spread.size)).toEqual([2, 2, 1]);
  });
});
