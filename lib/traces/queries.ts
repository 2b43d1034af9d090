// Read models for the trace viewer: the raw events of one task run, or of one iteration (the
// proposer's own transcript); both are TraceEvent rows, told apart by their owner column. List views read narrow
// columns and the short preview only; a body is read when one event is opened. The raw download
// is download.ts; the task-run page header is task-run-view.ts.
import { db } from "../db/client.ts";
import type { EventKind, TraceOwner } from "./events.ts";

export type { TraceOwner } from "./events.ts";

/** Rows per page of the timeline (server-rendered first page, then client paging). */
export const TRACE_PAGE_SIZE = 200;
/** The most rows one list request may ask for. */
export const TRACE_PAGE_MAX = 1000;
/** The detail panel shows about this much of a body; the rest is in the raw download. */
export const DETAIL_BODY_BYTES = 200 * 1024;
/**
 * The first event's body comes with the page when it is at most this big: the first j opens it,
 * and a small body costs less in the HTML than a round trip after the page is up.
 */
export const INLINE_BODY_BYTES = 16 * 1024;

const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const KIND_PATTERN = /^[a-z][a-z0-9_]{0,39}$/;

/** Task-run, iteration and project ids are cuids; anything else is answered 404 without a query. */
export function isId(value: string): boolean {
  return ID_PATTERN.test(value);
}

/** `?kind=model_call,exec` → ["model_call", "exec"]; null for "all kinds"; "invalid" when malformed. */
export function parseKinds(raw: string | null | undefined): string[] | null | "invalid" {
  if (raw == null || raw.trim() === "") return null;
  const kinds = [
    ...new Set(
      raw
        .split(",")
        .map((kind) => kind.trim())
        .filter(Boolean),
    ),
  ];
  if (kinds.length > 30 || kinds.some((kind) => !KIND_PATTERN.test(kind))) return "invalid";
  return kinds.length ? kinds.sort() : null;
}

/** A non-negative integer from a query or path parameter, or null. */
export function parseIndex(raw: string | null | undefined, max = 2_147_483_647): number | null {
  if (raw == null || !/^\d{1,10}$/.test(raw)) return null;
  const value = Number(raw);
  return value <= max ? value : null;
}

/** One row of the timeline: no body. Times are epoch milliseconds. */
export interface TraceEventItem {
  id: string;
  seq: number;
  kind: EventKind;
  timeMs: number;
  name: string | null;
  durationMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  costUsd: number | null;
  preview: string;
  bodyBytes: number;
  truncated: boolean;
}

const itemSelect = {
  id: true,
  seq: true,
  kind: true,
  time: true,
  name: true,
  durationMs: true,
  genAiUsageInputTokens: true,
  genAiUsageOutputTokens: true,
  costUsd: true,
  preview: true,
  bodyBytes: true,
  truncated: true,
} as const;

type ItemRow = {
  id: bigint;
  seq: number;
  kind: string;
  time: Date;
  name: string | null;
  durationMs: number | null;
  genAiUsageInputTokens: number | null;
  genAiUsageOutputTokens: number | null;
  costUsd: number | null;
  preview: string;
  bodyBytes: number;
  truncated: boolean;
};

function toItem(row: ItemRow): TraceEventItem {
  return {
    id: row.id.toString(),
    seq: row.seq,
    kind: row.kind as EventKind, // written only by build.ts
    timeMs: row.time.getTime(),
    name: row.name,
    durationMs: row.durationMs,
    inputTokens: row.genAiUsageInputTokens,
    outputTokens: row.genAiUsageOutputTokens,
    costUsd: row.costUsd,
    preview: row.preview,
    bodyBytes: row.bodyBytes,
    truncated: row.truncated,
  };
}

function eventWhere(owner: TraceOwner, kinds: string[] | null) {
  return kinds ? { ...owner, kind: { in: kinds } } : { ...owner };
}

export async function taskRunExists(taskRunId: string): Promise<{ id: string; taskKey: string } | null> {
  if (!isId(taskRunId)) return null;
  const run = await db.taskRun.findUnique({
    where: { id: taskRunId },
    select: { id: true, task: { select: { key: true } } },
  });
  return run ? { id: run.id, taskKey: run.task.key } : null;
}

export interface TraceEventPage {
  /** Events matching the filter. */
  total: number;
  offset: number;
  events: TraceEventItem[];
  /** With `locate`: the position of that seq among the filtered events, or null when it is not among them. */
  located?: number | null;
  /** With `summary`: all events and the counts per kind, whatever the filter (a live trace grows). */
  eventCount?: number;
  kinds?: { kind: string; count: number }[];
}

/** A page of the timeline, in seq order. `offset` counts filtered events. */
export async function listTraceEvents(
  owner: TraceOwner,
  options: { offset: number; limit: number; kinds: string[] | null; locate?: number | null; summary?: boolean },
): Promise<TraceEventPage> {
  const where = eventWhere(owner, options.kinds);
  const [total, rows, located, summary] = await Promise.all([
    db.traceEvent.count({ where }),
    db.traceEvent.findMany({
      where,
      orderBy: { seq: "asc" },
      skip: options.offset,
      take: options.limit,
      select: itemSelect,
    }),
    options.locate == null ? Promise.resolve(undefined) : locateEvent(owner, options.locate, options.kinds),
    options.summary ? kindCounts(owner) : Promise.resolve(undefined),
  ]);
  const page: TraceEventPage = { total, offset: options.offset, events: rows.map(toItem) };
  if (located !== undefined) page.located = located;
  if (summary) Object.assign(page, summary);
  return page;
}

/** Events per kind, most frequent first, and their sum: the timeline's filter chips. */
async function kindCounts(
  owner: TraceOwner,
): Promise<{ eventCount: number; kinds: { kind: string; count: number }[] }> {
  const groups = await db.traceEvent.groupBy({ by: ["kind"], where: { ...owner }, _count: { _all: true } });
  const kinds = groups
    .map((group) => ({ kind: group.kind, count: group._count._all }))
    .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
  return { eventCount: kinds.reduce((sum, kind) => sum + kind.count, 0), kinds };
}

/** Where event `seq` sits among the filtered events (0-based), or null when it is not there. */
export async function locateEvent(owner: TraceOwner, seq: number, kinds: string[] | null): Promise<number | null> {
  const where = eventWhere(owner, kinds);
  const [exists, before] = await Promise.all([
    db.traceEvent.findFirst({ where: { ...where, seq }, select: { seq: true } }),
    db.traceEvent.count({ where: { ...where, seq: { lt: seq } } }),
  ]);
  return exists ? before : null;
}

export interface TimelineStart {
  /** All events of the run, whatever the filter. */
  eventCount: number;
  /** Time of the first event (lowest seq), epoch ms: the timeline's "+0 ms". */
  startMs: number | null;
  kinds: { kind: string; count: number }[];
  /** The page holding the selected event (or the first page), under the filter. */
  page: TraceEventPage;
  /** The selected event's position among the filtered events. */
  selectedIndex: number | null;
}

/** What the page renders on the server: counts per kind, and the first page to show. */
export async function timelineStart(
  owner: TraceOwner,
  options: { kinds: string[] | null; selectedSeq: number | null; pageSize?: number },
): Promise<TimelineStart> {
  const pageSize = options.pageSize ?? TRACE_PAGE_SIZE;
  const pageAt = async (index: number | null) =>
    listTraceEvents(owner, {
      offset: index == null ? 0 : Math.floor(index / pageSize) * pageSize,
      limit: pageSize,
      kinds: options.kinds,
    });
  // Nothing selected: the first page is known at once, read beside the counts (not after them).
  const [counts, first, selectedIndex, firstPage] = await Promise.all([
    kindCounts(owner),
    db.traceEvent.findFirst({ where: { ...owner }, orderBy: { seq: "asc" }, select: { time: true } }),
    options.selectedSeq == null ? Promise.resolve(null) : locateEvent(owner, options.selectedSeq, options.kinds),
    options.selectedSeq == null ? pageAt(null) : Promise.resolve(null),
  ]);
  const page = firstPage ?? (await pageAt(selectedIndex));
  return { ...counts, startMs: first?.time.getTime() ?? null, page, selectedIndex };
}

/**
 * The body the first j opens, when it is small: with nothing selected and no filter, the first
 * event (seq 0, a task run's first). Read beside the page's other reads, not after them; a larger
 * body is not read at all.
 */
export async function firstEventDetail(
  owner: TraceOwner,
  view: { kinds: string[] | null; selectedSeq: number | null },
): Promise<TraceEventDetail | null> {
  if (view.kinds || view.selectedSeq != null) return null;
  return getTraceEvent(owner, 0, { maxBytes: DETAIL_BODY_BYTES, onlyIfBodyAtMost: INLINE_BODY_BYTES });
}

/** How the detail view shows a body that is too large to render whole. */
export interface BodyClip {
  /** "strings": the structure is whole and long strings are cut; "text": only the head of the JSON text. */
  mode: "strings" | "text";
  shownBytes: number;
  totalBytes: number;
}

export interface TraceEventDetail {
  event: TraceEventItem & {
    requestModel: string | null;
    responseModel: string | null;
    finishReasons: string[];
  };
  /** The body, whole, or with long strings cut (see `clip`). */
  body: unknown;
  /** Set when `clip.mode` is "text": the first bytes of the body's JSON. */
  bodyText?: string;
  clip: BodyClip | null;
}

/** One event with its body. With `maxBytes`, a large body is cut for display (the raw download has it all). */
export async function getTraceEvent(
  owner: TraceOwner,
  seq: number,
  /** onlyIfBodyAtMost: no event (null) when its body is larger than this. */
  options: { maxBytes?: number; onlyIfBodyAtMost?: number } = {},
): Promise<TraceEventDetail | null> {
  const row = await db.traceEvent.findFirst({
    // served by the (owner, seq) unique index
    where: {
      ...owner,
      seq,
      ...(options.onlyIfBodyAtMost == null ? {} : { bodyBytes: { lte: options.onlyIfBodyAtMost } }),
    },
    select: {
      ...itemSelect,
      genAiRequestModel: true,
      genAiResponseModel: true,
      genAiResponseFinishReasons: true,
      body: true,
    },
  });
  if (!row) return null;
  const event = {
    ...toItem(row),
    requestModel: row.genAiRequestModel,
    responseModel: row.genAiResponseModel,
    finishReasons: row.genAiResponseFinishReasons,
  };
  if (options.maxBytes == null) return { event, body: row.body, clip: null };
  return { event, ...clipBody(row.body, options.maxBytes) };
}

const CUT_MARK = (more: number) =>
  `… [studio: ${more.toLocaleString("en-US")} more characters not shown here; the raw trace has them]`;

/**
 * Makes a body fit about `maxBytes` of JSON for display. The structure stays whole: every
 * string keeps up to the same number of characters (the longest ones are cut first, each with
 * a marker), so short fields (roles, names, ids, usage) are never touched. When even the
 * structure alone is too big, only the head of the JSON text is returned.
 */
export function clipBody(body: unknown, maxBytes: number): { body: unknown; bodyText?: string; clip: BodyClip | null } {
  const text = JSON.stringify(body ?? null);
  const totalBytes = Buffer.byteLength(text);
  if (totalBytes <= maxBytes) return { body, clip: null };

  const lengths: number[] = [];
  const collect = (value: unknown): void => {
    if (typeof value === "string") lengths.push(value.length);
    else if (Array.isArray(value)) value.forEach(collect);
    else if (value && typeof value === "object") Object.values(value).forEach(collect);
  };
  collect(body);
  const stringChars = lengths.reduce((sum, length) => sum + length, 0);
  const overhead = text.length - stringChars; // quotes, keys, numbers, punctuation (escapes counted as structure)

  let budget = maxBytes - overhead;
  for (let attempt = 0; attempt < 4 && budget > 0; attempt++) {
    const cap = waterLevel(lengths, budget);
    if (cap < 64) break;
    const clipped = cutStrings(body, cap);
    const shown = Buffer.byteLength(JSON.stringify(clipped));
    if (shown <= maxBytes * 1.1) return { body: clipped, clip: { mode: "strings", shownBytes: shown, totalBytes } };
    budget -= shown - maxBytes; // escapes, multi-byte characters and markers took more than planned
  }
  const head = Buffer.from(text)
    .subarray(0, maxBytes)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
  return { body: null, bodyText: head, clip: { mode: "text", shownBytes: Buffer.byteLength(head), totalBytes } };
}

/** The largest cap such that Σ min(length, cap) + a marker per cut string ≤ budget. */
function waterLevel(lengths: number[], budget: number): number {
  const sorted = [...lengths].sort((a, b) => a - b);
  const marker = CUT_MARK(1_000_000).length;
  let remaining = budget;
  for (let i = 0; i < sorted.length; i++) {
    const left = sorted.length - i;
    if (sorted[i] * left <= remaining) {
      remaining -= sorted[i];
      continue;
    }
    return Math.floor(remaining / left) - marker;
  }
  return Number.MAX_SAFE_INTEGER;
}

function cutStrings(value: unknown, cap: number): unknown {
  if (typeof value === "string") return value.length > cap ? value.slice(0, cap) + CUT_MARK(value.length - cap) : value;
  if (Array.isArray(value)) return value.map((item) => cutStrings(item, cap));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, cutStrings(item, cap)]));
  return value;
}
