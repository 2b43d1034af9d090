import { eventResponse, notFoundResponse } from "@/lib/traces/http";
import { taskRunExists } from "@/lib/traces/queries";

/** One event of a task run with its body (see eventResponse for `?maxBytes`). */
export async function GET(request: Request, { params }: { params: Promise<{ runId: string; seq: string }> }) {
  const { runId, seq } = await params;
  return eventResponse(request, seq, async () =>
    (await taskRunExists(runId))
      ? { owner: { taskRunId: runId }, label: `Task run ${runId}` }
      : notFoundResponse("task run", runId),
  );
}
