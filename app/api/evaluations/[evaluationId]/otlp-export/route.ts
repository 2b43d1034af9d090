import { z } from "zod";
import { exportEvaluation } from "@/lib/otlp/export";
import { route } from "@/lib/server/route";

/**
 * Sends the evaluation's traces to the project's OTLP endpoint now and answers the outcome
 * (also stored on the evaluation). Run in the request: it is a few HTTP requests, bounded by
 * the exporter's timeout, and the person is waiting to see whether it worked.
 */
export const POST = route({ params: z.object({ evaluationId: z.string().min(1).max(100) }) }, ({ params }) =>
  exportEvaluation(params.evaluationId),
);
