// B against A over shared tasks: McNemar's exact test for pass/fail, a sign-flip permutation
// test for partial scores.
import { describe, expect, it } from "vitest";
import { comparePaired } from "../../../lib/evaluations/paired.ts";

const pairs = (spec: { both?: number; neither?: number; fixed?: number; broken?: number }): [number, number][] => [
  ...Array.from({ length: spec.both ?? 0 }, (): [number, number] => [1, 1]),
  ...Array.from({ length: spec.neither ?? 0 }, (): [number, number] => [0, 0]),
  ...Array.from({ length: spec.fixed ?? 0 }, (): [number, number] => [0, 1]),
  ...Array.from({ length: spec.broken ?? 0 }, (): [number, number] => [1, 0]),
];

describe("comparePaired", () => {
  it("uses McNemar's exact test on pass/fail: only the flipped tasks count", () => {
    // 10 fixed, 1 broken: 2 * P(X <= 1), X ~ Bin(11, 1/2) = 2 * 12/2048 = 0.01172.
    const clear = comparePaired(pairs({ both: 20, neither: 9, fixed: 10, broken: 1 }))!;
    expect(clear).toMatchObject({ tasks: 40, test: "mcnemar", distinguishable: true });
    expect(clear.pValue).toBeCloseTo(24 / 2048, 10);
    expect(clear.difference).toBeCloseTo(9 / 40, 10);
    // 3 fixed, 1 broken: 2 * P(X <= 1), X ~ Bin(4, 1/2) = 2 * 5/16 = 0.625: within noise.
    const noisy = comparePaired(pairs({ both: 30, neither: 6, fixed: 3, broken: 1 }))!;
    expect(noisy.pValue).toBeCloseTo(0.625, 10);
    expect(noisy.distinguishable).toBe(false);
    // No flip at all: nothing to tell apart.
    expect(comparePaired(pairs({ both: 5, neither: 5 }))).toMatchObject({ pValue: 1, difference: 0 });
  });

  it("does not call a larger difference on fewer tasks more than noise", () => {
    expect(comparePaired(pairs({ fixed: 4 }))!.pValue).toBeCloseTo(0.125, 10);
    expect(comparePaired(pairs({ fixed: 6 }))!.pValue).toBeCloseTo(2 / 64, 10);
  });

  it("uses a seeded sign-flip permutation test on partial scores", () => {
    const shifted: [number, number][] = Array.from({ length: 30 }, (_, i) => [
      0.3 + (i % 5) * 0.05,
      0.55 + (i % 5) * 0.05,
    ]);
    const clear = comparePaired(shifted)!;
    expect(clear).toMatchObject({ tasks: 30, test: "permutation", distinguishable: true });
    expect(clear.pValue).toBeLessThan(0.001);
    expect(comparePaired(shifted)).toEqual(clear); // the same every time
    const mixed: [number, number][] = [
      [0.5, 0.6],
      [0.6, 0.5],
      [0.4, 0.45],
      [0.7, 0.6],
    ];
    expect(comparePaired(mixed)!.distinguishable).toBe(false);
  });

  it("is null with no shared task", () => {
    expect(comparePaired([])).toBeNull();
  });
});
