"use client";

// The score-progress chart's plot (recharts): loaded on its own, after the overview (ScoreProgressChart).
import { CartesianGrid, ErrorBar, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatInterval, formatScore } from "@/lib/format";
import type { ProgressPoint } from "./points";
import styles from "./charts.module.css";

const percent = (value: number) => `${Math.round(value * 100)}%`;

export function ScoreProgressPlot({ data, last }: { data: ProgressPoint[]; last: number }) {
  return (
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
