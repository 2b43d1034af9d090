// Which tasks changed outcome between two candidates' newest search evaluations: each row shows
// output A against output B and the expected answer (wrapped, cut long), and links to both task
// runs' traces and to them side by side. Filterable through the URL (?show=broken).
import Link from "next/link";
import { Badge, EmptyState, ui } from "@/components/ui";
import { formatScore } from "@/lib/format";
import type { PairedComparison } from "@/lib/evaluations/paired";
import type { OutcomeChange, OutcomeDiff, OutcomeSide } from "@/lib/evaluations/queries";
import { runHref, taskStatusTone } from "./format";
import styles from "./candidate.module.css";

export const CHANGES: { key: OutcomeChange; label: string; hint: string; tone: "pass" | "fail" | "warn" }[] = [
  { key: "broken", label: "pass → fail", hint: "passed in A, not in B", tone: "fail" },
  { key: "fixed", label: "fail → pass", hint: "not passed in A, passed in B", tone: "pass" },
  { key: "changed", label: "fail ↔ error", hint: "failed in one, errored in the other", tone: "warn" },
];

/** A score worth showing beside the outcome: only a partial one (a pass or a fail says 1 or 0 already). */
function partial(score: number | null) {
  return score != null && score > 0 && score < 1 ? <span className="num muted">{formatScore(score)} </span> : null;
}

export function parseChange(value: string | string[] | undefined): OutcomeChange | null {
  return CHANGES.find((change) => change.key === value)?.key ?? null;
}

export function OutcomeDiffTable(props: {
  projectId: string;
  diff: OutcomeDiff;
  a: { number: number };
  b: { number: number };
  show: OutcomeChange | null;
  hrefFor: (show: OutcomeChange | null) => string;
}) {
  const { diff, show } = props;
  const rows = show ? diff.rows.filter((row) => row.change === show) : diff.rows;
  const total = diff.counts.fixed + diff.counts.broken + diff.counts.changed;
  return (
    <div>
      {diff.comparison && <PairedLine comparison={diff.comparison} a={props.a.number} b={props.b.number} />}
      <nav className={styles.filters} aria-label="Filter outcome changes">
        <Link
          href={props.hrefFor(null)}
          scroll={false}
          className={`${styles.chip} ${show === null ? styles.chipActive : ""}`}
          data-filter="all"
        >
          All changes <span className={styles.chipCount}>{total}</span>
        </Link>
        {CHANGES.map((change) => (
          <Link
            key={change.key}
            href={props.hrefFor(change.key)}
            scroll={false}
            title={change.hint}
            className={`${styles.chip} ${show === change.key ? styles.chipActive : ""}`}
            data-filter={change.key}
          >
            {change.label}{" "}
            <span className={styles.chipCount} data-count={change.key}>
              {diff.counts[change.key]}
            </span>
          </Link>
        ))}
        <span className="faint">
          · unchanged: {diff.counts.samePassed} passed in both, {diff.counts.sameNotPassed} passed in neither
          {diff.counts.unfinished > 0 ? ` · ${diff.counts.unfinished} not finished in one of them` : ""}
        </span>
      </nav>
      {rows.length === 0 ? (
        <EmptyState icon="=" title={total === 0 ? "No task changed outcome" : "No task in this group"}>
          <p>
            {total === 0 ? (
              `#${props.a.number} and #${props.b.number} pass and fail the same tasks.`
            ) : (
              <Link href={props.hrefFor(null)}>Show all changes</Link>
            )}
          </p>
        </EmptyState>
      ) : (
        <div className={styles.scroll}>
          <table className={`${ui.table} ${styles.outcomeTable}`} data-table="outcome-diff">
            <thead>
              <tr>
                <th>Task</th>
                <th>Change</th>
                <th className={styles.outcomeColumn}>A · #{props.a.number}</th>
                <th className={styles.outcomeColumn}>B · #{props.b.number}</th>
                <th className={styles.expectedColumn}>Expected</th>
                <th aria-label="Both traces" />
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const change = CHANGES.find((item) => item.key === row.change)!;
                return (
                  <tr key={row.taskKey} data-change={row.change}>
                    <td className={styles.taskKey}>{row.taskKey}</td>
                    <td>
                      <Badge tone={change.tone}>{change.label}</Badge>
                    </td>
                    <td data-output="a">
                      <OutcomeCell
                        side={row.a}
                        href={runHref(props.projectId, row.a.taskRunId)}
                        title={`Trace of #${props.a.number} on ${row.taskKey}`}
                      />
                    </td>
                    <td data-output="b">
                      <OutcomeCell
                        side={row.b}
                        href={runHref(props.projectId, row.b.taskRunId)}
                        title={`Trace of #${props.b.number} on ${row.taskKey}`}
                      />
                    </td>
                    <td data-output="expected">
                      <pre className={styles.outcomeText}>{row.expected}</pre>
                    </td>
                    <td>
                      <Link
                        prefetch={false}
                        href={`/projects/${props.projectId}/runs/compare?a=${row.a.taskRunId}&b=${row.b.taskRunId}`}
                        title={`The traces of #${props.a.number} and #${props.b.number} on ${row.taskKey}, side by side`}
                        data-side-by-side
                      >
                        side by side
                      </Link>
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** One side of a flipped task: its outcome (linked to its trace), then what it answered or why it errored. */
function OutcomeCell(props: { side: OutcomeSide; href: string; title: string }) {
  const { side } = props;
  return (
    <div className={styles.outcomeCell}>
      <Link prefetch={false} href={props.href} title={props.title}>
        <Badge tone={taskStatusTone(side.status)}>{side.status}</Badge> {partial(side.score)}
        {side.trials > 1 && (
          <span className="muted num">
            {side.passed}/{side.trials} trials passed ·{" "}
          </span>
        )}
        trace →
      </Link>
      {side.error ? (
        <pre className={`${styles.outcomeText} ${styles.outcomeError}`}>{side.error}</pre>
      ) : side.output != null ? (
        <pre className={styles.outcomeText}>{side.output}</pre>
      ) : (
        <span className="faint">no output</span>
      )}
    </div>
  );
}

/** Two selects and a button: a plain GET form, so it works before any script loads. */
export function DiffPicker(props: {
  action: string;
  options: { id: string; number: number; origin: string; status: string }[];
  a: string | null;
  b: string | null;
}) {
  return (
    <form action={props.action} method="get" className={styles.picker} aria-label="Choose the candidates to compare">
      {(
        [
          ["a", "A (before)", props.a],
          ["b", "B (after)", props.b],
        ] as const
      ).map(([name, label, value]) => (
        <label key={name}>
          <span>{label}</span>
          <select name={name} defaultValue={value ?? ""} className={ui.input} required>
            <option value="" disabled>
              Choose…
            </option>
            {props.options.map((option) => (
              <option key={option.id} value={option.id}>
                #{option.number} · {option.origin}
                {option.status === "valid" ? "" : ` · ${option.status}`}
              </option>
            ))}
          </select>
        </label>
      ))}
      <button type="submit" className={ui.button}>
        Compare
      </button>
    </form>
  );
}

/** Whether B's score differs from A's by more than noise, in one sentence. */
function PairedLine(props: { comparison: PairedComparison; a: number; b: number }) {
  const { comparison } = props;
  const points = comparison.difference * 100;
  const signed = `${points > 0 ? "+" : points < 0 ? "−" : "±"}${Math.abs(points).toFixed(1)} points`;
  const test = comparison.test === "mcnemar" ? "McNemar's exact test" : "a paired permutation test";
  const p = comparison.pValue < 0.001 ? "p < 0.001" : `p = ${comparison.pValue.toFixed(3)}`;
  return (
    <p
      className={styles.paired}
      data-testid="paired-comparison"
      data-distinguishable={comparison.distinguishable ? "true" : "false"}
    >
      <strong>
        #{props.b} against #{props.a}: {signed}
      </strong>{" "}
      on {comparison.tasks} shared task{comparison.tasks === 1 ? "" : "s"} ·{" "}
      {comparison.distinguishable ? (
        <span className={styles.pairedReal}>more than noise</span>
      ) : (
        <span className={styles.pairedNoise}>within noise</span>
      )}{" "}
      ({test}, {p}; {comparison.distinguishable ? "below" : "not below"} 0.05)
    </p>
  );
}
