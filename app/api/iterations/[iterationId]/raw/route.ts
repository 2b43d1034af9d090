import { iterationExists } from "@/lib/iterations/queries";
import { notFoundResponse, rawTraceResponse } from "@/lib/traces/http";

/** The iteration's whole transcript as JSONL, streamed. */
export async function GET(_request: Request, { params }: { params: Promise<{ iterationId: string }> }) {
  const { iterationId } = await params;
  const iteration = await iterationExists(iterationId);
  if (!iteration) return notFoundResponse("iteration", iterationId);
  return rawTraceResponse({ iterationId: iteration.id }, `iteration-${iteration.number}-${iteration.id}.jsonl`);
}
