// The trace API's answers, shared by the task-run routes (/api/task-runs/<id>/…) and the
// iteration routes (/api/iterations/<id>/…): the same timeline pages, event bodies and raw
// JSONL download, whoever owns the events. Routes only find the owner and name it.
import { traceLines } from "./download.ts";
import {
  getTraceEvent,
  listTraceEvents,
  parseIndex,
  parseKinds,
  TRACE_PAGE_MAX,
  TRACE_PAGE_SIZE,
  type TraceOwner,
} from "./queries.ts";

const MAX_BYTES_LIMIT = 64 * 1024 * 1024;
const CHUNK_CHARS = 64 * 1024;

/** A found owner, and how errors name it ("task run abc", "iteration xyz"). */
export interface OwnerRef {
  owner: TraceOwner;
  label: string;
}

export function notFoundResponse(what: string, id: string): Response {
  return Response.json({ error: `No ${what} with id ${JSON.stringify(id)}.` }, { status: 404 });
}

/**
 * A page of the timeline: narrow columns and previews, never bodies.
 * `?offset=0&limit=200&kind=model_call,exec&locate=<seq>&summary=1` (all optional).
 */
export async function eventPageResponse(request: Request, find: () => Promise<OwnerRef | Response>): Promise<Response> {
  const query = new URL(request.url).searchParams;
  const offset = query.has("offset") ? parseIndex(query.get("offset")) : 0;
  const limit = query.has("limit") ? parseIndex(query.get("limit"), TRACE_PAGE_MAX) : TRACE_PAGE_SIZE;
  const kinds = parseKinds(query.get("kind"));
  const locate = query.has("locate") ? parseIndex(query.get("locate")) : null;
  if (offset === null) return Response.json({ error: "offset must be a non-negative integer." }, { status: 400 });
  if (limit === null || limit < 1)
    return Response.json({ error: `limit must be an integer from 1 to ${TRACE_PAGE_MAX}.` }, { status: 400 });
  if (kinds === "invalid")
    return Response.json(
      { error: "kind must be a comma-separated list of event kinds (lowercase letters, digits and _)." },
      { status: 400 },
    );
  if (query.has("locate") && locate === null)
    return Response.json({ error: "locate must be an event seq (a non-negative integer)." }, { status: 400 });
  const found = await find();
  if (found instanceof Response) return found;
  const page = await listTraceEvents(found.owner, {
    offset,
    limit,
    kinds,
    locate,
    summary: query.get("summary") === "1",
  });
  return Response.json(page, { headers: { "cache-control": "no-store" } });
}

/**
 * One event with its full body. `?maxBytes=N` (1024..64 MiB) cuts a larger body for display:
 * the structure stays, long strings are cut with a marker, and `clip` says how much is shown.
 */
export async function eventResponse(
  request: Request,
  rawSeq: string,
  find: () => Promise<OwnerRef | Response>,
): Promise<Response> {
  const seq = parseIndex(rawSeq);
  if (seq === null) return Response.json({ error: "seq must be a non-negative integer." }, { status: 400 });
  const query = new URL(request.url).searchParams;
  const maxBytes = query.has("maxBytes") ? parseIndex(query.get("maxBytes"), MAX_BYTES_LIMIT) : undefined;
  if (maxBytes === null || (maxBytes !== undefined && maxBytes < 1024))
    return Response.json({ error: `maxBytes must be an integer from 1024 to ${MAX_BYTES_LIMIT}.` }, { status: 400 });
  const found = await find();
  if (found instanceof Response) return found;
  const detail = await getTraceEvent(found.owner, seq, { maxBytes });
  if (!detail) return Response.json({ error: `${found.label} has no event with seq ${seq}.` }, { status: 404 });
  return Response.json(detail, { headers: { "cache-control": "no-store" } });
}

/** All events as JSONL (one event a line, every field, full bodies), streamed page by page from the database. */
export function rawTraceResponse(owner: TraceOwner, fileName: string): Response {
  const lines = traceLines(owner);
  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        // Lines are batched into chunks of about 64 KB; a big event goes out as one chunk.
        let chunk = "";
        while (chunk.length < CHUNK_CHARS) {
          const { value, done } = await lines.next();
          if (done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += value;
        }
        controller.enqueue(encoder.encode(chunk));
      } catch (error) {
        controller.error(error);
      }
    },
    async cancel() {
      await lines.return(undefined);
    },
  });
  return new Response(stream, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${fileName.replace(/[^A-Za-z0-9._-]+/g, "_")}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
