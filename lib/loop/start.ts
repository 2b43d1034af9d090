// The Start button's work: an optimization of N iterations is recorded, then queued for the
// job worker; it never runs in the request.
import { StudioError } from "../errors.ts";
import { enqueue, QUEUES } from "../jobs/queue.ts";
import { modelConfigured } from "../offline/upstream.ts";
import { createOptimization } from "./optimization.ts";

/** `offline` defaults to whether the server has no model key. */
export async function startOptimization(
  projectId: string,
  iterations: number,
  offline = !modelConfigured(),
): Promise<{ optimizationId: string; offline: boolean }> {
  if (!offline && !modelConfigured())
    throw new StudioError("No model API key is set on the server: run offline, or set ANTHROPIC_API_KEY.", {
      code: "conflict",
    });
  const optimizationId = await createOptimization(projectId, iterations, { offline });
  await enqueue(QUEUES.optimize, { optimizationId });
  return { optimizationId, offline };
}
