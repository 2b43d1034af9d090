"use client";

// Every evaluated candidate, search score against tokens per task; the frontier (nobody
// scores higher for fewer tokens) as a step line. Each point is a link to its candidate.
import { useRouter } from "next/navigation";
import { CartesianGrid, ComposedChart, Line, ResponsiveContainer, Scatter, Tooltip, XAxis, YAxis } from "recharts";
import { formatScore, formatTokens, formatCost } from "@/lib/format";
import styles from "./charts.module.css";

export interface FrontierChartPoint {
  id: string;
  number: number;
  origin: string;
  score: number;
  tokensPerTask: number;
  /** Null when the evaluation was unpriced. */
  costUsd: number | null;
  onFrontier: boolean;
}

const percent = (value: number) => `${Math.round(value * 100)}%`;

export function FrontierChart({
  projectId,
  points,
  frontier,
}: {
  projectId: string;
  points: FrontierChartPoint[];
  frontier: { id: string; score: number; tokensPerTask: number }[];
}) {
  const router = useRouter();
  if (points.length === 0) {
    return (
      <div className={styles.empty} data-chart="frontier" data-empty>
        <p>
          No evaluated candidates yet. Each candidate scored on the search split appears here, by score and tokens per
          task.
        </p>
      </div>
    );
  }
  const maxTokens = Math.max(...points.map((point) => point.tokensPerTask), 1);
  // The step line runs on to the right edge: beyond the last frontier point, more tokens buy nothing.
  const line = frontier.length
    ? [...frontier, { id: "edge", score: frontier.at(-1)!.score, tokensPerTask: maxTokens * 1.05 }]
    : [];
  const href = (id: string) => `/projects/${projectId}/candidates/${id}`;

  return (
    <div data-chart="frontier">
      <div className={styles.chart}>
        <ResponsiveContainer width="100%" height="100%">
          <ComposedChart margin={{ top: 10, right: 20, bottom: 18, left: 0 }}>
            <CartesianGrid vertical={false} />
            <XAxis
              dataKey="tokensPerTask"
              type="number"
              domain={[0, "auto"]}
              tickFormatter={(value: number) => formatTokens(Math.round(value))}
              label={{ value: "Tokens per task (search)", position: "insideBottom", offset: -10 }}
            />
            <YAxis
              dataKey="score"
              type="number"
              domain={[0, 1]}
              ticks={[0, 0.25, 0.5, 0.75, 1]}
              tickFormatter={percent}
              width={44}
            />
            <Tooltip content={<PointTooltip />} cursor={{ strokeDasharray: "3 3", stroke: "var(--border-strong)" }} />
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
              data={points}
              isAnimationActive={false}
              shape={(shape: { cx?: number; cy?: number; payload?: FrontierChartPoint }) => {
                const point = shape.payload;
                if (!point || shape.cx == null || shape.cy == null) return <g />;
                return (
                  <a
                    href={href(point.id)}
                    className={styles.point}
                    aria-label={`Candidate #${point.number}: ${formatScore(point.score)} at ${formatTokens(Math.round(point.tokensPerTask))} tokens per task${point.onFrontier ? ", on the frontier" : ""}`}
                    data-candidate={point.number}
                    onClick={(event) => {
                      if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
                      event.preventDefault();
                      router.push(href(point.id));
                    }}
                  >
                    <circle
                      cx={shape.cx}
                      cy={shape.cy}
                      r={point.onFrontier ? 6 : 4.5}
                      fill={point.onFrontier ? "var(--accent)" : "var(--surface)"}
                      stroke={point.onFrontier ? "var(--accent)" : "var(--text-3)"}
                      strokeWidth={1.5}
                    />
                    {point.onFrontier && (
                      <text x={shape.cx + 8} y={shape.cy - 8} fontSize={11} fill="var(--text-2)">
                        #{point.number}
                      </text>
                    )}
                  </a>
                );
              }}
            />
          </ComposedChart>
        </ResponsiveContainer>
      </div>
      <div className={styles.legend}>
        <span className={styles.legendItem}>
          <span className={styles.swatchDot} style={{ background: "var(--accent)" }} /> on the frontier
        </span>
        <span className={styles.legendItem}>
          <span className={styles.swatchDot} style={{ border: "1.5px solid var(--text-3)" }} /> others
        </span>
        <span className={styles.legendItem} title="The best search score reachable for a given token budget">
          <span
            className={styles.swatchLine}
            style={{ background: "none", borderTop: "2px dashed var(--accent)", height: 0 }}
          />{" "}
          frontier
        </span>
        <span className={`${styles.legendItem} faint`}>points open their candidate</span>
      </div>
    </div>
  );
}

function PointTooltip(props: { active?: boolean; payload?: readonly { payload?: Partial<FrontierChartPoint> }[] }) {
  const point = props.active ? props.payload?.find((item) => item.payload?.number != null)?.payload : undefined;
  if (!point || point.number == null) return null;
  return (
    <div className={styles.tooltip}>
      <strong>
        #{point.number} <span className={styles.tooltipMuted}>· {point.origin}</span>
      </strong>
      <span>Search score {formatScore(point.score)}</span>
      <span>{formatTokens(Math.round(point.tokensPerTask ?? 0))} tokens per task</span>
      <span className={styles.tooltipMuted}>{formatCost(point.costUsd)} for the evaluation</span>
      {point.onFrontier && <span style={{ color: "var(--accent)" }}>on the frontier</span>}
    </div>
  );
}
