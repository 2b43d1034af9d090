// A score's 95% interval as recharts' ErrorBar wants it: the distances below and above the
// score, never negative.

/** [below, above] the score, or null (no bar) without an interval. */
export function errorOf(
  score: number | null | undefined,
  low: number | null | undefined,
  high: number | null | undefined,
): [number, number] | null {
  if (score == null || low == null || high == null) return null;
  return [Math.max(0, score - low), Math.max(0, high - score)];
}
