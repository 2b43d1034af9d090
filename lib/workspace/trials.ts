// A candidate's search task runs grouped by task, trials in order: what scores.json,
// leaderboard.md and per-task-best.json say per task, so the proposer can tell a flaky task
// (some trials pass) from a broken one (none do).
import type { TaskRunInfo } from "./data.ts";

/** Task key → its runs in trial order, keys in suite order. */
export function taskTrials(runs: readonly TaskRunInfo[]): Map<string, TaskRunInfo[]> {
  const grouped = new Map<string, TaskRunInfo[]>();
  for (const run of [...runs].sort((a, b) => a.position - b.position || a.trial - b.trial))
    grouped.set(run.key, [...(grouped.get(run.key) ?? []), run]);
  return grouped;
}

/** A task's score: the mean over its finished trials (an unscored one counts 0); null before any finished. */
export function meanScore(trials: readonly TaskRunInfo[]): number | null {
  const finished = trials.filter((run) => run.status !== "pending" && run.status !== "running");
  return finished.length ? finished.reduce((sum, run) => sum + (run.score ?? 0), 0) / finished.length : null;
}

/** "2/3": trials passed of trials run. */
export function passedOf(trials: readonly TaskRunInfo[]): string {
  return `${trials.filter((run) => run.status === "passed").length}/${trials.length}`;
}

/** The tasks whose trials disagree (some passed, some not), as "key 2/3", in suite order. */
export function flakyTasks(runs: readonly TaskRunInfo[]): string[] {
  return [...taskTrials(runs).entries()]
    .filter(
      ([, trials]) => trials.some((run) => run.status === "passed") && trials.some((run) => run.status !== "passed"),
    )
    .map(([key, trials]) => `${key} ${passedOf(trials)}`);
}
