// Is B's score different from A's, or within noise? Two evaluations of one split share their
// tasks, so the test is paired over those tasks: McNemar's exact test when every score is 0 or 1
// (only the tasks that flipped carry information), otherwise a sign-flip permutation test on the
// per-task differences, with a fixed seed so a page always says the same.
import { mulberry32 } from "./interval.ts";

export interface PairedComparison {
  /** Tasks both evaluations finished. */
  tasks: number;
  /** Mean score of B minus mean score of A, over those tasks. */
  difference: number;
  /** Two-sided. */
  pValue: number;
  test: "mcnemar" | "permutation";
  /** p < 0.05. */
  distinguishable: boolean;
}

const ALPHA = 0.05;
const PERMUTATIONS = 10_000;

/** Compares paired task scores [a, b] (each 0..1); null with no shared task. */
export function comparePaired(pairs: [number, number][]): PairedComparison | null {
  const n = pairs.length;
  if (n === 0) return null;
  const difference = pairs.reduce((sum, [a, b]) => sum + (b - a), 0) / n;
  const binary = pairs.every(([a, b]) => (a === 0 || a === 1) && (b === 0 || b === 1));
  const pValue = binary ? mcnemar(pairs) : signFlip(pairs.map(([a, b]) => b - a));
  return { tasks: n, difference, pValue, test: binary ? "mcnemar" : "permutation", distinguishable: pValue < ALPHA };
}

/** McNemar's exact test: the flips each way, against a fair coin. */
function mcnemar(pairs: [number, number][]): number {
  const fixed = pairs.filter(([a, b]) => a === 0 && b === 1).length;
  const broken = pairs.filter(([a, b]) => a === 1 && b === 0).length;
  const flips = fixed + broken;
  if (flips === 0) return 1;
  return Math.min(1, 2 * binomialCdf(Math.min(fixed, broken), flips));
}

/** P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n stays exact enough. */
function binomialCdf(k: number, n: number): number {
  let logChoose = 0; // log C(n, 0)
  let total = 0;
  for (let i = 0; i <= k; i++) {
    if (i > 0) logChoose += Math.log(n - i + 1) - Math.log(i);
    total += Math.exp(logChoose - n * Math.LN2);
  }
  return total;
}

/** The share of random sign flips of the differences whose mean is at least as far from 0. */
function signFlip(differences: number[]): number {
  const observed = Math.abs(differences.reduce((a, b) => a + b, 0));
  if (observed === 0) return 1;
  const random = mulberry32(0xd1ff);
  let atLeast = 0;
  for (let r = 0; r < PERMUTATIONS; r++) {
    let sum = 0;
    for (const d of differences) sum += random() < 0.5 ? -d : d;
    if (Math.abs(sum) >= observed - 1e-12) atLeast++;
  }
  return (atLeast + 1) / (PERMUTATIONS + 1);
}
