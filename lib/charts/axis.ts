// Axis ticks and labels for the charts: round steps from zero, and labels with just enough
// digits that no two ticks read the same (recharts' own ticks, rounded to whole tokens, read
// "0 0 1 1 1" when every point sits at 0).

const MANTISSAS = [1, 2, 2.5, 5, 10];

/**
 * Ticks from 0 to at least `max`, about `count` of them, on a round step (1, 2, 2.5 or 5 × 10^k)
 * no finer than `minStep` (1 for whole tokens). With nothing above 0, the axis spans one step.
 */
export function niceTicks(max: number, options: { count?: number; minStep?: number } = {}): number[] {
  const count = Math.max(2, options.count ?? 5);
  const minStep = options.minStep ?? 0;
  const top = Number.isFinite(max) && max > 0 ? max : minStep > 0 ? minStep : 1;
  const raw = top / (count - 1);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  let step = MANTISSAS.map((mantissa) => mantissa * magnitude).find((candidate) => candidate >= raw * (1 - 1e-12))!;
  step = Math.max(step, minStep);
  const ticks = [0];
  // Rounded at each tick, so 0.1 × 3 reads 0.3, not 0.30000000000000004.
  while (ticks.at(-1)! < top * (1 - 1e-12)) ticks.push(roundTo(ticks.length * step, decimalsOf(step)));
  return ticks;
}

/** The fewest decimals that write `step` exactly (2.5 → 1, 0.25 → 2, 500 → 0). */
export function decimalsOf(step: number): number {
  for (let decimals = 0; decimals < 12; decimals++) {
    const scaled = step * 10 ** decimals;
    if (scaled >= 0.5 && Math.abs(scaled - Math.round(scaled)) < 1e-7 * scaled) return decimals;
  }
  return 12;
}

const roundTo = (value: number, decimals: number) => Number(value.toFixed(decimals));

/** The step between ticks (0 for fewer than two). */
const stepOf = (ticks: readonly number[]) => (ticks.length > 1 ? ticks[1] - ticks[0] : 0);

/** A token axis label: 1,500 · 12.5k · 2M, with the digits the step needs. */
export function tokenTickLabel(value: number, ticks: readonly number[]): string {
  const top = ticks.at(-1) ?? value;
  const [divisor, suffix] = top >= 1_000_000 ? [1_000_000, "M"] : top >= 10_000 ? [1000, "k"] : [1, ""];
  const decimals = decimalsOf(stepOf(ticks) / divisor);
  const scaled = value / divisor;
  if (value === 0) return "0";
  return `${suffix ? scaled.toFixed(decimals) : scaled.toLocaleString("en-US", { maximumFractionDigits: decimals })}${suffix}`;
}

/** A dollar axis label: $0.0025, $0.50, $12: at least cents, more when the step is finer. */
export function usdTickLabel(value: number, ticks: readonly number[]): string {
  if (value === 0) return "$0";
  const decimals = Math.max(2, decimalsOf(stepOf(ticks)));
  return `$${value.toLocaleString("en-US", { minimumFractionDigits: decimals, maximumFractionDigits: decimals })}`;
}
