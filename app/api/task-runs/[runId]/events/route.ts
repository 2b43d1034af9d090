import { listTraceEvents, parseIndex, parseKinds, taskRunExists, TRACE_PAGE_MAX, TRACE_PAGE_SIZE } from "@/lib/traces/queries";

/**
 * A page of a task run's timeline: narrow columns and previews, never bodies.
 * `?offset=0&limit=200&kind=model_call,exec&locate=<seq>` (all optional).
 */
export async function GET(request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const query = new URL(request.url).searchParams;
  const offset = query.has("offset") ? parseIndex(query.get("offset")) : 0;
  const limit = query.has("limit") ? parseIndex(query.get("limit"), TRACE_PAGE_MAX) : TRACE_PAGE_SIZE;
  const kinds = parseKinds(query.get("kind"));
  const locate = query.has("locate") ? parseIndex(query.get("locate")) : null;
  if (offset === null) return Response.json({ error: "offset must be a non-negative integer." }, { status: 400 });
  if (limit === null || limit < 1) return Response.json({ error: `limit must be an integer from 1 to ${TRACE_PAGE_MAX}.` }, { status: 400 });
  if (kinds === "invalid") return Response.json({ error: "kind must be a comma-separated list of event kinds (lowercase letters, digits and _)." }, { status: 400 });
  if (query.has("locate") && locate === null) return Response.json({ error: "locate must be an event seq (a non-negative integer)." }, { status: 400 });
  if (!(await taskRunExists(runId))) return Response.json({ error: `No task run with id ${JSON.stringify(runId)}.` }, { status: 404 });
  const page = await listTraceEvents(runId, { offset, limit, kinds, locate });
  return Response.json(page, { headers: { "cache-control": "no-store" } });
}
