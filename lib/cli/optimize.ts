// `studio optimize`: run N iterations of the loop headless, with a progress display; with
// --json, one JSON line per finished iteration. `--queue` puts it on the job queue for the
// workers and follows it (follow.ts). An optimization interrupted earlier (its
// process died) is resumed, not started over.
import { parseArgs } from "node:util";
import type { ProposerKind } from "../db/client.ts";
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { formatScore } from "../format.ts";
import { createOptimization, resumableOptimization, runOptimization } from "../loop/optimization.ts";
import { stopInWords } from "../loop/stop.ts";
import { FEEDBACK_LABELS, parseFeedback } from "../loop/feedback.ts";
import { estimateOptimization } from "../evaluations/estimate.ts";
import { PROPOSER_KINDS, proposerKindOf } from "../projects/settings-edit.ts";
import { locateClaudeCode } from "../proposer/claude-code.ts";
import { confirmSpend } from "./confirm.ts";
import { parseTrials } from "./trials.ts";
import { withDatabase } from "./database.ts";
import { followOptimization, type OptimizationFollower } from "./follow.ts";

export async function optimizeCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      project: { type: "string" },
      iterations: { type: "string", default: "1" },
      proposer: { type: "string" },
      "proposer-command": { type: "string" },
      offline: { type: "boolean" },
      feedback: { type: "string" },
      trials: { type: "string" },
      queue: { type: "boolean" },
      yes: { type: "boolean", short: "y" },
      json: { type: "boolean" },
    },
  });
  if (!values.project) throw new StudioError("optimize needs --project ID.");
  const iterations = Number(values.iterations);
  if (!Number.isInteger(iterations) || iterations < 1)
    throw new StudioError("--iterations must be a positive whole number.");
  const proposer = proposerKindOf(values.proposer) as ProposerKind | undefined;
  if (proposer && !PROPOSER_KINDS.includes(proposer))
    throw new StudioError("--proposer must be one of claude, claude-code, command, offline.");
  if (proposer === "command" && !values["proposer-command"])
    throw new StudioError('--proposer command needs --proposer-command "...".');
  const feedback = parseFeedback(values.feedback);
  const trials = parseTrials(values.trials);
  // Missing Claude Code is said before anything is recorded, with how to install it.
  if (proposer === "claude_code" && !values.offline) locateClaudeCode();

  return withDatabase(async () => {
    const resumed = await resumableOptimization(values.project!);
    // A resumed run was confirmed when it started; a new one is estimated before it is recorded.
    if (!resumed)
      await confirmSpend(
        await estimateOptimization(values.project!, iterations, {
          offline: values.offline,
          proposerKind: proposer,
          trials,
        }),
        { yes: values.yes, projectId: values.project!, what: `${iterations} iteration${iterations === 1 ? "" : "s"}` },
      );
    const optimizationId =
      resumed ??
      (await createOptimization(
        values.project!,
        iterations,
        {
          kind: proposer,
          command: values["proposer-command"],
          offline: values.offline,
        },
        feedback,
        trials,
      ));
    const { simulated, feedback: mode } = await db.optimization.findUniqueOrThrow({
      where: { id: optimizationId },
      select: { simulated: true, feedback: true },
    });
    if (mode !== "raw")
      process.stderr.write(
        `Feedback: ${FEEDBACK_LABELS[mode]}: an ablation mode; the proposer's workspace holds no raw traces (the default, raw traces, is what the method found works).\n`,
      );
    if (simulated)
      process.stderr.write(
        "Offline mode: the offline proposer and the offline model; everything made is marked simulated.\n",
      );
    if (resumed) process.stderr.write(`Resuming optimization ${resumed}: finished work is kept.\n`);
    const follower: OptimizationFollower = {
      onStage: (iteration, stage) => {
        if (!values.json && process.stderr.isTTY)
          process.stderr.write(`\r\x1b[2K${iteration > 0 ? `iteration ${iteration}: ` : ""}${stage}…`);
      },
      onIteration: (summary, frontier) => {
        if (values.json) {
          const line = {
            iteration: summary.iteration,
            candidates: summary.candidates.map(
              ({ id, number, parents, valid, searchScore, inputTokens, outputTokens }) => ({
                id,
                number,
                parents,
                valid,
                searchScore,
                inputTokens,
                outputTokens,
              }),
            ),
            proposer: {
              filesRead: summary.proposer.filesRead,
              inputTokens: summary.proposer.inputTokens,
              outputTokens: summary.proposer.outputTokens,
              costUsd: summary.proposer.costUsd,
              unpriced: summary.proposer.unpriced,
              // A command proposer's sandbox ("bubblewrap" or "process"); null for the proposers inside the studio.
              isolation: summary.proposer.isolation,
            },
            // Ids for scripts, numbers (#N) as people read them, in the same order.
            frontier: frontier.map((candidate) => candidate.id),
            frontierNumbers: frontier.map((candidate) => candidate.number),
            ...(mode !== "raw" ? { feedback: mode } : {}),
            ...(simulated ? { simulated: true } : {}),
          };
          process.stdout.write(JSON.stringify(line) + "\n");
        } else {
          if (process.stderr.isTTY) process.stderr.write("\r\x1b[2K");
          const scores = summary.candidates
            .map((c) => (c.valid ? `#${c.number} ${formatScore(c.searchScore)}` : `#${c.number} rejected`))
            .join(", ");
          process.stdout.write(
            `${simulated ? "[simulated] " : ""}iteration ${summary.iteration}: ${scores || "no proposals"} · proposer read ${summary.proposer.filesRead} files, ${summary.proposer.inputTokens + summary.proposer.outputTokens} tokens · frontier: ${frontier.map((candidate) => `#${candidate.number}`).join(", ") || "empty"}\n`,
          );
        }
      },
    };
    const abort = new AbortController();
    const onSignal = () => abort.abort();
    // On the queue, Ctrl-C asks the worker running it to stop (follow.ts).
    if (!values.queue) {
      process.once("SIGINT", onSignal);
      process.once("SIGTERM", onSignal);
    }
    try {
      const result = values.queue
        ? await followOptimization(optimizationId, follower)
        : await runOptimization(optimizationId, { signal: abort.signal, ...follower });
      const said = stopInWords(result.stop);
      const stopped = said === result.status ? null : said; // "cancelled (cancelled)" says it twice
      if (!values.json)
        process.stdout.write(
          `optimization ${result.optimizationId}: ${result.status}${stopped ? ` (${stopped})` : ""}; frontier: ${result.frontier.map((candidate) => `#${candidate.number}`).join(", ") || "empty"}\n`,
        );
      else if (result.status !== "done")
        process.stderr.write(`optimization ${result.status}${stopped ? `: ${stopped}` : ""}\n`);
      return result.status === "done" ? 0 : 1;
    } finally {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    }
  });
}
