// What the workspace README says about the feedback mode. Raw traces are the product's default
// and the method's finding (removing them took accuracy from 50% to 34%; summaries in their place
// gave 34.9%). The other two modes exist only so a feedback ablation can test that on a user's task.
import type { FeedbackMode } from "../db/client.ts";

/** The paragraph on where the evidence is, in place of "read the raw traces" when there are none. */
export function evidenceLines(feedback: FeedbackMode): string[] {
  if (feedback === "summary")
    return [
      "## Feedback in this workspace: summaries, not traces",
      "",
      "This workspace is one arm of a **feedback ablation**: instead of each task run's raw trace it holds a",
      "short summary of it (`summaries/<key>.md`), written by the proposer model from the raw trace. The",
      "traces themselves are not here. Work from the summaries, the scores and the sources; name the cause",
      "you infer and write a harness that tests it. Check `rejected/` so a failed idea is not repeated blind.",
    ];
  if (feedback === "scores")
    return [
      "## Feedback in this workspace: scores only",
      "",
      "This workspace is one arm of a **feedback ablation**: it holds no traces and no summaries of them,",
      "only each candidate's source and its scores (per task: status, score, error kind, tokens). Work",
      "from those: compare sources of candidates that pass different tasks, read the task inputs, and",
      "write a harness that tests a hypothesis. Check `rejected/` so a failed idea is not repeated blind.",
    ];
  return [
    "Work from evidence. Read the raw traces of failed tasks before changing anything, name the cause you",
    "found, and write a harness that tests that hypothesis. Check `rejected/` so a failed idea is not repeated",
    "blind. Summaries are never a substitute for the traces: read the events themselves.",
  ];
}

/** The map's lines for what stands for each task run. */
export function mapLines(feedback: FeedbackMode): string[] {
  if (feedback === "summary")
    return [
      "candidates/<id>/scores.json       the search aggregate; one line per search task: status, score, errorKind, summary",
      "candidates/<id>/summaries/<key>.md   the proposer model's summary of one search task's trace (no raw traces here)",
      "candidates/<id>/summaries/<key>.trial-<n>.md   with trials, the summary of trial n > 1 of that task",
      "rejected/<id>/harness.ts          candidates refused at validation, with reason.md (and summaries/ if they ran)",
    ];
  if (feedback === "scores")
    return [
      "candidates/<id>/scores.json       the search aggregate; one line per search task: status, score, errorKind (no traces here)",
      "rejected/<id>/harness.ts          candidates refused at validation, with reason.md",
    ];
  return [
    "candidates/<id>/scores.json       the search aggregate; one line per search task: status, score, errorKind, trace",
    "                                  (with trials: the task's mean score, `passed` as \"2/3\", and each trial's result and trace)",
    "candidates/<id>/audit.json        the harness audit of those traces: tokens, calls, tools offered/called/errored, prompt repeat",
    "candidates/<id>/traces/<key>.jsonl   the raw trace of one search task (newest finished search evaluation)",
    "candidates/<id>/traces/<key>.trial-<n>.jsonl   with trials, the trace of trial n > 1 of that task",
    "rejected/<id>/harness.ts          candidates refused at validation, with reason.md (and traces/ if they ran)",
  ];
}

/** Shell recipes when there are no traces to grep. */
export function recipesWithoutTraces(feedback: Exclude<FeedbackMode, "raw">): string[] {
  return [
    "```sh",
    "cat leaderboard.md frontier.json                     # where things stand",
    `grep '"unsolved"' per-task-best.json                 # search tasks no candidate passes yet`,
    `grep -h '"status":"failed"' candidates/<id>/scores.json   # one line per failed task`,
    ...(feedback === "summary"
      ? ["cat candidates/<id>/summaries/<key>.md            # the summary of one task run"]
      : []),
    "diff candidates/<a>/harness.ts candidates/<b>/harness.ts   # what a child changed (parents in meta.json)",
    "cat rejected/*/reason.md                             # ideas that were refused, and why",
    "```",
  ];
}
