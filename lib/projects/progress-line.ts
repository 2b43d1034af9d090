// The one-line account of a running optimization, as the run controls show it. Pure, so the
// wording of every phase (seed, iteration, final test check) is tested without a browser.
import type { RunProgress } from "./progress.ts";
import { candidateWords } from "../iterations/progress-words.ts";

const tasks = (done: number, total: number) => (total ? ` · ${done} of ${total} tasks` : "");
const tokens = (count: number | undefined) => (count ? ` · ${count.toLocaleString("en-US")} tokens` : "");

/** What the run is doing now, in words; null when no run is going. */
export function progressLine(progress: RunProgress): string | null {
  const { optimization, phase, iteration } = progress;
  if (!progress.running || !optimization) return null;
  const stalled = optimization.stalled ? " · waiting for a job worker to resume it" : "";
  // Where this run is; an iteration is named by its project-wide number, as the list and the CLI name it.
  const inRun = `${Math.min(optimization.iterationsDone + 1, optimization.iterationsRequested)} of ${optimization.iterationsRequested} in this run`;
  if (phase?.kind === "seed" || phase?.kind === "test") {
    const what =
      phase.kind === "seed" ? "Scoring the seed on the search split" : "Final check on the held-out test split";
    return `${what} · candidate #${phase.candidateNumber}${tasks(phase.tasksDone, phase.tasksTotal)}${tokens(phase.tokens)}${stalled}`;
  }
  if (iteration) {
    const p = iteration.progress;
    return (
      `Iteration ${iteration.number} · ${inRun}` +
      (iteration.stage ? ` · ${iteration.stage}` : "") +
      candidateWords(p) +
      tasks(p.tasksDone ?? 0, p.tasksTotal ?? 0) +
      tokens(p.tokens) +
      stalled
    );
  }
  return `${inRun[0].toUpperCase()}${inRun.slice(1)}${optimization.status === "queued" ? " · waiting for a worker" : ""}${stalled}`;
}

/** How far the run is, 0..1, for the progress bar: whole iterations, plus the current evaluation's tasks. */
export function progressShare(progress: RunProgress): number {
  const { optimization, phase, iteration } = progress;
  if (!optimization || optimization.iterationsRequested === 0) return 0;
  const done =
    phase?.kind === "seed" || phase?.kind === "test" ? phase.tasksDone : (iteration?.progress.tasksDone ?? 0);
  const total =
    phase?.kind === "seed" || phase?.kind === "test" ? phase.tasksTotal : (iteration?.progress.tasksTotal ?? 0);
  // The test check comes after the last iteration: it fills the bar's last stretch.
  if (phase?.kind === "test") return Math.min(1, 0.95 + (total ? (done / total) * 0.05 : 0));
  if (phase?.kind === "seed") return total ? (done / total) * 0.05 : 0;
  return Math.min(
    1,
    (optimization.iterationsDone + (total ? done / total : 0) * 0.9) / optimization.iterationsRequested,
  );
}
