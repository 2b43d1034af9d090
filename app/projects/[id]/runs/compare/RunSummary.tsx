// One side's task run in brief: whose it is, how it ended, what it cost, and its output against
// the expected answer with the grader's explanation.
import Link from "next/link";
import { Badge, ui } from "@/components/ui";
import { formatDuration, formatScore, formatTokens, formatCost } from "@/lib/format";
import type { TaskRunView } from "@/lib/traces/task-run-view";
import styles from "./compare.module.css";

const statusTone = { passed: "pass", failed: "fail", error: "warn", pending: "neutral", running: "accent" } as const;

export function RunSummary(props: { run: TaskRunView; label: string }) {
  const { run } = props;
  return (
    <section className={`${ui.card} ${styles.summary}`} data-summary={props.label.toLowerCase()}>
      <div className={styles.summaryHead}>
        <span className={styles.sideKey}>{props.label}</span>
        <Link href={`/projects/${run.projectId}/candidates/${run.candidateId}`} className={styles.candidate}>
          #{run.candidateNumber}
        </Link>
        <span className="muted">{run.taskKey}</span>
        <Badge tone={statusTone[run.status as keyof typeof statusTone] ?? "neutral"}>{run.status}</Badge>
        <span className={styles.spacer} />
        <Link href={`/projects/${run.projectId}/runs/${run.id}`} className={ui.button}>
          Open alone
        </Link>
      </div>
      <div className={styles.figures}>
        <span>score {formatScore(run.score)}</span>
        <span>
          {formatTokens(run.inputTokens)} in / {formatTokens(run.outputTokens)} out
        </span>
        <span>{formatCost(run.costUsd)}</span>
        <span>{formatDuration(run.durationMs)}</span>
        <span>{run.eventCount.toLocaleString("en-US")} events</span>
      </div>
      {run.errorKind && (
        <div className={styles.error}>
          <strong>{run.errorKind}</strong>: {run.errorMessage ?? "(no message)"}
        </div>
      )}
      <div className={styles.values}>
        <div>
          <div className={styles.valueLabel}>Output</div>
          <pre className={styles.value}>{run.output ? run.output.text || "(empty string)" : "No output."}</pre>
        </div>
        <div>
          <div className={styles.valueLabel}>Expected</div>
          <pre className={styles.value}>{run.expected.text || "(empty string)"}</pre>
        </div>
      </div>
      <div className={styles.explanation}>{run.explanation ?? <span className="faint">Not graded.</span>}</div>
    </section>
  );
}
