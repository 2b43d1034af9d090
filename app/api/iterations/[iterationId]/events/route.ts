import { iterationExists } from "@/lib/iterations/queries";
import { eventPageResponse, notFoundResponse } from "@/lib/traces/http";

/** A page of an iteration's transcript (the proposer's own events); see eventPageResponse for the query. */
export async function GET(request: Request, { params }: { params: Promise<{ iterationId: string }> }) {
  const { iterationId } = await params;
  return eventPageResponse(request, async () =>
    (await iterationExists(iterationId))
      ? { owner: { iterationId }, label: `Iteration ${iterationId}` }
      : notFoundResponse("iteration", iterationId),
  );
}
