// How many task runs per task (trials) one evaluation may have. Without zod, unlike
// projects/settings.ts, so the candidate page's evaluation form can check it in the browser
// without shipping the settings schema.

/** The most trials (task runs per task) one evaluation may have. */
export const MAX_TRIALS = 20;

/** Whether `trials` is a whole number from 1 to MAX_TRIALS. */
export function isTrials(trials: number): boolean {
  return Number.isInteger(trials) && trials >= 1 && trials <= MAX_TRIALS;
}
