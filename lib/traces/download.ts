// The raw download: a whole trace (a task run's or an iteration's) as JSONL, streamed in pages
// bounded by body size, never the whole trace in memory at once.
import { db } from "../db/client.ts";
import type { TraceOwner } from "./events.ts";
import { exportLine } from "./export.ts";

/** One database page holds at most this many body bytes... */
const RAW_PAGE_BYTES = 16 * 1024 * 1024;
/** ...and at most this many events. */
const RAW_PAGE_EVENTS = 500;

/**
 * The whole trace as JSONL in the `download` format (export.ts): one event a line, every column
 * and the full body. Pages are planned from body sizes first, so memory holds at
 * most one page (≤ 16 MiB of bodies, or one larger event) at a time.
 */
export async function* traceLines(owner: TraceOwner): AsyncGenerator<string> {
  const sizes = await db.traceEvent.findMany({
    where: { ...owner },
    orderBy: { seq: "asc" },
    select: { seq: true, bodyBytes: true },
  });
  const pages: { from: number; to: number }[] = [];
  let bytes = 0;
  let count = 0;
  for (const size of sizes) {
    const last = pages.at(-1);
    if (!last || count >= RAW_PAGE_EVENTS || (count > 0 && bytes + size.bodyBytes > RAW_PAGE_BYTES)) {
      pages.push({ from: size.seq, to: size.seq });
      bytes = 0;
      count = 0;
    } else {
      last.to = size.seq;
    }
    bytes += size.bodyBytes;
    count++;
  }
  for (const page of pages) {
    const rows = await db.traceEvent.findMany({
      where: { ...owner, seq: { gte: page.from, lte: page.to } },
      orderBy: { seq: "asc" },
    });
    for (const row of rows) yield exportLine(row, "download");
  }
}
