// `studio eval`: run a candidate (the project's best, or the seed) on a split, with the
// project's model or another (`--model`, a transfer evaluation), with a progress bar; `--json`
// prints one summary line. `--queue` puts it on the job queue for the workers (follow.ts). An unfinished evaluation of the same
// candidate and split left by a dead run is resumed, not started over.
import { parseArgs } from "node:util";
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { formatCost, formatInterval, formatScore, formatTokens } from "../format.ts";
import { modelConfigured } from "../offline/upstream.ts";
import { bestCandidate } from "../candidates/standings.ts";
import { estimateEvaluation } from "../evaluations/estimate.ts";
import { prepareEvaluation, runEvaluation } from "../evaluations/run.ts";
import { taskRunCount } from "../evaluations/figures.ts";
import { refuseUnpricedStart } from "../prices/budgets.ts";
import { modelName } from "../projects/settings-edit.ts";
import { isolationReport } from "../runner/engine.ts";
import { confirmSpend } from "./confirm.ts";
import { parseTrials } from "./trials.ts";
import { oracleCommand } from "./oracle.ts";
import { withDatabase } from "./database.ts";
import { progressBar } from "./progress.ts";
import { followEvaluation } from "./follow.ts";
import type { EvaluationProgress } from "../evaluations/aggregate.ts";

export async function evalCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      project: { type: "string" },
      candidate: { type: "string" },
      split: { type: "string", default: "search" },
      model: { type: "string" },
      concurrency: { type: "string" },
      fresh: { type: "boolean" },
      trials: { type: "string" },
      offline: { type: "boolean" },
      oracle: { type: "boolean" },
      queue: { type: "boolean" },
      yes: { type: "boolean", short: "y" },
      json: { type: "boolean" },
    },
  });
  if (!values.project && !values.candidate)
    throw new StudioError("eval needs --project ID (and optionally --candidate ID).");
  const split = values.split;
  if (split !== "search" && split !== "test")
    throw new StudioError(`--split must be "search" or "test", not "${split}".`);
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0))
    throw new StudioError("--concurrency must be a positive whole number.");
  const model = values.model === undefined ? undefined : modelName.safeParse(values.model);
  if (model && !model.success) throw new StudioError(`--model ${model.error.issues[0]?.message}.`);
  const trials = parseTrials(values.trials);
  if (values.queue && concurrency !== undefined)
    throw new StudioError("--concurrency is for a local run; on the queue, each worker's --slots decide.");

  if (values.oracle) {
    if (!values.project) throw new StudioError("eval --oracle needs --project ID.");
    // Every task unless a split is named: the point is to check the whole imported suite.
    const named = args.some((arg) => arg === "--split" || arg.startsWith("--split="));
    return withDatabase(() => oracleCommand(values.project!, named ? split : null, { json: values.json, concurrency }));
  }

  return withDatabase(async () => {
    const { id: candidateId, number, projectId } = await chooseCandidate(values.project, values.candidate);
    const offline = values.offline === true;
    const { isolation, reason } = await isolationReport();
    if (isolation !== "bubblewrap")
      process.stderr.write(
        `warning: process-level isolation only (${reason}). Harness code can reach the network and world-readable files.\n`,
      );
    if (offline)
      process.stderr.write("Offline mode: the harness talks to the offline model; results are marked simulated.\n");
    else if (!modelConfigured() && !process.env.ANTHROPIC_BASE_URL)
      process.stderr.write(
        "warning: no ANTHROPIC_API_KEY: the harness's model calls will be refused upstream (use --offline to try the studio without a key).\n",
      );

    const models = model ? [model.data] : undefined;
    // A dollar budget cannot hold over an unpriced model.
    await refuseUnpricedStart(projectId, undefined, model?.data);
    // Before anything is recorded: a run not confirmed leaves nothing behind.
    await confirmSpend(await estimateEvaluation(projectId, split, { offline, models, trials }), {
      yes: values.yes,
      projectId,
      what: `the ${split} evaluation`,
    });
    const { evaluationId, resumed } = await prepareEvaluation(candidateId, split, {
      fresh: values.fresh,
      simulated: offline,
      model: model?.data,
      trials,
    });
    if (resumed) process.stderr.write(`Resuming evaluation ${evaluationId}: only unfinished tasks run.\n`);
    const bar = progressBar(`eval ${split}`);
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    // On the queue, Ctrl-C asks the worker running it to stop (follow.ts).
    if (!values.queue) {
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
    }
    const onProgress = (p: EvaluationProgress) =>
      bar.update(
        p.done,
        p.total,
        `· ${p.passed} passed · ${p.failed} failed · ${p.errors} errors · ${formatTokens(p.inputTokens + p.outputTokens)} tokens`,
      );
    let summary;
    try {
      summary = values.queue
        ? await followEvaluation(evaluationId, onProgress)
        : await runEvaluation(evaluationId, { concurrency, signal: abort.signal, onProgress });
    } finally {
      bar.end();
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }

    if (values.json) {
      const { status: _status, simulated: _simulated, ...rest } = summary;
      process.stdout.write(
        JSON.stringify({ ...rest, candidateNumber: number, status: summary.status, simulated: summary.simulated }) +
          "\n",
      );
    } else {
      const lines = [
        `${summary.simulated ? "[simulated] " : ""}Evaluation ${summary.evaluationId} of candidate #${number} (${summary.split}): ${summary.status}`,
        `  model     ${summary.model}`,
        `  score     ${formatScore(summary.score)}${summary.scoreLow === null || summary.scoreHigh === null ? "" : ` (95% interval ${formatInterval(summary.scoreLow, summary.scoreHigh)})`}  (${summary.passed} passed, ${summary.failed} failed, ${summary.errors} errors of ${taskRunCount(summary)} task runs${summary.trials > 1 ? `: ${summary.tasks} tasks × ${summary.trials} trials` : ""})`,
        `  tokens    ${formatTokens(summary.inputTokens)} in, ${formatTokens(summary.outputTokens)} out · ${formatCost(summary.costUsd)}`,
        `  time      ${(summary.durationMs / 1000).toFixed(1)} s · isolation: ${summary.isolation ?? isolation}` +
          (summary.memoryLimit ? ` · memory limit: ${summary.memoryLimit}` : ""),
        ...(summary.stop ? [`  stopped   ${summary.stop.message}`] : []),
        // A score of 0 reads calm; every task erroring is the harness (or the setup) failing, not the model.
        ...(summary.tasks > 0 && summary.errors === taskRunCount(summary)
          ? [`  WARNING   every task errored: open a trace to see why (the score says nothing about the harness)`]
          : []),
      ];
      process.stdout.write(lines.join("\n") + "\n");
    }
    return summary.status === "done" ? 0 : 1;
  });
}

/** The named candidate (its id, or #N within --project), else the project's best on search, else its seed. */
async function chooseCandidate(
  projectId: string | undefined,
  candidateId: string | undefined,
): Promise<{ id: string; number: number; projectId: string }> {
  const select = { id: true, number: true, projectId: true } as const;
  if (candidateId) {
    const byNumber = /^#?(\d+)$/.exec(candidateId.trim());
    const candidate =
      byNumber && projectId
        ? await db.candidate.findUnique({
            where: { projectId_number: { projectId, number: Number(byNumber[1]) } },
            select,
          })
        : await db.candidate.findUnique({ where: { id: candidateId }, select });
    if (!candidate || (projectId && candidate.projectId !== projectId))
      throw new StudioError(`No candidate ${candidateId}${projectId ? ` in project ${projectId}` : ""}.`);
    return candidate;
  }
  const project = await db.project.findUnique({ where: { id: projectId! }, select: { id: true } });
  if (!project) throw new StudioError(`No project ${projectId}.`);
  const best = await bestCandidate(project.id);
  if (best) return { id: best.id, number: best.number, projectId: project.id };
  const seed = await db.candidate.findFirst({
    where: { projectId: project.id, status: { not: "rejected" } },
    orderBy: { number: "asc" },
    select,
  });
  if (!seed) throw new StudioError(`Project ${projectId} has no candidates.`);
  return seed;
}
