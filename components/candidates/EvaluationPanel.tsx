"use client";

// A candidate's evaluations on search and test, with the buttons that start them. A button
// only records the evaluation and queues it; the job worker runs it. While one is queued or
// running this polls its progress and refreshes the page's tables when it ends.
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import { Badge, SimulatedBadge, ui } from "@/components/ui";
import { formatScore, formatTokens, formatUsd } from "@/lib/format";
import { evaluationBlocker, isActive, type CandidateEvaluationState, type Split } from "@/lib/evaluations/state";
import { workStatusTone } from "./format";
import styles from "./candidate.module.css";

const SPLITS: { split: Split; label: string; hint: string }[] = [
  { split: "search", label: "Search", hint: "the split the loop optimizes on" },
  { split: "test", label: "Test", hint: "held out: report, do not tune on it" },
];

export function EvaluationPanel(props: { projectId: string; candidateId: string; candidateStatus: string; initial: CandidateEvaluationState; highlight?: Split }) {
  const router = useRouter();
  const [state, setState] = useState(props.initial);
  const [busy, setBusy] = useState<Split | null>(null);
  const [error, setError] = useState<string | null>(null);
  const active = isActive(state.search.newest) || isActive(state.test.newest);
  const seen = useRef({ active, searchFinished: state.search.newest?.finishedCount ?? 0 });

  useEffect(() => setState(props.initial), [props.initial]);

  const refresh = useCallback(async () => {
    const response = await fetch(`/api/candidates/${props.candidateId}/evaluations?projectId=${encodeURIComponent(props.projectId)}`, { cache: "no-store" });
    if (!response.ok) return;
    const next = (await response.json()) as CandidateEvaluationState;
    setState(next);
    const nowActive = isActive(next.search.newest) || isActive(next.test.newest);
    const searchFinished = next.search.newest?.finishedCount ?? 0;
    // Reload the server-rendered task results as they come in, and once more at the end.
    if ((seen.current.active && !nowActive) || searchFinished !== seen.current.searchFinished) router.refresh();
    seen.current = { active: nowActive, searchFinished };
  }, [props.candidateId, props.projectId, router]);

  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => void refresh(), 1500);
    return () => clearInterval(timer);
  }, [active, refresh]);

  async function evaluate(split: Split) {
    setBusy(split);
    setError(null);
    try {
      const response = await fetch(`/api/candidates/${props.candidateId}/evaluations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ projectId: props.projectId, split }),
      });
      if (!response.ok) setError(((await response.json().catch(() => ({}))) as { error?: string }).error ?? `The studio answered ${response.status}.`);
      seen.current.active = true;
      await refresh();
    } catch {
      setError("The studio could not be reached.");
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className={styles.evaluations} aria-label="Evaluations">
      {SPLITS.map(({ split, label, hint }) => {
        const { newest, done } = state[split];
        const blocker = busy ? "Starting…" : evaluationBlocker(props.candidateStatus, state[split]);
        const shown = newest ?? done;
        return (
          <div key={split} className={`${styles.evaluation} ${props.highlight === split && !shown ? styles.highlight : ""}`} data-split={split}>
            <div className={styles.evaluationHead}>
              <div>
                <strong>{label}</strong> <span className="faint">· {hint}</span>
              </div>
              {shown && (
                <span className={styles.badges}>
                  <Badge tone={workStatusTone(shown.status)}>{shown.status === "running" ? `running · ${shown.finishedCount} of ${shown.taskCount}` : shown.status}</Badge>
                  {shown.simulated && <SimulatedBadge />}
                </span>
              )}
            </div>
            {shown ? (
              <div className={styles.figures}>
                <span className={styles.score}>{formatScore(shown.score)}</span>
                <span className="muted num">
                  {shown.passedCount} passed · {shown.failedCount} failed · {shown.errorCount} errors <span className="faint">of {shown.taskCount}</span>
                </span>
                <span className="muted num">
                  {formatTokens(shown.tokens)} tokens · {formatUsd(shown.costUsd)}
                </span>
              </div>
            ) : (
              <p className="muted">Not evaluated on {split} yet.</p>
            )}
            {newest && isActive(newest) && (
              <div className={styles.bar} role="progressbar" aria-label={`${label} evaluation progress`} aria-valuemin={0} aria-valuemax={newest.taskCount} aria-valuenow={newest.finishedCount}>
                <div className={styles.fill} style={{ width: `${Math.max(3, Math.round((newest.finishedCount / Math.max(1, newest.taskCount)) * 100))}%` }} />
              </div>
            )}
            {newest?.status === "failed" && newest.error && <p className={styles.errorLine}>{newest.error.split("\n")[0]}</p>}
            {done && newest && done.id !== newest.id && <p className="faint">Score from the last finished evaluation: {formatScore(done.score)}</p>}
            <div className={styles.actions}>
              <button type="button" className={`${ui.button} ${split === "search" && !blocker ? ui.buttonPrimary : ""}`} disabled={Boolean(blocker)} onClick={() => void evaluate(split)} title={blocker ?? undefined}>
                Evaluate on {split}
              </button>
              {blocker && <span className={styles.reason}>{blocker}</span>}
            </div>
          </div>
        );
      })}
      {error && <p className={ui.error}>{error}</p>}
    </div>
  );
}
