"use client";

// A candidate's evaluations on search and test, with the buttons that start them. A button
// only records the evaluation and queues it; the job worker runs it. While one is queued or
// running this polls its progress and refreshes the page's tables as it goes and when it ends.
import { useState } from "react";
import { Badge, SimulatedBadge, ui } from "@/components/ui";
import { evaluationsQuery } from "@/components/data/queries";
import { useLiveQuery } from "@/components/data/useLiveQuery";
import { EstimateLine, useSpendConfirmation } from "@/components/SpendConfirm";
import { formatCost, formatInterval, formatScore, formatTokens } from "@/lib/format";
import { evaluationBlocker, isActive, type CandidateEvaluationState, type Split } from "@/lib/evaluations/state";
import { taskRunCount } from "@/lib/evaluations/figures";
import { MAX_TRIALS, isTrials } from "@/lib/evaluations/trials";
import { workStatusTone } from "./format";
import { OtlpExport } from "./OtlpExport";
import styles from "./candidate.module.css";

const SPLITS: { split: Split; label: string; hint: string }[] = [
  { split: "search", label: "Search", hint: "the split the loop optimizes on" },
  { split: "test", label: "Test", hint: "held out: report, do not tune on it" },
];
const POLL_MS = 1500;

const anyActive = (state: CandidateEvaluationState) => isActive(state.search.newest) || isActive(state.test.newest);

/** Should the server-rendered task results re-render? As search results come in, when an evaluation starts or ends. */
function resultsChanged(before: CandidateEvaluationState | undefined, after: CandidateEvaluationState): boolean {
  if (!before) return false;
  if (anyActive(before) && !anyActive(after)) return true;
  if ((before.search.newest?.finished ?? 0) !== (after.search.newest?.finished ?? 0)) return true;
  // (One that started and ended between two answers shows only as a new newest evaluation.)
  return before.search.newest?.id !== after.search.newest?.id || before.test.newest?.id !== after.test.newest?.id;
}

/** Typed trials as a number, or undefined when empty or out of range (the setting holds). */
function validTrials(text: string): number | undefined {
  const trials = Number(text);
  return text.trim() && isTrials(trials) ? trials : undefined;
}

export function EvaluationPanel(props: {
  projectId: string;
  candidateId: string;
  candidateStatus: string;
  initial: CandidateEvaluationState;
  highlight?: Split;
  /** Trials per task by default on each split (the project's settings). */
  defaultTrials: Record<Split, number>;
}) {
  const [busy, setBusy] = useState<Split | null>(null);
  // As typed; empty means the project's setting.
  const [trials, setTrials] = useState<Record<Split, string>>({ search: "", test: "" });
  const [error, setError] = useState<string | null>(null);
  const { data: state = props.initial, refetch } = useLiveQuery({
    query: evaluationsQuery(props.projectId, props.candidateId),
    initial: props.initial,
    every: (data) => (data && anyActive(data) ? POLL_MS : false),
    refreshPageWhen: resultsChanged,
  });

  const spend = useSpendConfirmation(props.projectId);

  /** Cost before the spend: above the project's confirmation setting, the evaluation waits for a second click. */
  async function evaluate(split: Split) {
    setBusy(split);
    setError(null);
    try {
      const asked = validTrials(trials[split]);
      if (trials[split].trim() && asked === undefined) {
        setError(`Trials must be a whole number from 1 to ${MAX_TRIALS}.`);
        return;
      }
      await spend.guard({ split, trials: asked }, `Start the ${split} evaluation`, () => start(split, asked));
    } finally {
      setBusy(null);
    }
  }

  async function start(split: Split, asked: number | undefined) {
    setBusy(split);
    try {
      const response = await fetch(`/api/candidates/${props.candidateId}/evaluations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ projectId: props.projectId, split, trials: asked }),
      });
      if (!response.ok)
        setError(
          ((await response.json().catch(() => ({}))) as { error?: string }).error ??
            `The studio answered ${response.status}.`,
        );
      await refetch();
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
        const blocker = busy
          ? "Starting…"
          : spend.confirming
            ? "Confirm or cancel below."
            : evaluationBlocker(props.candidateStatus, state[split]);
        const shown = newest ?? done;
        return (
          <div
            key={split}
            className={`${styles.evaluation} ${props.highlight === split && !shown ? styles.highlight : ""}`}
            data-split={split}
          >
            <div className={styles.evaluationHead}>
              <div>
                <strong>{label}</strong> <span className="faint">· {hint}</span>
              </div>
              {shown && (
                <span className={styles.badges}>
                  <Badge tone={workStatusTone(shown.status)}>
                    {shown.status === "running"
                      ? `running · ${shown.finished} of ${taskRunCount(shown)}`
                      : shown.status}
                  </Badge>
                  {shown.simulated && <SimulatedBadge />}
                </span>
              )}
            </div>
            {shown ? (
              <div className={styles.figures}>
                <span className={styles.score}>{formatScore(shown.score)}</span>
                {shown.scoreLow != null && (
                  <span
                    className="faint num"
                    data-testid="score-interval"
                    title="The score's 95% interval over tasks: Wilson's for pass/fail scores, a bootstrap otherwise"
                  >
                    95% interval {formatInterval(shown.scoreLow, shown.scoreHigh)}
                  </span>
                )}
                <span className="muted num">
                  {shown.passed} passed · {shown.failed} failed · {shown.errors} errors{" "}
                  <span className="faint">
                    of {shown.tasks}
                    {shown.trials > 1 ? ` tasks × ${shown.trials} trials` : ""}
                  </span>
                </span>
                <span className="muted num">
                  {formatTokens(shown.inputTokens + shown.outputTokens)} tokens · {formatCost(shown.costUsd)}
                </span>
              </div>
            ) : (
              <p className="muted">Not evaluated on {split} yet.</p>
            )}
            {newest && isActive(newest) && (
              <div
                className={styles.bar}
                role="progressbar"
                aria-label={`${label} evaluation progress`}
                aria-valuemin={0}
                aria-valuemax={taskRunCount(newest)}
                aria-valuenow={newest.finished}
              >
                <div
                  className={styles.fill}
                  style={{
                    width: `${Math.max(3, Math.round((newest.finished / Math.max(1, taskRunCount(newest))) * 100))}%`,
                  }}
                />
              </div>
            )}
            {newest?.status === "failed" && newest.error && (
              <p className={styles.errorLine}>{newest.error.split("\n")[0]}</p>
            )}
            {done && newest && done.id !== newest.id && (
              <p className="faint">Score from the last finished evaluation: {formatScore(done.score)}</p>
            )}
            <div className={styles.actions}>
              <button
                type="button"
                className={`${ui.button} ${split === "search" && !blocker ? ui.buttonPrimary : ""}`}
                disabled={Boolean(blocker)}
                onClick={() => void evaluate(split)}
                title={blocker ?? undefined}
              >
                Evaluate on {split}
              </button>
              <label className={styles.trialsField}>
                <input
                  className={ui.input}
                  type="number"
                  min={1}
                  max={MAX_TRIALS}
                  inputMode="numeric"
                  placeholder={String(props.defaultTrials[split])}
                  value={trials[split]}
                  onChange={(event) => setTrials({ ...trials, [split]: event.target.value })}
                  disabled={Boolean(blocker)}
                  aria-label={`Trials per task on ${split}`}
                  data-trials-input={split}
                />
                <span className="faint">trials per task</span>
              </label>
              {blocker ? (
                <span className={styles.reason}>{blocker}</span>
              ) : (
                <EstimateLine
                  projectId={props.projectId}
                  run={{ split, trials: validTrials(trials[split]) }}
                  label="Estimated cost"
                />
              )}
            </div>
            {shown && !isActive(shown) && <OtlpExport evaluation={shown} onExported={refetch} />}
          </div>
        );
      })}
      {spend.confirmation}
      {error && <p className={ui.error}>{error}</p>}
    </div>
  );
}
