import { iterationExists } from "@/lib/iterations/queries";
import { eventResponse, notFoundResponse } from "@/lib/traces/http";

/** One event of an iteration's transcript with its body (see eventResponse for `?maxBytes`). */
export async function GET(request: Request, { params }: { params: Promise<{ iterationId: string; seq: string }> }) {
  const { iterationId, seq } = await params;
  return eventResponse(request, seq, async () =>
    (await iterationExists(iterationId))
      ? { owner: { iterationId }, label: `Iteration ${iterationId}` }
      : notFoundResponse("iteration", iterationId),
  );
}
