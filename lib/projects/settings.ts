// A project's budgets and limits, stored as JSON on the project and read through one schema
// so every page, the CLI and the runner agree on names and defaults.
import { z } from "zod";

const tokenBudget = z.object({ tokens: z.number().int().positive().optional(), usd: z.number().positive().optional() }).strict();

export const projectSettingsSchema = z
  .object({
    budgets: z
      .object({
        /** One task run's model calls. */
        task: tokenBudget.optional(),
        /** One evaluation's model calls (all its task runs). */
        evaluation: tokenBudget.optional(),
        /** The proposer, per iteration and over the whole project. */
        proposer: tokenBudget.optional(),
        project: tokenBudget.optional(),
      })
      .strict()
      .default({}),
    /** Task runs at once for independent suites; default: the number of cores. */
    concurrency: z.number().int().positive().max(64).optional(),
    /** Memory limit of one sandbox worker, in MiB. */
    memoryMb: z.number().int().min(128).max(65536).optional(),
  })
  .strict();

export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

/** Reads stored settings; unknown or invalid content falls back to defaults rather than breaking a run. */
export function readSettings(json: unknown): ProjectSettings {
  const parsed = projectSettingsSchema.safeParse(json ?? {});
  return parsed.success ? parsed.data : projectSettingsSchema.parse({});
}
