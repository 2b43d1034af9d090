import { eventPageResponse, notFoundResponse } from "@/lib/traces/http";
import { taskRunExists } from "@/lib/traces/queries";

/** A page of a task run's timeline (see eventPageResponse for the query). */
export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  return eventPageResponse(request, async () =>
    (await taskRunExists(runId))
      ? { owner: { taskRunId: runId }, label: `Task run ${runId}` }
      : notFoundResponse("task run", runId),
  );
}
