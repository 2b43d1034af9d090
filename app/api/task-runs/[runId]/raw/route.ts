import { taskRunExists, traceLines } from "@/lib/traces/queries";

const CHUNK_CHARS = 64 * 1024;

/** The whole trace as JSONL (one event a line, every field, full bodies), streamed page by page from the database. */
export async function GET(_request: Request, { params }: { params: Promise<{ runId: string }> }) {
  const { runId } = await params;
  const run = await taskRunExists(runId);
  if (!run) return Response.json({ error: `No task run with id ${JSON.stringify(runId)}.` }, { status: 404 });
  const lines = traceLines(run.id);
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
  const file = `trace-${run.taskKey.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 80)}-${run.id}.jsonl`;
  return new Response(stream, {
    headers: {
      "content-type": "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="${file}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
    },
  });
}
