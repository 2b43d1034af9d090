// A score's 95% interval: how far one evaluation's mean task score could move on another draw of
// the same tasks' noise. Pass/fail scores (every task 0 or 1) get the Wilson score interval, which
// stays inside [0, 1] and is sound at 0 and 100%; partial scores get a percentile bootstrap over
// tasks, with a fixed seed so the same scores always give the same interval. With trials, a
// task's score is its mean over them, and the bootstrap runs over those per-task means: the
// tasks, not the task runs, are the sample (a task's trials are not independent draws).

export interface ScoreInterval {
  low: number;
  high: number;
}

const Z95 = 1.959963984540054;
const BOOTSTRAP_RESAMPLES = 2_000;

/**
 * The 95% interval of the mean of `scores` (each 0..1, one per task); null with no scores.
 * Wilson only when each score is one pass/fail task run (`trials` 1).
 */
export function scoreInterval(scores: number[], trials = 1): ScoreInterval | null {
  const n = scores.length;
  if (n === 0) return null;
  if (trials === 1 && scores.every((score) => score === 0 || score === 1))
    return wilson(scores.filter((score) => score === 1).length, n);
  return bootstrap(scores);
}

/** Each task's mean score over its finished trials (an unscored run counts 0), by task id. */
export function taskMeans(runs: { taskId: string; score: number | null }[]): Map<string, number> {
  const sums = new Map<string, { sum: number; n: number }>();
  for (const run of runs) {
    const entry = sums.get(run.taskId) ?? { sum: 0, n: 0 };
    entry.sum += run.score ?? 0;
    entry.n += 1;
    sums.set(run.taskId, entry);
  }
  return new Map([...sums].map(([taskId, { sum, n }]) => [taskId, sum / n]));
}

/** Wilson's interval for `passed` of `n`. */
export function wilson(passed: number, n: number): ScoreInterval {
  const p = passed / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 and 100% the bound on that side is exactly 0 or 1; floating point would land just inside.
  return { low: passed === 0 ? 0 : clamp(centre - half), high: passed === n ? 1 : clamp(centre + half) };
}

function bootstrap(scores: number[]): ScoreInterval {
  const random = mulberry32(0x5eed);
  const n = scores.length;
  const means = new Float64Array(BOOTSTRAP_RESAMPLES);
  for (let r = 0; r < BOOTSTRAP_RESAMPLES; r++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += scores[Math.floor(random() * n)];
    means[r] = sum / n;
  }
  means.sort();
  return {
    low: clamp(means[Math.floor(0.025 * (BOOTSTRAP_RESAMPLES - 1))]),
    high: clamp(means[Math.ceil(0.975 * (BOOTSTRAP_RESAMPLES - 1))]),
  };
}

function clamp(value: number): number {
  return Math.min(1, Math.max(0, value));
}

/** A small seeded generator (mulberry32): the same scores always resample the same way. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
