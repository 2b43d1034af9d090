// The feedback modes of an optimization (issue #15's ablation): what its workspace holds of each
// task run. One list and one set of words for the CLI, the API and the pages.
import type { FeedbackMode } from "../db/client.ts";
import { StudioError } from "../errors.ts";

export const FEEDBACK_MODES = ["raw", "summary", "scores"] as const satisfies readonly FeedbackMode[];

/** Short names, as the comparison page's columns and the CLI say them. */
export const FEEDBACK_LABELS: Record<FeedbackMode, string> = {
  raw: "raw traces",
  summary: "scores + summaries",
  scores: "scores only",
};

/** The paper's search-set medians for each mode (Lee, Khattab, Finn et al., 2026), for comparison. */
export const PAPER_MEDIANS: Record<FeedbackMode, number> = { raw: 50.0, summary: 34.9, scores: 34.6 };

/** `--feedback` and the API's `feedback`: one of the modes, or a clear error. */
export function parseFeedback(value: string | undefined): FeedbackMode {
  if (value === undefined) return "raw";
  if ((FEEDBACK_MODES as readonly string[]).includes(value)) return value as FeedbackMode;
  throw new StudioError(`--feedback must be one of ${FEEDBACK_MODES.join(", ")}; got ${JSON.stringify(value)}.`, {
    code: "invalid",
  });
}
