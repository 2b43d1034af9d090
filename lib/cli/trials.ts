// `--trials N` of `studio eval` and `studio optimize`: task runs per task, over the project's setting.
import { StudioError } from "../errors.ts";
import { MAX_TRIALS, isTrials } from "../evaluations/trials.ts";

/** The flag's value as a number of trials; undefined when not given (the project's setting holds). */
export function parseTrials(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const trials = Number(text);
  if (!(/^\d+$/.test(text.trim()) && isTrials(trials)))
    throw new StudioError(`--trials must be a whole number from 1 to ${MAX_TRIALS}, not "${text}".`);
  return trials;
}
