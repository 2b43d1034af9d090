// The transfer matrix as a table: a row per candidate, per model its score with the 95% interval,
// tokens per task and cost, and its gain over the seed with the same model.
import Link from "next/link";
import { Badge, SimulatedBadge, ui } from "@/components/ui";
import { formatCost, formatInterval, formatScore, formatTokens, formatUsd } from "@/lib/format";
import type { TransferCell, TransferMatrix } from "@/lib/transfer/matrix";
import styles from "./transfer.module.css";

/** "+12.5 pts", "−3.0 pts", "±0 pts". */
function gainText(gain: number): string {
  const points = Math.round(gain * 1000) / 10;
  return points === 0 ? "±0 pts" : `${points > 0 ? "+" : "−"}${Math.abs(points).toFixed(1)} pts`;
}

/** Dollars per task can be tiny with a cheap model: "<$0.0001" rather than a "$0.0000" that reads as free. */
function perTask(usd: number): string {
  return usd > 0 && usd < 0.0001 ? "<$0.0001" : formatUsd(usd);
}

function Cell(props: { cell: TransferCell | null; pending: boolean; markSimulated: boolean }) {
  const { cell, pending } = props;
  if (!cell) return <span className="faint">{pending ? "running…" : "—"}</span>;
  return (
    <span className={styles.cell} data-testid="transfer-cell">
      <span>
        <span className={styles.score}>{formatScore(cell.score)}</span>{" "}
        {props.markSimulated && cell.simulated && <SimulatedBadge />}
      </span>
      {cell.scoreLow != null && (
        <span className="faint num" title="The score's 95% interval over tasks">
          {formatInterval(cell.scoreLow, cell.scoreHigh)}
        </span>
      )}
      <span className="muted num">{formatTokens(cell.tokensPerTask)} tokens/task</span>
      <span className="muted num" title={`${cell.taskCount} tasks`}>
        {cell.costPerTask === null ? "unpriced" : `${perTask(cell.costPerTask)}/task`}
        <span className="faint"> · {formatCost(cell.costUsd)} in all</span>
      </span>
      {pending && <span className="faint">a newer one is running…</span>}
    </span>
  );
}

function Gain({ cell, seed }: { cell: TransferCell | null; seed: boolean }) {
  if (seed) return <span className="faint">seed</span>;
  if (!cell || cell.gainOverSeed === null) return <span className="faint">—</span>;
  const gain = cell.gainOverSeed;
  return (
    <span
      className={gain > 0 ? styles.gainUp : gain < 0 ? styles.gainDown : "muted"}
      data-testid="transfer-gain"
      title="Score minus the seed's with the same model"
    >
      {gainText(gain)}
    </span>
  );
}

export function TransferTable({ projectId, matrix }: { projectId: string; matrix: TransferMatrix }) {
  // Every cell simulated: the page's one badge says so. Mixed: each simulated cell says so.
  const cells = matrix.rows.flatMap((row) => Object.values(row.cells)).filter((cell) => cell !== null);
  const mixed = cells.some((cell) => cell.simulated) && cells.some((cell) => !cell.simulated);
  return (
    <div className={ui.card} style={{ overflowX: "auto" }}>
      <table className={`${ui.table} ${styles.matrix}`} aria-label="Transfer matrix">
        <thead>
          <tr>
            <th rowSpan={2}>Candidate</th>
            {matrix.models.map((model) => (
              <th key={model} colSpan={2} className={styles.modelHead} scope="colgroup">
                {model}
                {model === matrix.projectModel && (
                  <>
                    {" "}
                    <Badge tone="accent" title="The model the search ran with (the project's)">
                      project
                    </Badge>
                  </>
                )}
              </th>
            ))}
          </tr>
          <tr>
            {matrix.models.map((model) => [
              <th key={`${model} score`}>score · 95% interval · per task</th>,
              <th key={`${model} gain`}>gain vs seed</th>,
            ])}
          </tr>
        </thead>
        <tbody>
          {matrix.rows.map((row) => (
            <tr key={row.candidateId} data-candidate={row.number}>
              <td>
                <Link href={`/projects/${projectId}/candidates/${row.candidateId}`}>#{row.number}</Link>
                <span className={styles.roles}>
                  {row.seed && <Badge>seed</Badge>}
                  {row.best && <Badge tone="pass">best</Badge>}
                  {row.frontier && <Badge>frontier</Badge>}
                </span>
              </td>
              {matrix.models.map((model) => [
                <td key={`${model} score`} data-model={model}>
                  <Cell cell={row.cells[model]} pending={row.pending.includes(model)} markSimulated={mixed} />
                </td>,
                <td key={`${model} gain`} data-model={model} data-column="gain">
                  <Gain cell={row.cells[model]} seed={row.seed} />
                </td>,
              ])}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
