"use client";

// The score-against-cost chart's plot (recharts): loaded on its own, after the overview (FrontierChart).
import { useRouter } from "next/navigation";
import {
  CartesianGrid,
  ComposedChart,
  ErrorBar,
  Line,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { tokenTickLabel, usdTickLabel } from "@/lib/charts/axis";
import { spreadOffset } from "@/lib/charts/overlap";
import { formatCost, formatInterval, formatScore, formatTokens, formatUsd } from "@/lib/format";
import type { CostUnit as Unit, FrontierChartPoint, Plotted } from "./points";
import styles from "./charts.module.css";

const percent = (value: number) => `${Math.round(value * 100)}%`;
/** Above this many points, crowds are set side by side but only the frontier is labelled (labels would bury the dots). */
const LABEL_CROWDS_UP_TO = 40;

export function FrontierPlot(props: {
  projectId: string;
  unit: Unit;
  plotted: Plotted[];
  /** The frontier's step line, on to the axis's right edge. */
  line: { score: number; x: number }[];
  ticks: number[];
}) {
  const { projectId, unit, plotted, line, ticks } = props;
  const router = useRouter();
  const top = ticks.at(-1)!;
  const label = (value: number) => (unit === "usd" ? usdTickLabel(value, ticks) : tokenTickLabel(value, ticks));
  const href = (id: string) => `/projects/${projectId}/candidates/${id}`;
  const perTask = (point: FrontierChartPoint) =>
    unit === "usd"
      ? `${formatUsd(point.costPerTask)} per task`
      : `${formatTokens(Math.round(point.tokensPerTask))} tokens per task`;
  return (
    <ResponsiveContainer width="100%" height="100%">
      <ComposedChart margin={{ top: 18, right: 24, bottom: 18, left: 4 }}>
        <CartesianGrid vertical={false} />
        <XAxis
          dataKey="x"
          type="number"
          domain={[0, top]}
          ticks={ticks}
          interval={0}
          tickFormatter={label}
          label={{
            value: unit === "usd" ? "Dollars per task (search)" : "Tokens per task (search)",
            position: "insideBottom",
            offset: -10,
          }}
        />
        <YAxis
          dataKey="score"
          type="number"
          domain={[0, 1]}
          ticks={[0, 0.25, 0.5, 0.75, 1]}
          tickFormatter={percent}
          width={44}
        />
        <Tooltip
          content={<PointTooltip unit={unit} />}
          cursor={{ strokeDasharray: "3 3", stroke: "var(--border-strong)" }}
        />
        <Line
          data={line}
          dataKey="score"
          type="stepAfter"
          stroke="var(--accent)"
          strokeWidth={1.5}
          strokeDasharray="5 3"
          dot={false}
          activeDot={false}
          isAnimationActive={false}
          tooltipType="none"
          legendType="none"
        />
        <Scatter
          data={plotted}
          isAnimationActive={false}
          shape={(shape: { cx?: number; cy?: number; payload?: Plotted }) => {
            const point = shape.payload;
            if (!point || shape.cx == null || shape.cy == null) return <g />;
            const cx = shape.cx + spreadOffset(point.spread);
            const crowded = point.spread.size > 1 && plotted.length <= LABEL_CROWDS_UP_TO;
            return (
              <a
                href={href(point.id)}
                className={styles.point}
                aria-label={`Candidate #${point.number}: ${formatScore(point.score)} at ${perTask(point)}${point.front ? ", on the frontier" : ""}`}
                data-candidate={point.number}
                onClick={(event) => {
                  if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                  event.preventDefault();
                  router.push(href(point.id));
                }}
              >
                <circle
                  cx={cx}
                  cy={shape.cy}
                  r={point.front ? 6 : 4.5}
                  fill={point.front ? "var(--accent)" : "var(--surface)"}
                  stroke={point.front ? "var(--accent)" : "var(--text-3)"}
                  strokeWidth={1.5}
                />
                {(point.front || crowded) && (
                  <text
                    x={cx}
                    // Side by side, labels alternate above and below so neighbours do not collide.
                    y={crowded && point.spread.index % 2 === 1 ? shape.cy + 18 : shape.cy - 10}
                    textAnchor={crowded ? "middle" : "start"}
                    dx={crowded ? 0 : 6}
                    fontSize={11}
                    fill="var(--text-2)"
                  >
                    #{point.number}
                  </text>
                )}
              </a>
            );
          }}
        >
          <ErrorBar dataKey="scoreError" direction="y" width={4} stroke="var(--text-3)" strokeWidth={1} />
        </Scatter>
      </ComposedChart>
    </ResponsiveContainer>
  );
}

function PointTooltip(props: { unit: Unit; active?: boolean; payload?: readonly { payload?: Partial<Plotted> }[] }) {
  const point = props.active ? props.payload?.find((item) => item.payload?.number != null)?.payload : undefined;
  if (!point || point.number == null) return null;
  return (
    <div className={styles.tooltip}>
      <strong>
        #{point.number} <span className={styles.tooltipMuted}>· {point.origin}</span>
      </strong>
      <span>
        Search score {formatScore(point.score)}
        {point.scoreLow != null && (
          <span className={styles.tooltipMuted}> · 95% {formatInterval(point.scoreLow, point.scoreHigh)}</span>
        )}
      </span>
      <span>{formatTokens(Math.round(point.tokensPerTask ?? 0))} tokens per task</span>
      <span>{point.costPerTask == null ? "unpriced" : `${formatUsd(point.costPerTask)} per task`}</span>
      <span className={styles.tooltipMuted}>{formatCost(point.costUsd)} for the evaluation</span>
      {point.front && <span style={{ color: "var(--accent)" }}>on the frontier</span>}
    </div>
  );
}
