import { notFoundResponse, rawTraceResponse } from "@/lib/traces/http";
import { taskRunExists } from "@/lib/traces/queries";

/** The whole trace as JSONL, streamed. */
export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const run = await taskRunExists(runId);
  if (!run) return notFoundResponse("task run", runId);
  return rawTraceResponse({ taskRunId: run.id }, `trace-${run.taskKey.slice(0, 80)}-${run.id}.jsonl`);
}
