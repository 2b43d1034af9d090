"use client";

// Every evaluated candidate, search score against cost per task, in dollars (the default when
// every point is priced) or tokens; the frontier (nobody scores higher for less) as a step
// line. Points on the same spot are set side by side and each labelled. Each opens its candidate.
// Each score's 95% interval is an error bar: points whose bars overlap are within noise, and the
// frontier keeps the cheaper (lib/candidates/selection.ts).
import dynamic from "next/dynamic";
import { useMemo, useState } from "react";
import { errorOf } from "@/lib/charts/error-bar";
import { niceTicks } from "@/lib/charts/axis";
import { spreadOverlaps } from "@/lib/charts/overlap";
import { unpackRows, type Packed } from "@/lib/candidates/packed";
import type { CostUnit as Unit, FrontierChartPoint, Plotted } from "./points";
import styles from "./charts.module.css";

// The plot (recharts, the bulk of the overview's script) loads after the page is interactive:
// the server could not draw it anyway (it measures its box in the browser), and the box keeps
// its size meanwhile.
const FrontierPlot = dynamic(() => import("./FrontierPlot").then((module) => module.FrontierPlot), { ssr: false });

/** The smallest step of each axis: a whole token, a hundredth of a cent. */
const MIN_STEP: Record<Unit, number> = { tokens: 1, usd: 0.0001 };

/** Dollars are the default once every point has a price (and something cost more than nothing). */
export function defaultUnit(points: readonly FrontierChartPoint[]): Unit {
  return points.length > 0 &&
    points.every((point) => point.costPerTask != null) &&
    points.some((p) => p.costPerTask! > 0)
    ? "usd"
    : "tokens";
}

export function FrontierChart({
  projectId,
  points: packed,
}: {
  projectId: string;
  /** Every valid candidate scored on the search split (its newest evaluation), by number. */
  points: Packed<FrontierChartPoint>;
}) {
  const points = useMemo(() => unpackRows(packed), [packed]);
  // Until a person picks a unit, it follows the points (a run prices its first evaluations live).
  const [picked, setUnit] = useState<Unit | null>(null);
  const unit = picked ?? defaultUnit(points);
  if (points.length === 0) {
    return (
      <div className={styles.empty} data-chart="frontier" data-empty>
        <p>
          No evaluated candidates yet. Each candidate scored on the search split appears here, by score and cost per
          task.
        </p>
      </div>
    );
  }
  const priced = points.some((point) => point.costPerTask != null);
  const xOf = (point: { tokensPerTask: number; costPerTask: number | null }) =>
    unit === "usd" ? point.costPerTask : point.tokensPerTask;
  const shown = points.filter((point) => xOf(point) != null);
  const unpriced = unit === "usd" ? points.filter((point) => point.costPerTask == null) : [];
  const ticks = niceTicks(Math.max(0, ...shown.map((point) => xOf(point)!)), { minStep: MIN_STEP[unit] });
  const top = ticks.at(-1)!;
  const spreads = spreadOverlaps(shown, (point) => ({ x: xOf(point)!, y: point.score }), { x: top, y: 1 });
  const plotted: Plotted[] = shown.map((point, i) => ({
    ...point,
    x: xOf(point)!,
    spread: spreads[i],
    front: unit === "usd" ? point.onCostFrontier : point.onFrontier,
    scoreError: errorOf(point.score, point.scoreLow, point.scoreHigh),
  }));
  // The frontier cheapest first: no two of its members cost the same (the cheaper-or-better one wins).
  const steps = plotted
    .filter((point) => point.front)
    .sort((a, b) => a.x - b.x)
    .map((point) => ({ score: point.score, x: point.x }));
  // The step line runs on to the right edge: beyond the last frontier point, more spend buys nothing.
  const line = steps.length ? [...steps, { score: steps.at(-1)!.score, x: top }] : [];

  return (
    <div data-chart="frontier" data-unit={unit}>
      <div className={styles.unitRow}>
        <span className={styles.unitToggle} role="group" aria-label="Cost unit">
          <button
            type="button"
            aria-pressed={unit === "usd"}
            disabled={!priced}
            title={priced ? undefined : "No evaluation has a price: add the model's price in settings"}
            onClick={() => setUnit("usd")}
          >
            $ per task
          </button>
          <button type="button" aria-pressed={unit === "tokens"} onClick={() => setUnit("tokens")}>
            tokens per task
          </button>
        </span>
        {unpriced.length > 0 && (
          <span className="faint">unpriced, not shown: {unpriced.map((point) => `#${point.number}`).join(", ")}</span>
        )}
      </div>
      <div className={styles.chart}>
        <FrontierPlot projectId={projectId} unit={unit} plotted={plotted} line={line} ticks={ticks} />
      </div>
      <div className={styles.legend}>
        <span className={styles.legendItem}>
          <span className={styles.swatchDot} style={{ background: "var(--accent)" }} /> on the frontier
        </span>
        <span className={styles.legendItem}>
          <span className={styles.swatchDot} style={{ border: "1.5px solid var(--text-3)" }} /> others
        </span>
        <span
          className={styles.legendItem}
          title={`The best search score reachable for a given ${unit === "usd" ? "spend" : "token budget"} per task`}
        >
          <span
            className={styles.swatchLine}
            style={{ background: "none", borderTop: "2px dashed var(--accent)", height: 0 }}
          />{" "}
          frontier
        </span>
        <span className={`${styles.legendItem} faint`}>
          bars: 95% interval · points on one spot are set side by side · each opens its candidate
        </span>
      </div>
    </div>
  );
}
