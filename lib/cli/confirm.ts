// Cost before the spend, at the terminal: the estimate is printed (on stderr, so --json output
// stays one JSON document), and above the project's confirmAboveUsd the run starts only when a
// person says yes at the terminal, or the command was given --yes. Without a terminal and
// without --yes, it refuses rather than spend unasked.
import readline from "node:readline/promises";
import { StudioError } from "../errors.ts";
import { formatUsd } from "../format.ts";
import { estimateLines, type CostEstimate } from "../evaluations/estimate.ts";

export async function confirmSpend(
  estimate: CostEstimate,
  options: { yes?: boolean; projectId: string; what: string },
): Promise<void> {
  process.stderr.write(estimateLines(estimate).join("\n") + "\n");
  if (!estimate.needsConfirmation) return;
  const above = `above this project's confirmation setting (confirmAboveUsd = ${formatUsd(estimate.confirmAboveUsd)})`;
  if (options.yes) {
    process.stderr.write(`That is ${above}; --yes given, so it starts.\n`);
    return;
  }
  const raise = `Or raise the setting: npx studio settings --project ${options.projectId} --set confirmAboveUsd=AMOUNT`;
  if (!process.stdin.isTTY)
    throw new StudioError(
      `Not started: the estimated cost (${formatUsd(estimate.usd)}) is ${above}, and there is no terminal to ask. Add --yes to start ${options.what} anyway.`,
      raise,
    );
  const prompt = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`That is ${above}. Start ${options.what}? [y/N] `);
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new StudioError("Not started: not confirmed.", `--yes skips this question. ${raise}`);
  } finally {
    prompt.close();
  }
}
