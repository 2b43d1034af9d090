// The task run at a glance: what was asked, how it ended, what it cost, and the grader's
// verdict with expected and actual output side by side.
import Link from "next/link";
import type { ReactNode } from "react";
import { Badge, PageHeader, SimulatedBadge, ui } from "@/components/ui";
import { formatCount, formatDuration, formatScore, formatTokens, formatCost } from "@/lib/format";
import type { TaskRunView } from "@/lib/traces/task-run-view";
import styles from "./page.module.css";

const statusTone = { passed: "pass", failed: "fail", error: "warn", pending: "neutral", running: "accent" } as const;

export function RunHeader(props: {
  run: TaskRunView;
  previousHref: string | null;
  nextHref: string | null;
  failures: number;
  rawHref: string;
  /** The run's audit line (streamed in: lib/audit). */
  audit?: ReactNode;
}) {
  const { run } = props;
  return (
    <>
      <PageHeader
        eyebrow={
          <>
            <Link href="/projects">Projects</Link> <span>/</span>{" "}
            <Link href={`/projects/${run.projectId}`}>{run.projectName}</Link> <span>/</span> <span>task run</span>
          </>
        }
        title={run.taskKey}
        badges={
          <>
            <Badge tone={statusTone[run.status as keyof typeof statusTone] ?? "neutral"}>{run.status}</Badge>
            <Badge tone={run.split === "test" ? "accent" : "neutral"}>{run.split}</Badge>
            {run.simulated && <SimulatedBadge />}
          </>
        }
        actions={
          <div className={styles.actions}>
            <Link
              className={`${ui.button} ${props.previousHref ? "" : styles.disabled}`}
              href={props.previousHref ?? "#"}
              aria-disabled={!props.previousHref}
              title="Previous failed or error task run of this evaluation (p)"
              data-testid="previous-failure"
            >
              ← previous failure
            </Link>
            <Link
              className={`${ui.button} ${props.nextHref ? "" : styles.disabled}`}
              href={props.nextHref ?? "#"}
              aria-disabled={!props.nextHref}
              title="Next failed or error task run of this evaluation (n)"
              data-testid="next-failure"
            >
              next failure →
            </Link>
            <a className={`${ui.button} ${ui.buttonPrimary}`} href={props.rawHref} download data-testid="download-raw">
              Download raw trace
            </a>
          </div>
        }
      />
      <section className={ui.card}>
        <div className={styles.facts}>
          {run.check ? (
            <Fact
              label={run.check.kind === "smoke" ? "Smoke run of" : "Check of"}
              value={
                <Link href={`/projects/${run.projectId}/iterations/${run.check.iterationNumber}`}>
                  iteration {run.check.iterationNumber}
                </Link>
              }
            />
          ) : (
            <Fact
              label="Candidate"
              value={
                <Link href={`/projects/${run.projectId}/candidates/${run.candidateId}`}>#{run.candidateNumber}</Link>
              }
            />
          )}
          <Fact label="Split" value={run.split} />
          <Fact label="Task" value={`${run.taskPosition + 1} in suite order`} />
          <Fact label="Score" value={formatScore(run.score)} />
          <Fact
            label="Tokens in / out"
            value={`${formatTokens(run.inputTokens)} / ${formatTokens(run.outputTokens)}`}
          />
          <Fact label="Cost" value={formatCost(run.costUsd)} />
          <Fact label="Duration" value={formatDuration(run.durationMs)} />
          <Fact label="Events" value={formatCount(run.eventCount)} />
          <Fact label={`Failed runs in this ${run.check ? "check" : "evaluation"}`} value={props.failures} />
        </div>
        {props.audit}
        {run.errorKind && (
          <div className={styles.errorLine} data-testid="run-error">
            <strong>{run.errorKind}</strong>: {run.errorMessage ?? "(no message)"}
          </div>
        )}
        <div className={styles.compare}>
          <div>
            <div className={styles.compareLabel}>Expected</div>
            <Value value={run.expected} />
          </div>
          <div>
            <div className={styles.compareLabel}>Actual output</div>
            {run.output ? (
              <Value value={run.output} />
            ) : (
              <p className="faint">No output{run.status === "error" ? ": the run ended in error" : ""}.</p>
            )}
          </div>
          <div>
            <div className={styles.compareLabel}>
              Grader
              {run.passed != null && (
                <Badge tone={run.passed ? "pass" : "fail"}>{run.passed ? "passed" : "failed"}</Badge>
              )}
              {run.gradeSeq != null && (
                <Link
                  href={`?event=${run.gradeSeq}`}
                  style={{ textTransform: "none", fontWeight: 400, letterSpacing: 0 }}
                >
                  grade event #{run.gradeSeq}
                </Link>
              )}
            </div>
            <div className={styles.explanation}>{run.explanation ?? <span className="faint">Not graded.</span>}</div>
          </div>
        </div>
      </section>
    </>
  );
}

function Fact({ label, value }: { label: string; value: ReactNode }) {
  return (
    <div className={styles.fact}>
      <div className={styles.factLabel}>{label}</div>
      <div className={styles.factValue}>{value}</div>
    </div>
  );
}

function Value({ value }: { value: { text: string; json: boolean; cut: number } }) {
  return (
    <>
      <pre className={styles.value}>
        {value.text === "" ? <span className="faint">(empty string)</span> : value.text}
      </pre>
      {value.cut > 0 && <div className={styles.note}>{formatCount(value.cut)} more characters: see the raw trace.</div>}
    </>
  );
}
