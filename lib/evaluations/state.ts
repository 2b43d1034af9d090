// What a candidate's evaluations look like to the page and to the API: JSON-safe, and one
// rule for when another evaluation may start, shared by the button (why it is disabled) and
// the route (why it refuses).
import { figuresOf, finishedCount, taskRunCount, type EvaluationFigures } from "./figures.ts";
import type { EvaluationBrief } from "./queries.ts";

export type Split = "search" | "test";

export interface EvaluationView extends EvaluationFigures {
  id: string;
  status: string;
  /** Task runs finished so far. */
  finished: number;
  simulated: boolean;
  error: string | null;
  /** The last OTLP export of its traces, or null when never exported. */
  otlpExport: OtlpExportView | null;
}

export interface OtlpExportView {
  status: "exported" | "failed";
  error: string | null;
  spans: number;
  /** ISO time. */
  at: string;
}

export interface SplitState {
  /** The newest evaluation on the split, whatever its status. */
  newest: EvaluationView | null;
  /** The newest finished one (its figures are the candidate's score). */
  done: EvaluationView | null;
}

export type CandidateEvaluationState = Record<Split, SplitState>;

function view(evaluation: EvaluationBrief | null): EvaluationView | null {
  if (!evaluation) return null;
  const figures = figuresOf(evaluation);
  return {
    id: evaluation.id,
    status: evaluation.status,
    ...figures,
    finished: finishedCount(figures),
    simulated: evaluation.simulated,
    error: evaluation.error,
    otlpExport: evaluation.otlpExportStatus
      ? {
          status: evaluation.otlpExportStatus === "exported" ? "exported" : "failed",
          error: evaluation.otlpExportError,
          spans: evaluation.otlpExportSpans ?? 0,
          at: (evaluation.otlpExportedAt ?? evaluation.createdAt).toISOString(),
        }
      : null,
  };
}

export function candidateEvaluationState(
  evaluations: Record<Split, { newest: EvaluationBrief | null; done: EvaluationBrief | null }>,
): CandidateEvaluationState {
  return {
    search: { newest: view(evaluations.search.newest), done: view(evaluations.search.done) },
    test: { newest: view(evaluations.test.newest), done: view(evaluations.test.done) },
  };
}

export function isActive(evaluation: EvaluationView | null): boolean {
  return evaluation?.status === "queued" || evaluation?.status === "running";
}

/** Why no new evaluation on this split may start now, or null when one may. */
export function evaluationBlocker(candidateStatus: string, state: SplitState): string | null {
  if (candidateStatus === "rejected") return "This candidate was rejected by validation; it cannot be evaluated.";
  if (candidateStatus === "pending") return "This candidate has not been validated yet.";
  const newest = state.newest;
  if (newest && isActive(newest)) {
    return newest.status === "queued"
      ? "An evaluation on this split is queued for the job worker."
      : `An evaluation on this split is running (${newest.finished} of ${taskRunCount(newest)} task runs).`;
  }
  if (state.done)
    return `Already evaluated on this split${state.done.score == null ? "" : ` (${(state.done.score * 100).toFixed(1)}%)`}.`;
  return null;
}
