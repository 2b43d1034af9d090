// What a running iteration is doing, stored as JSON on the iteration (progress) for pages and
// the CLI to follow. One schema for the writer (the loop) and every reader, so a field is
// never read back by guessing its type.
import { z } from "zod";

export const iterationProgressSchema = z.object({
  stage: z.string().optional(),
  /** The candidate being evaluated, and its place among this iteration's candidates. */
  candidateId: z.string().optional(),
  candidateNumber: z.number().int().optional(),
  candidate: z.number().int().optional(),
  candidates: z.number().int().optional(),
  /** Candidates evaluated at once (lib/iterations/evaluate.ts): their numbers; the figures are their sums. */
  candidateNumbers: z.array(z.number().int()).optional(),
  evaluationId: z.string().optional(),
  /** Task runs finished of the evaluation's total, and the tokens they used so far. */
  tasksDone: z.number().int().optional(),
  tasksTotal: z.number().int().optional(),
  tokens: z.number().optional(),
});

export type IterationProgress = z.infer<typeof iterationProgressSchema>;

/** The stored progress; anything that does not fit the schema (an older row) reads as none. */
export function readProgress(json: unknown): IterationProgress {
  const parsed = iterationProgressSchema.safeParse(json ?? {});
  return parsed.success ? parsed.data : {};
}
