"use client";

// The live project: every page that shows work in progress (the overview's cards, charts and
// tables, an iteration, a candidate's evaluations) follows the project's progress through
// this one poll. When its revision moves (a candidate, evaluation or iteration was added or
// changed status) or a run ends, the page re-renders from the database; nothing is reloaded.
import type { RunProgress } from "@/lib/projects/progress";
import { progressQuery } from "./queries";
import { useLiveQuery } from "./useLiveQuery";

export const POLL_RUNNING_MS = 1000;
/** Idle, a page still notices a run started elsewhere (another tab, the CLI). */
export const POLL_IDLE_MS = 5000;

/** Should the page re-render, given the answer it last saw and a new one? */
export function pageIsStale(before: RunProgress | undefined, after: RunProgress): boolean {
  if (!before) return false;
  return before.revision !== after.revision || (before.running && !after.running);
}

export function useProjectProgress(projectId: string, initial?: RunProgress) {
  return useLiveQuery({
    query: progressQuery(projectId),
    initial,
    every: (data) => (data?.running ? POLL_RUNNING_MS : POLL_IDLE_MS),
    refreshPageWhen: pageIsStale,
  });
}
