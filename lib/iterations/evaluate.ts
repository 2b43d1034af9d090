// The last stage of an iteration: its valid candidates evaluated on the search split. In a job
// worker, whose evaluations spread their task runs over every worker (lib/evaluations/spread.ts),
// they are evaluated all at once, so free workers never wait for one candidate to end before the
// next starts; elsewhere (a CLI run on one machine), one after another.
import { db } from "../db/client.ts";
import { CancelledError } from "../errors.ts";
import { prepareEvaluation, runEvaluation, type RunOptions } from "../evaluations/run.ts";
import { spreadsOverWorkers } from "../evaluations/spread.ts";
import type { EvaluationProgress } from "../evaluations/aggregate.ts";
import { evaluationBudgetReached } from "../loop/budget.ts";
import type { Stop } from "../loop/stop.ts";
import type { ProjectSettings } from "../projects/settings.ts";
import type { IterationProgress } from "./progress.ts";

export interface CandidateToEvaluate {
  id: string;
  number: number;
}

export interface EvaluateOptions {
  projectId: string;
  iterationId: string;
  settings: ProjectSettings;
  run: RunOptions;
  /** The iteration's own choices for its evaluations: simulated, trials. */
  prepare: { simulated?: boolean; trials?: number };
  signal?: AbortSignal;
  /** Writes the stage's progress for pages and the CLI. */
  report: (progress: Omit<IterationProgress, "stage">) => Promise<void>;
}

/** Evaluates the candidates on search; answers the budget that stopped them, if one did. */
export async function evaluateCandidates(
  candidates: CandidateToEvaluate[],
  options: EvaluateOptions,
): Promise<Stop | null> {
  return spreadsOverWorkers() && candidates.length > 1
    ? evaluateAtOnce(candidates, options)
    : evaluateInTurn(candidates, options);
}

async function evaluateInTurn(candidates: CandidateToEvaluate[], options: EvaluateOptions): Promise<Stop | null> {
  for (const [index, candidate] of candidates.entries()) {
    if (options.signal?.aborted) throw new CancelledError();
    const spent = await evaluationBudgetReached(options.projectId, options.iterationId, options.settings);
    if (spent) return spent;
    const where = {
      candidateId: candidate.id,
      candidateNumber: candidate.number,
      candidate: index + 1,
      candidates: candidates.length,
    };
    await options.report(where);
    const { evaluationId } = await prepareEvaluation(candidate.id, "search", options.prepare);
    const stop = await evaluate(evaluationId, options, (p) =>
      options.report({
        ...where,
        evaluationId,
        tasksDone: p.done,
        tasksTotal: p.total,
        tokens: p.inputTokens + p.outputTokens,
      }),
    );
    // A budget spent while the evaluation ran stopped it: the iteration stops there too.
    if (stop) return stop;
  }
  return null;
}

async function evaluateAtOnce(candidates: CandidateToEvaluate[], options: EvaluateOptions): Promise<Stop | null> {
  if (options.signal?.aborted) throw new CancelledError();
  const spent = await evaluationBudgetReached(options.projectId, options.iterationId, options.settings);
  if (spent) return spent;
  const prepared = [];
  for (const candidate of candidates)
    prepared.push({ candidate, ...(await prepareEvaluation(candidate.id, "search", options.prepare)) });
  // Each evaluation's progress, summed into one line: "candidates #4, #5, #6 · 40 of 120 tasks".
  const progress = new Map<string, EvaluationProgress>();
  const report = () => {
    const all = [...progress.values()];
    return options.report({
      candidateNumbers: candidates.map((candidate) => candidate.number),
      candidates: candidates.length,
      tasksDone: all.reduce((sum, p) => sum + p.done, 0),
      tasksTotal: all.reduce((sum, p) => sum + p.total, 0),
      tokens: all.reduce((sum, p) => sum + p.inputTokens + p.outputTokens, 0),
    });
  };
  await report();
  const stops = await Promise.all(
    prepared.map(({ evaluationId }) =>
      evaluate(evaluationId, options, (p) => {
        progress.set(evaluationId, p);
        return report();
      }),
    ),
  );
  return stops.find((stop) => stop !== null) ?? null;
}

/** Runs one evaluation unless it is done already (a resumed iteration); answers its budget stop. */
async function evaluate(
  evaluationId: string,
  options: EvaluateOptions,
  onProgress: (progress: EvaluationProgress) => Promise<void>,
): Promise<Stop | null> {
  const { status } = await db.evaluation.findUniqueOrThrow({ where: { id: evaluationId }, select: { status: true } });
  if (status === "done") return null;
  const summary = await runEvaluation(evaluationId, {
    ...options.run,
    onProgress: (p) => void onProgress(p).catch(() => {}),
  });
  return summary.stop;
}
