// Where each thing lives in the workspace. Paths are relative, posix and stable across
// rebuilds: the proposer's greps, the loop's bookkeeping (Iteration.filesRead) and the README
// all name files by these paths, so they are made here and nowhere else.
import path from "node:path";

export const README = "README.md";
export const LEADERBOARD = "leaderboard.md";
export const FRONTIER = "frontier.json";
export const PER_TASK_BEST = "per-task-best.json";
export const CANDIDATES = "candidates";
export const REJECTED = "rejected";
export const TASKS = "tasks";
/** The proposer's only writable folder; rebuilds never look inside it. */
export const PROPOSALS = "proposals";
/** The builder's own bookkeeping; not for the proposer. */
export const STATE_DIR = ".studio";
export const MANIFEST = `${STATE_DIR}/manifest.json`;

/** Top-level entries a rebuild never modifies or removes. */
export const UNTOUCHED = new Set([PROPOSALS, STATE_DIR]);

export function candidateDir(candidateId: string, rejected = false): string {
  return `${rejected ? REJECTED : CANDIDATES}/${segment(candidateId)}`;
}

/** A task run's trace: `traces/<key>.jsonl` for its first (or only) trial, `traces/<key>.trial-<n>.jsonl` for trial n > 1. */
export function traceFile(candidateId: string, taskKey: string, rejected = false, trial = 1): string {
  return `${candidateDir(candidateId, rejected)}/traces/${traceName(taskKey, trial)}`;
}

/** The summary's file name inside `summaries/`: the trace's, as Markdown. */
export function summaryName(taskKey: string, trial = 1): string {
  return traceName(taskKey, trial).replace(/\.jsonl$/, ".md");
}

/** The trace's file name inside `traces/`. */
export function traceName(taskKey: string, trial = 1): string {
  return `${segment(taskKey)}${trial > 1 ? `.trial-${trial}` : ""}.jsonl`;
}

/** A `summary`-mode workspace's stand-in for a trace: the proposer model's summary of it. */
export function summaryFile(candidateId: string, taskKey: string, rejected = false, trial = 1): string {
  return `${candidateDir(candidateId, rejected)}/summaries/${summaryName(taskKey, trial)}`;
}

export function taskFile(taskKey: string): string {
  return `${TASKS}/${segment(taskKey)}.json`;
}

export function proposalsDir(iteration: number): string {
  if (!Number.isInteger(iteration) || iteration < 0)
    throw new Error(`iteration must be a whole number, got ${iteration}`);
  return `${PROPOSALS}/${iteration}`;
}

/**
 * One path segment from database text (a candidate id, a task key). The suite loader already
 * refuses keys that are not folder names; this guard holds even for rows written another way.
 */
export function segment(name: string): string {
  if (name === "" || name === "." || name === ".." || /[/\\\u0000-\u001f\u007f]/.test(name)) {
    throw new Error(`${JSON.stringify(name)} cannot be used as a file name in the workspace`);
  }
  return name;
}

/** The absolute path of `relative` inside `root`; throws if it would land outside. */
export function resolveInside(root: string, relative: string): string {
  const absolute = path.resolve(root, ...relative.split("/"));
  if (!absolute.startsWith(root + path.sep)) throw new Error(`${relative} is outside the workspace`);
  return absolute;
}
