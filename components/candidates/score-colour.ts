// The lineage tree's colour scale for search scores: light yellow (the project's lowest) to deep
// blue (its highest), a sequential scale that reads for colour-blind eyes too (ColorBrewer YlGnBu).

const STOPS = ["#edf8b1", "#7fcdbb", "#2c7fb8", "#253494"].map((hex) => [
  parseInt(hex.slice(1, 3), 16),
  parseInt(hex.slice(3, 5), 16),
  parseInt(hex.slice(5, 7), 16),
]);

/** The scale as a CSS gradient, low to high, for the legend. */
export const SCORE_GRADIENT = `linear-gradient(to right, ${STOPS.map(([r, g, b]) => `rgb(${r} ${g} ${b})`).join(", ")})`;

/** Where a score sits between the project's lowest and highest, 0..1 (the middle when they are one). */
export function scorePosition(score: number, low: number, high: number): number {
  return high > low ? Math.min(1, Math.max(0, (score - low) / (high - low))) : 0.5;
}

/** The fill for a position on the scale, and a label colour that reads on it. */
export function scoreColour(position: number): { fill: string; text: string } {
  const scaled = position * (STOPS.length - 1);
  const index = Math.min(STOPS.length - 2, Math.floor(scaled));
  const t = scaled - index;
  const [r, g, b] = STOPS[index].map((value, channel) => Math.round(value + (STOPS[index + 1][channel] - value) * t));
  const luminance = (0.299 * r + 0.587 * g + 0.114 * b) / 255;
  return { fill: `rgb(${r} ${g} ${b})`, text: luminance > 0.55 ? "#1c1c1a" : "#ffffff" };
}
