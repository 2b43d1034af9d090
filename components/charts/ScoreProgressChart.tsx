"use client";

// The best search score so far at each iteration (0 = the seed), with the best candidate
// each iteration made shown as a dot, so a stall and a regression look different. Each score
// carries its 95% interval as an error bar.
import { CartesianGrid, ErrorBar, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { errorOf } from "@/lib/charts/error-bar";
import { formatInterval, formatScore } from "@/lib/format";
import { unpackRows, type Packed } from "@/lib/candidates/packed";
import styles from "./charts.module.css";

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

const percent = (value: number) => `${Math.round(value * 100)}%`;

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
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 10, right: 16, bottom: 18, left: 0 }}>
            <CartesianGrid vertical={false} />
            <XAxis
              dataKey="iteration"
              type="number"
              domain={[0, Math.max(1, last)]}
              allowDecimals={false}
              tickFormatter={(value: number) => (value === 0 ? "seed" : String(value))}
              label={{ value: "Iteration", position: "insideBottom", offset: -10 }}
            />
            <YAxis domain={[0, 1]} tickFormatter={percent} width={44} ticks={[0, 0.25, 0.5, 0.75, 1]} />
            <Tooltip content={<ProgressTooltip />} cursor={{ stroke: "var(--border-strong)" }} />
            <Line
              dataKey="iterationBest"
              name="Best of the iteration"
              stroke="none"
              dot={{ r: 3.5, fill: "var(--surface)", stroke: "var(--text-3)", strokeWidth: 1.5 }}
              activeDot={{ r: 5, fill: "var(--surface)", stroke: "var(--text-2)" }}
              isAnimationActive={false}
            >
              <ErrorBar dataKey="iterationBestError" width={4} stroke="var(--text-3)" strokeWidth={1} />
            </Line>
            <Line
              dataKey="best"
              name="Best so far"
              type="stepAfter"
              stroke="var(--accent)"
              strokeWidth={2}
              dot={{ r: 3, fill: "var(--accent)", stroke: "var(--accent)" }}
              activeDot={{ r: 5 }}
              isAnimationActive={false}
              connectNulls
            >
              <ErrorBar dataKey="bestError" width={5} stroke="var(--accent)" strokeWidth={1.5} />
            </Line>
          </LineChart>
        </ResponsiveContainer>
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

function ProgressTooltip(props: { active?: boolean; payload?: readonly { payload?: ProgressPoint }[] }) {
  const point = props.active ? props.payload?.[0]?.payload : undefined;
  if (!point) return null;
  return (
    <div className={styles.tooltip}>
      <strong>{point.iteration === 0 ? "Seed (iteration 0)" : `Iteration ${point.iteration}`}</strong>
      <span>
        Best so far: {formatScore(point.best)}
        {point.bestNumber != null && <span className={styles.tooltipMuted}> · #{point.bestNumber}</span>}
      </span>
      {point.bestLow != null && (
        <span className={styles.tooltipMuted}>95% interval {formatInterval(point.bestLow, point.bestHigh)}</span>
      )}
      <span className={styles.tooltipMuted}>
        {point.iterationBest == null
          ? "No candidate scored in this iteration"
          : `Best of the iteration: ${formatScore(point.iterationBest)} · #${point.iterationBestNumber}`}
      </span>
    </div>
  );
}
