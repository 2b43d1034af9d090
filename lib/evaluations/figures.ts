// An evaluation's figures: the one shape every reader reports them in (the CLI's JSON line,
// the workspace's scores.json and leaderboard, the pages), made in one place from the
// evaluation's stored columns.

/** The columns an evaluation stores its figures in (recomputed from its task runs, aggregate.ts). */
export interface StoredFigures {
  score: number | null;
  scoreLow: number | null;
  scoreHigh: number | null;
  taskCount: number;
  trials: number;
  passedCount: number;
  failedCount: number;
  errorCount: number;
  inputTokens: number;
  outputTokens: number;
  /** Null when a task run's model call was unpriced. */
  costUsd: number | null;
  durationMs: number;
}

/** A Prisma select of those columns. */
export const storedFiguresSelect = {
  score: true,
  scoreLow: true,
  scoreHigh: true,
  taskCount: true,
  trials: true,
  passedCount: true,
  failedCount: true,
  errorCount: true,
  inputTokens: true,
  outputTokens: true,
  costUsd: true,
  durationMs: true,
} as const satisfies Record<keyof StoredFigures, true>;

export interface EvaluationFigures {
  /** Mean task score, 0..1 (a task's score is its mean over its finished trials); null before any finished. */
  score: number | null;
  /** The score's 95% interval (interval.ts); null with the score. */
  scoreLow: number | null;
  scoreHigh: number | null;
  tasks: number;
  /** Task runs per task; `passed`, `failed` and `errors` count task runs, of tasks × trials. */
  trials: number;
  passed: number;
  failed: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  /** Null, with `unpriced` true, when a model call had no price: the cost is unknown, never 0. */
  costUsd: number | null;
  unpriced: boolean;
  durationMs: number;
}

export function figuresOf(row: StoredFigures): EvaluationFigures {
  return {
    score: row.score,
    scoreLow: row.scoreLow,
    scoreHigh: row.scoreHigh,
    tasks: row.taskCount,
    trials: row.trials,
    passed: row.passedCount,
    failed: row.failedCount,
    errors: row.errorCount,
    inputTokens: row.inputTokens,
    outputTokens: row.outputTokens,
    costUsd: row.costUsd,
    unpriced: row.costUsd === null,
    durationMs: row.durationMs,
  };
}

/** Task runs an evaluation has: one per task and trial. */
export function taskRunCount(figures: Pick<EvaluationFigures, "tasks" | "trials">): number {
  return figures.tasks * figures.trials;
}

/** Task runs finished so far (passed, failed or errored). */
export function finishedCount(figures: Pick<EvaluationFigures, "passed" | "failed" | "errors">): number {
  return figures.passed + figures.failed + figures.errors;
}
