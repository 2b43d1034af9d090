// An evaluation's figures are always recomputed from its task runs, never counted up in
// memory: a resumed or retried run can then never count a task twice.
import { db } from "../db/client.ts";
import type { EvaluationFigures } from "./figures.ts";
import { scoreInterval, taskMeans } from "./interval.ts";

/** A running evaluation's figures so far: task runs done of the total, and the figures (figures.ts) they add up to. */
export interface EvaluationProgress extends Pick<
  EvaluationFigures,
  "passed" | "failed" | "errors" | "inputTokens" | "outputTokens"
> {
  done: number;
  total: number;
}

/** While an evaluation runs, its figures are refreshed at most this often. */
const PROGRESS_FLUSH_MS = 250;

/** Recomputes the evaluation's figures from its task runs: the only source of truth. */
export async function refreshAggregates(evaluationId: string): Promise<EvaluationProgress> {
  const [row] = await db.$queryRaw<
    {
      done: number;
      passed: number;
      failed: number;
      errors: number;
      input: number;
      output: number;
      cost: number | null;
    }[]
  >`
    select count(*) filter (where status <> 'pending')::int as done,
      count(*) filter (where status = 'passed')::int as passed,
      count(*) filter (where status = 'failed')::int as failed,
      count(*) filter (where status = 'error')::int as errors,
      coalesce(sum("inputTokens"), 0)::float8 as input,
      coalesce(sum("outputTokens"), 0)::float8 as output,
      -- One unpriced task run makes the evaluation's cost unknown (null), never a smaller figure.
      case when bool_or("costUsd" is null) then null else coalesce(sum("costUsd"), 0) end::float8 as cost
    from "TaskRun" where "evaluationId" = ${evaluationId}`;
  const [finished, { trials }] = await Promise.all([
    db.taskRun.findMany({ where: { evaluationId, status: { not: "pending" } }, select: { taskId: true, score: true } }),
    db.evaluation.findUniqueOrThrow({ where: { id: evaluationId }, select: { trials: true } }),
  ]);
  // A task's score is its mean over its trials; the evaluation's, the mean over tasks.
  const means = [...taskMeans(finished).values()];
  const score = means.length ? means.reduce((a, b) => a + b, 0) / means.length : null;
  const interval = scoreInterval(means, trials);
  await db.evaluation.update({
    where: { id: evaluationId },
    data: {
      scoreLow: interval?.low ?? null,
      scoreHigh: interval?.high ?? null,
      passedCount: row.passed,
      failedCount: row.failed,
      errorCount: row.errors,
      inputTokens: Math.round(row.input),
      outputTokens: Math.round(row.output),
      costUsd: row.cost,
      score,
    },
  });
  return {
    done: row.done,
    total: 0,
    passed: row.passed,
    failed: row.failed,
    errors: row.errors,
    inputTokens: Math.round(row.input),
    outputTokens: Math.round(row.output),
  };
}

/** Refreshes the figures after task runs are written, coalescing bursts into one query. */
export function progressReporter(
  evaluationId: string,
  total: number,
  onProgress?: (progress: EvaluationProgress) => void,
) {
  let timer: NodeJS.Timeout | null = null;
  let pending: Promise<void> = Promise.resolve();
  const flush = async () => {
    timer = null;
    const progress = await refreshAggregates(evaluationId);
    onProgress?.({ ...progress, total });
  };
  return {
    bump() {
      timer ??= setTimeout(() => (pending = pending.then(flush, flush)), PROGRESS_FLUSH_MS);
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = null;
      await pending;
      await flush();
    },
  };
}
