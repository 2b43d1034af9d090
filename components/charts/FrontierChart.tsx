"use client";

// Every evaluated candidate, search score against cost per task, in dollars (the default when
// every point is priced) or tokens; the frontier (nobody scores higher for less) as a step
// line. Points on the same spot are set side by side and each labelled. Each opens its candidate.
// Each score's 95% interval is an error bar: points whose bars overlap are within noise, and the
// frontier keeps the cheaper (lib/candidates/selection.ts).
import { useRouter } from "next/navigation";
import { useMemo, useState } from "react";
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
import { errorOf } from "@/lib/charts/error-bar";
import { niceTicks, tokenTickLabel, usdTickLabel } from "@/lib/charts/axis";
import { spreadOffset, spreadOverlaps, type Spread } from "@/lib/charts/overlap";
import { formatInterval, formatScore, formatTokens, formatCost, formatUsd } from "@/lib/format";
import { useCandidateRows } from "@/components/candidates/CandidateRows";
import type { CandidateTableRow } from "@/lib/candidates/queries";
import styles from "./charts.module.css";

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

type Unit = "usd" | "tokens";
type Plotted = FrontierChartPoint & { x: number; spread: Spread; front: boolean; scoreError: [number, number] | null };

const percent = (value: number) => `${Math.round(value * 100)}%`;
/** Above this many points, crowds are set side by side but only the frontier is labelled (labels would bury the dots). */
const LABEL_CROWDS_UP_TO = 40;
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

/** The chart's points: every valid candidate scored on the search split, from the overview's rows. */
function pointsOf(rows: CandidateTableRow[], frontier: Set<string>, costFrontier: Set<string>): FrontierChartPoint[] {
  return rows
    .filter((row) => row.status === "valid" && row.searchScore != null && row.tokensPerTask != null)
    .map((row) => ({
      id: row.id,
      number: row.number,
      origin: row.origin,
      score: row.searchScore!,
      scoreLow: row.searchLow,
      scoreHigh: row.searchHigh,
      tokensPerTask: row.tokensPerTask!,
      costUsd: row.costUsd,
      costPerTask: row.costPerTask,
      onFrontier: frontier.has(row.id),
      onCostFrontier: costFrontier.has(row.id),
    }))
    .sort((a, b) => a.number - b.number);
}

export function FrontierChart({
  projectId,
  frontier,
  costFrontier,
}: {
  projectId: string;
  /** Ids of the frontier by tokens per task, cheapest first. */
  frontier: string[];
  /** Ids of the frontier by dollars per task, cheapest first. */
  costFrontier: string[];
}) {
  const router = useRouter();
  const rows = useCandidateRows();
  const points = useMemo(
    () => pointsOf(rows, new Set(frontier), new Set(costFrontier)),
    [rows, frontier, costFrontier],
  );
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
  const label = (value: number) => (unit === "usd" ? usdTickLabel(value, ticks) : tokenTickLabel(value, ticks));
  const spreads = spreadOverlaps(shown, (point) => ({ x: xOf(point)!, y: point.score }), { x: top, y: 1 });
  const plotted: Plotted[] = shown.map((point, i) => ({
    ...point,
    x: xOf(point)!,
    spread: spreads[i],
    front: unit === "usd" ? point.onCostFrontier : point.onFrontier,
    scoreError: errorOf(point.score, point.scoreLow, point.scoreHigh),
  }));
  const byId = new Map(plotted.map((point) => [point.id, point]));
  const steps = (unit === "usd" ? costFrontier : frontier)
    .filter((id) => byId.has(id))
    .map((id) => ({ score: byId.get(id)!.score, x: byId.get(id)!.x }));
  // The step line runs on to the right edge: beyond the last frontier point, more spend buys nothing.
  const line = steps.length ? [...steps, { score: steps.at(-1)!.score, x: top }] : [];
  const href = (id: string) => `/projects/${projectId}/candidates/${id}`;
  const perTask = (point: FrontierChartPoint) =>
    unit === "usd"
      ? `${formatUsd(point.costPerTask)} per task`
      : `${formatTokens(Math.round(point.tokensPerTask))} tokens per task`;

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
