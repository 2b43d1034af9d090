"use client";

// The best search score so far at each iteration (0 = the seed), with the best candidate
// each iteration made shown as a dot, so a stall and a regression look different. Each score
// carries its 95% interval as an error bar.
import dynamic from "next/dynamic";
import { errorOf } from "@/lib/charts/error-bar";
import { formatScore } from "@/lib/format";
import { unpackRows, type Packed } from "@/lib/candidates/packed";
import type { ProgressPoint } from "./points";
import styles from "./charts.module.css";

// The plot (recharts, the bulk of the overview's script) loads after the page is interactive:
// the server could not draw it anyway (it measures its box in the browser), and the box keeps
// its size meanwhile.
const ScoreProgressPlot = dynamic(() => import("./ScoreProgressPlot").then((module) => module.ScoreProgressPlot), {
  ssr: false,
});

/** `data` comes packed as columns: one point per iteration, hundreds of them in a long project. */
export function ScoreProgressChart({ data: packed }: { data: Packed<ProgressPoint> }) {
  const data = unpackRows(packed).map((point) => ({
    ...point,
    bestError: errorOf(point.best, point.bestLow, point.bestHigh),
    iterationBestError: errorOf(point.iterationBest, point.iterationBestLow, point.iterationBestHigh),
  }));
  if (data.length === 0) {
    return (
      <div className={styles.empty} data-chart="score-progress" data-empty>
        <p>No search scores yet. Once the seed is evaluated on the search split, its score is iteration 0.</p>
      </div>
    );
  }
  const last = data.at(-1)!.iteration;
  return (
    <div data-chart="score-progress">
      <div
        className={styles.chart}
        role="img"
        aria-label={`Best search score by iteration: ${data.map((point) => `${point.iteration === 0 ? "seed" : `iteration ${point.iteration}`} ${formatScore(point.best)}`).join(", ")}`}
      >
        <ScoreProgressPlot data={data} last={last} />
      </div>
      <div className={styles.legend}>
        <span className={styles.legendItem}>
          <span className={styles.swatchLine} /> best so far
        </span>
        <span className={styles.legendItem}>
          <span className={styles.swatchDot} style={{ border: "1.5px solid var(--text-3)" }} /> best candidate of the
          iteration
        </span>
        <span className={`${styles.legendItem} faint`}>bars: 95% interval</span>
      </div>
    </div>
  );
}
