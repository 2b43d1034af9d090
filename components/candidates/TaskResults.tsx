// Per-task results of one evaluation, filterable by outcome through the URL (?results=failed)
// and paged (?page=2); each task run opens its trace. With trials, a task's trials sit side by
// side in its row, beside its score (their mean). Previews only: full bodies live on the trace page.
import Link from "next/link";
import { Badge, EmptyState, ui } from "@/components/ui";
import { formatDuration, formatScore, formatTokens } from "@/lib/format";
import type { TaskOutcome, TaskResultRow, TrialResult } from "@/lib/evaluations/queries";
import { runHref, taskStatusTone } from "./format";
import styles from "./candidate.module.css";

export const OUTCOMES: TaskOutcome[] = ["passed", "failed", "error"];

export function parseOutcome(value: string | string[] | undefined): TaskOutcome | null {
  return OUTCOMES.find((outcome) => outcome === value) ?? null;
}

/** The page's own URL with `results` (the outcome filter) set, or removed for "all". */
export type ResultsHref = (outcome: TaskOutcome | null) => string;

export function TaskResults(props: {
  projectId: string;
  hrefFor: ResultsHref;
  rows: TaskResultRow[];
  counts: Record<string, number>;
  outcome: TaskOutcome | null;
  taskCount: number;
  /** Task runs per task: above 1, each task's trials are shown side by side. */
  trials: number;
  /** Which page of the filtered rows this is: `size` rows a page, `total` rows in all. */
  pages: { page: number; size: number; total: number; hrefFor: (page: number) => string };
}) {
  const { counts, outcome } = props;
  const unfinished = (counts.pending ?? 0) + (counts.running ?? 0);
  const chips: { key: TaskOutcome | null; label: string; count: number }[] = [
    { key: null, label: "All", count: props.taskCount },
    { key: "passed", label: "Passed", count: counts.passed ?? 0 },
    { key: "failed", label: "Failed", count: counts.failed ?? 0 },
    { key: "error", label: "Error", count: counts.error ?? 0 },
  ];
  return (
    <div>
      <nav className={styles.filters} aria-label="Filter task results">
        {chips.map((chip) => (
          <Link
            key={chip.label}
            href={props.hrefFor(chip.key)}
            scroll={false}
            className={`${styles.chip} ${chip.key === outcome ? styles.chipActive : ""}`}
            aria-current={chip.key === outcome ? "page" : undefined}
            data-filter={chip.key ?? "all"}
          >
            {chip.label} <span className={styles.chipCount}>{chip.count}</span>
          </Link>
        ))}
        {unfinished > 0 && <span className="faint">{unfinished} not finished yet</span>}
      </nav>
      {props.rows.length === 0 && props.pages.page > 1 ? (
        <EmptyState icon="✓" title={`No page ${props.pages.page}`}>
          <p>
            <Link href={props.pages.hrefFor(1)}>Show the first page</Link>
          </p>
        </EmptyState>
      ) : props.rows.length === 0 ? (
        <EmptyState icon="✓" title={outcome ? `No ${outcome} tasks` : "No task runs"}>
          <p>
            {outcome ? (
              <Link href={props.hrefFor(null)}>Show all task results</Link>
            ) : (
              "This evaluation has no task runs."
            )}
          </p>
        </EmptyState>
      ) : (
        <div className={styles.scroll}>
          {props.trials > 1 ? (
            <TrialsTable projectId={props.projectId} rows={props.rows} trials={props.trials} />
          ) : (
            <OneRunTable projectId={props.projectId} rows={props.rows} />
          )}
          <Pager {...props.pages} />
        </div>
      )}
    </div>
  );
}

/** One task run per task: its outcome, output and figures in the task's row. */
function OneRunTable(props: { projectId: string; rows: TaskResultRow[] }) {
  return (
    <table className={ui.table} data-table="task-results">
      <thead>
        <tr>
          <th>Task</th>
          <th>Outcome</th>
          <th className={ui.right}>Score</th>
          <th>Input</th>
          <th>Output · expected</th>
          <th className={ui.right}>Tokens</th>
          <th className={ui.right}>Time</th>
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => {
          const run = row.trials[0];
          return (
            <tr key={run.taskRunId} data-status={run.status}>
              <td>
                <Link
                  className={styles.taskKey}
                  href={runHref(props.projectId, run.taskRunId)}
                  title="Open the trace"
                  prefetch={false}
                >
                  {row.taskKey}
                </Link>
              </td>
              <td>
                <OutcomeBadge run={run} />
              </td>
              <td className={`${ui.right} num`}>{formatScore(run.score)}</td>
              <td>
                <div className={styles.input} title={row.inputPreview}>
                  {row.inputPreview}
                </div>
              </td>
              <td>
                <RunOutput run={run} />
                <div className={styles.expected} title={row.expectedPreview}>
                  expected {row.expectedPreview}
                </div>
              </td>
              <td className={`${ui.right} num`}>{formatTokens(run.tokens)}</td>
              <td className={`${ui.right} num`}>{formatDuration(run.durationMs)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Several trials per task: the task's score (their mean) and each trial side by side, each opening its trace. */
function TrialsTable(props: { projectId: string; rows: TaskResultRow[]; trials: number }) {
  const columns = Array.from({ length: props.trials }, (_, index) => index + 1);
  return (
    <table className={ui.table} data-table="task-results" data-trials={props.trials}>
      <thead>
        <tr>
          <th>Task</th>
          <th className={ui.right} title="The mean over its finished trials">
            Score
          </th>
          <th>Input · expected</th>
          {columns.map((trial) => (
            <th key={trial}>Trial {trial}</th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.rows.map((row) => {
          const passed = row.trials.filter((run) => run.status === "passed").length;
          return (
            <tr key={row.taskKey} data-task={row.taskKey}>
              <td>
                <span className={styles.taskKey}>{row.taskKey}</span>
              </td>
              <td className={`${ui.right} num`}>
                {formatScore(row.score)}
                <div className="faint" data-passed-trials>
                  {passed}/{row.trials.length} passed
                </div>
              </td>
              <td>
                <div className={styles.input} title={row.inputPreview}>
                  {row.inputPreview}
                </div>
                <div className={styles.expected} title={row.expectedPreview}>
                  expected {row.expectedPreview}
                </div>
              </td>
              {columns.map((trial) => {
                const run = row.trials.find((candidate) => candidate.trial === trial);
                return (
                  <td key={trial} data-trial={trial} data-status={run?.status}>
                    {run ? (
                      <>
                        <Link
                          href={runHref(props.projectId, run.taskRunId)}
                          title={`Open the trace of trial ${trial}`}
                          prefetch={false}
                        >
                          <OutcomeBadge run={run} />
                        </Link>
                        <RunOutput run={run} />
                        <div className="faint num">
                          {formatTokens(run.tokens)} tokens · {formatDuration(run.durationMs)}
                        </div>
                      </>
                    ) : (
                      <span className="faint">—</span>
                    )}
                  </td>
                );
              })}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

function OutcomeBadge({ run }: { run: TrialResult }) {
  return (
    <Badge tone={taskStatusTone(run.status)} title={run.errorKind ?? undefined}>
      {run.status}
      {run.errorKind ? ` · ${run.errorKind}` : ""}
      {run.score != null && run.score > 0 && run.score < 1 ? ` · ${formatScore(run.score)}` : ""}
    </Badge>
  );
}

function RunOutput({ run }: { run: TrialResult }) {
  return run.errorMessage ? (
    <div className={styles.errorText} title={run.errorMessage}>
      {run.errorMessage}
    </div>
  ) : (
    <div className={styles.preview} title={run.outputPreview ?? undefined}>
      {run.outputPreview ?? <span className="faint">—</span>}
    </div>
  );
}

function Pager(props: { page: number; size: number; total: number; hrefFor: (page: number) => string }) {
  const last = Math.max(1, Math.ceil(props.total / props.size));
  if (last === 1) return null;
  const first = (props.page - 1) * props.size + 1;
  const step = (page: number, label: string) =>
    page >= 1 && page <= last ? (
      <Link href={props.hrefFor(page)} scroll={false} data-page-link={page}>
        {label}
      </Link>
    ) : (
      <span className={styles.pagerOff}>{label}</span>
    );
  return (
    <nav className={styles.pager} aria-label="Task result pages">
      <span data-page-rows>
        {first.toLocaleString("en-US")}–{Math.min(props.total, first + props.size - 1).toLocaleString("en-US")} of{" "}
        {props.total.toLocaleString("en-US")}
      </span>
      <span className={styles.pagerSpacer} />
      {step(props.page - 1, "← Previous")}
      <span>
        page {props.page} of {last}
      </span>
      {step(props.page + 1, "Next →")}
    </nav>
  );
}
