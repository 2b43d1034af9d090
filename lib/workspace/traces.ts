// Raw traces as files: one JSON line per trace event (the `workspace` format of
// lib/traces/export.ts), with the whole body, in seq order. Nothing is summarised or shortened
// here (bodies past the recorder's 8 MiB cap were cut when recorded, and say so themselves).
// Events stream from Postgres in pages bounded by body size, so a project of 500 candidates ×
// 200 tasks never sits in memory at once.
import { db } from "../db/client.ts";
import { exportLine } from "../traces/export.ts";
import type { FileSink, WorkspaceTree } from "./tree.ts";

/** Default page: at most this many body bytes (as recorded in TraceEvent.bodyBytes)... */
export const TRACE_PAGE_BYTES = 16 * 1024 * 1024;
/** ...and at most this many events per query. */
export const TRACE_PAGE_EVENTS = 2_000;
/** Task runs whose event sizes are listed in one query. */
const RUNS_PER_SIZE_QUERY = 100;

export interface TraceTarget {
  taskRunId: string;
  /** Workspace path of the .jsonl file. */
  file: string;
  /** The file's version in the manifest: it changes whenever the trace could have. */
  version: string;
}

export interface EventSize {
  taskRunId: string;
  seq: number;
  bytes: number;
}

/** A contiguous range of one task run's events, fetched as part of one page. */
export interface Segment {
  taskRunId: string;
  fromSeq: number;
  toSeq: number;
}

/**
 * Cuts a list of events (grouped by task run, each run in seq order) into pages of at most
 * `maxBytes` body bytes and `maxEvents` events; an event bigger than `maxBytes` gets a page of
 * its own. Each page is a list of segments, in the order given.
 */
export function planPages(events: readonly EventSize[], limits: { maxBytes: number; maxEvents: number }): Segment[][] {
  const pages: Segment[][] = [];
  let page: Segment[] = [];
  let bytes = 0;
  let count = 0;
  for (const event of events) {
    if (count > 0 && (bytes + event.bytes > limits.maxBytes || count + 1 > limits.maxEvents)) {
      pages.push(page);
      page = [];
      bytes = 0;
      count = 0;
    }
    const last = page.at(-1);
    if (last && last.taskRunId === event.taskRunId && last.toSeq < event.seq) last.toSeq = event.seq;
    else page.push({ taskRunId: event.taskRunId, fromSeq: event.seq, toSeq: event.seq });
    bytes += event.bytes;
    count++;
  }
  if (page.length) pages.push(page);
  return pages;
}

type EventRow = Awaited<ReturnType<typeof fetchPage>>[number];

/**
 * Writes the trace files of `targets` that are not already current. Loads event sizes for a
 * group of task runs, then their events page by page; a file is renamed into place only when
 * its last event is written.
 */
export async function writeTraces(
  tree: WorkspaceTree,
  targets: readonly TraceTarget[],
  pageBytes = TRACE_PAGE_BYTES,
): Promise<void> {
  const stale = targets.filter((target) => !tree.isCurrent(target.file, target.version));
  for (let start = 0; start < stale.length; start += RUNS_PER_SIZE_QUERY) {
    const group = stale.slice(start, start + RUNS_PER_SIZE_QUERY);
    const byRun = new Map(group.map((target) => [target.taskRunId, target]));
    // Narrow: seq and size only, to plan the pages before any body is read.
    const sizes = await db.$queryRaw<EventSize[]>`
      select "taskRunId", seq, "bodyBytes" as bytes from "TraceEvent"
      where "taskRunId" = any(${[...byRun.keys()]}::text[]) order by "taskRunId", seq`;
    const remaining = new Map<string, number>();
    for (const size of sizes) remaining.set(size.taskRunId, (remaining.get(size.taskRunId) ?? 0) + 1);

    // Task runs without events still get their (empty) file: "no events" is itself a fact.
    for (const target of group) {
      if (!remaining.has(target.taskRunId)) await tree.openFile(target.file, target.version).close();
    }

    const open = new Map<string, FileSink>();
    const pages = planPages(sizes, { maxBytes: pageBytes, maxEvents: TRACE_PAGE_EVENTS });
    for (const page of pages) {
      const rows = await fetchPage(page);
      const rowsByRun = new Map<string, EventRow[]>(); // not Map.groupBy: Node 20 lacks it
      for (const row of rows) {
        const list = rowsByRun.get(row.taskRunId!);
        if (list) list.push(row);
        else rowsByRun.set(row.taskRunId!, [row]);
      }
      for (const segment of page) {
        const target = byRun.get(segment.taskRunId)!;
        let sink = open.get(segment.taskRunId);
        if (!sink) {
          sink = tree.openFile(target.file, target.version);
          open.set(segment.taskRunId, sink);
        }
        const lines = (rowsByRun.get(segment.taskRunId) ?? []).filter(
          (row) => row.seq >= segment.fromSeq && row.seq <= segment.toSeq,
        );
        for (const line of lines) await sink.write(exportLine(line, "workspace"));
        const left = remaining.get(segment.taskRunId)! - lines.length;
        remaining.set(segment.taskRunId, left);
        if (left <= 0) {
          await sink.close();
          open.delete(segment.taskRunId);
        }
      }
    }
    // Only if events vanished between the two queries (the task run was deleted meanwhile).
    for (const sink of open.values()) await sink.close();
  }
}

function fetchPage(page: Segment[]) {
  return db.traceEvent.findMany({
    where: {
      OR: page.map((segment) => ({ taskRunId: segment.taskRunId, seq: { gte: segment.fromSeq, lte: segment.toSeq } })),
    },
    orderBy: [{ taskRunId: "asc" }, { seq: "asc" }],
  });
}
