import { z } from "zod";
import { estimateEvaluation, estimateOptimization } from "@/lib/evaluations/estimate";
import { modelConfigured } from "@/lib/offline/upstream";
import { modelName } from "@/lib/projects/settings-edit";
import { route } from "@/lib/server/route";
import { MAX_TRIALS } from "@/lib/evaluations/trials";

const query = z
  .object({
    split: z.enum(["search", "test"]).optional(),
    iterations: z.coerce.number().int().min(1).max(100).optional(),
    offline: z.enum(["0", "1"]).optional(),
    /** A transfer run: its models, comma-separated, and how many candidates each evaluates. */
    models: z
      .string()
      .transform((text) => text.split(",").filter(Boolean))
      .pipe(z.array(modelName).min(1).max(20))
      .optional(),
    candidates: z.coerce.number().int().min(1).max(100).optional(),
    trials: z.coerce.number().int().min(1).max(MAX_TRIALS).optional(),
  })
  .strict()
  .refine((q) => (q.split === undefined) !== (q.iterations === undefined), { message: "send split or iterations" });

/**
 * What a run would likely cost, before it starts: `?split=search` for an evaluation (with
 * `&models=a,b&candidates=3`, a transfer run's evaluations), `?iterations=N` for an optimization; `&offline=1` for an offline run (free), which is the default when the server
 * has no model key, as for the runs the buttons start. Says whether it is above the
 * project's confirmAboveUsd, so the run controls ask first.
 */
export const GET = route(
  {
    params: z.object({ id: z.string() }),
    query,
    invalid: `Send ?split=search|test (optionally &models=a,b&candidates=N, &trials=1..${MAX_TRIALS}) or ?iterations=1..100, and optionally &offline=1.`,
    noStore: true,
  },
  ({ params, query }) => {
    const offline = query.offline ? query.offline === "1" : !modelConfigured();
    return query.split
      ? estimateEvaluation(params.id, query.split, {
          offline,
          models: query.models,
          count: query.candidates,
          trials: query.trials,
        })
      : estimateOptimization(params.id, query.iterations!, { offline });
  },
);
