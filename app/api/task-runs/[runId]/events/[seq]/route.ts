import { getTraceEvent, parseIndex, taskRunExists } from "@/lib/traces/queries";

const MAX_BYTES_LIMIT = 64 * 1024 * 1024;

/**
 * One event with its full body. `?maxBytes=N` (1024..64 MiB) cuts a larger body for display:
 * the structure stays, long strings are cut with a marker, and `clip` says how much is shown.
 */
export async function GET(request: Request, { params }: { params: Promise<{ runId: string; seq: string }> }) {
  const { runId, seq: rawSeq } = await params;
  const seq = parseIndex(rawSeq);
  if (seq === null) return Response.json({ error: "seq must be a non-negative integer." }, { status: 400 });
  const query = new URL(request.url).searchParams;
  const maxBytes = query.has("maxBytes") ? parseIndex(query.get("maxBytes"), MAX_BYTES_LIMIT) : undefined;
  if (maxBytes === null || (maxBytes !== undefined && maxBytes < 1024)) return Response.json({ error: `maxBytes must be an integer from 1024 to ${MAX_BYTES_LIMIT}.` }, { status: 400 });
  if (!(await taskRunExists(runId))) return Response.json({ error: `No task run with id ${JSON.stringify(runId)}.` }, { status: 404 });
  const detail = await getTraceEvent(runId, seq, { maxBytes });
  if (!detail) return Response.json({ error: `Task run ${runId} has no event with seq ${seq}.` }, { status: 404 });
  return Response.json(detail, { headers: { "cache-control": "no-store" } });
}
