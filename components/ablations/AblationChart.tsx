"use client";

// Best search score so far against iteration, one line per feedback mode (0 = the seed, the same
// harness in every mode).
import { CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { formatScore } from "@/lib/format";
import styles from "@/components/charts/charts.module.css";

export interface AblationSeries {
  feedback: string;
  label: string;
  points: { iteration: number; best: number | null }[];
}

const COLORS: Record<string, string> = { raw: "var(--accent)", summary: "var(--warn)", scores: "var(--text-3)" };
const percent = (value: number) => `${Math.round(value * 100)}%`;

export function AblationChart({ series }: { series: AblationSeries[] }) {
  const last = Math.max(1, ...series.flatMap((arm) => arm.points.map((point) => point.iteration)));
  const rows = Array.from({ length: last + 1 }, (_, iteration) => {
    const row: Record<string, number | null> = { iteration };
    for (const arm of series)
      row[arm.feedback] = arm.points.find((point) => point.iteration === iteration)?.best ?? null;
    return row;
  });
  if (series.every((arm) => arm.points.length === 0))
    return (
      <div className={styles.empty} data-chart="ablation" data-empty>
        <p>No search scores yet: each mode scores the seed first (iteration 0).</p>
      </div>
    );
  return (
    <div
      className={styles.chart}
      data-chart="ablation"
      role="img"
      aria-label={series
        .map((arm) => `${arm.label}: ${arm.points.map((point) => formatScore(point.best)).join(", ")}`)
        .join("; ")}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={rows} margin={{ top: 10, right: 16, bottom: 18, left: 0 }}>
          <CartesianGrid vertical={false} />
          <XAxis
            dataKey="iteration"
            type="number"
            domain={[0, last]}
            allowDecimals={false}
            tickFormatter={(value: number) => (value === 0 ? "seed" : String(value))}
          />
          <YAxis domain={[0, 1]} tickFormatter={percent} width={44} ticks={[0, 0.25, 0.5, 0.75, 1]} />
          <Tooltip
            formatter={(value) => formatScore(typeof value === "number" ? value : null)}
            labelFormatter={(value) => (value === 0 ? "Seed" : `Iteration ${String(value)}`)}
          />
          <Legend verticalAlign="top" height={24} />
          {series.map((arm) => (
            <Line
              key={arm.feedback}
              dataKey={arm.feedback}
              name={arm.label}
              type="stepAfter"
              stroke={COLORS[arm.feedback]}
              strokeWidth={2}
              strokeDasharray={arm.feedback === "scores" ? "5 4" : undefined}
              dot={{ r: 3, fill: COLORS[arm.feedback], stroke: COLORS[arm.feedback] }}
              isAnimationActive={false}
              connectNulls
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
