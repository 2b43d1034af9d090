// The points the overview's charts plot: shared by each chart and its plot, which loads on its own.
import type { Spread } from "@/lib/charts/overlap";

export interface ProgressPoint {
  iteration: number;
  best: number | null;
  bestLow: number | null;
  bestHigh: number | null;
  bestNumber: number | null;
  iterationBest: number | null;
  iterationBestLow: number | null;
  iterationBestHigh: number | null;
  iterationBestNumber: number | null;
}

export interface FrontierChartPoint {
  id: string;
  number: number;
  origin: string;
  score: number;
  /** The score's 95% interval, null without one. */
  scoreLow: number | null;
  scoreHigh: number | null;
  tokensPerTask: number;
  /** Null when the evaluation was unpriced. */
  costUsd: number | null;
  /** USD per task; null when the evaluation was unpriced. */
  costPerTask: number | null;
  onFrontier: boolean;
  onCostFrontier: boolean;
}

export type CostUnit = "usd" | "tokens";

/** A frontier point as drawn: at x in the chosen unit, set aside from points on the same spot. */
export type Plotted = FrontierChartPoint & {
  x: number;
  spread: Spread;
  front: boolean;
  scoreError: [number, number] | null;
};
