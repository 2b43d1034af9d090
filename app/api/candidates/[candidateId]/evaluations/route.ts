import { z } from "zod";
import { MAX_TRIALS } from "@/lib/evaluations/trials";
import { readEvaluationState, startEvaluation } from "@/lib/evaluations/candidate";
import { modelName } from "@/lib/projects/settings-edit";
import { route } from "@/lib/server/route";

const params = z.object({ candidateId: z.string() });
const projectId = z.string().min(1).max(100);

/** The newest evaluation per split (on the project's model), for the candidate page's polling: GET ?projectId=… */
export const GET = route(
  { params, query: z.object({ projectId }), invalid: "Send ?projectId=….", noStore: true },
  ({ params, query }) => readEvaluationState(query.projectId, params.candidateId),
);

/**
 * Evaluates the candidate on a split, with the project's model or the `model` given (a transfer
 * evaluation): recorded here, queued for the job worker, never run in this request.
 */
export const POST = route(
  {
    params,
    body: z
      .object({
        projectId,
        split: z.enum(["search", "test"]),
        model: modelName.optional(),
        trials: z.number().int().min(1).max(MAX_TRIALS).optional(),
      })
      .strict(),
    invalid: `Send { projectId, split: "search" | "test", model?: "claude-…", trials?: 1 to ${MAX_TRIALS} }.`,
    status: 202,
  },
  ({ params, body }) =>
    startEvaluation(body.projectId, params.candidateId, body.split, { model: body.model, trials: body.trials }),
);
