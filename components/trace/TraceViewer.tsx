"use client";

// One trace, a task run's or an iteration's (the proposer's transcript): the timeline (pages of
// narrow rows, fetched as they scroll into view) beside the opened event (its body fetched when
// opened). The selection and the kind filter live in the URL (?event=<seq>&kind=a,b), so a link
// opens the same event. A live trace (an iteration still running) is polled as it grows.
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import type { TimelineStart, TraceEventDetail, TraceEventItem, TraceEventPage } from "@/lib/traces/queries";
import { EventDetail, type DetailState } from "./EventDetail";
import { TraceTimeline } from "./TraceTimeline";
import styles from "./trace.module.css";

export interface TraceViewerProps {
  /** The owner's API: `${apiBase}/events`, `${apiBase}/events/<seq>` (/api/task-runs/<id> or /api/iterations/<id>). */
  apiBase: string;
  start: TimelineStart;
  filter: string[] | null;
  selectedSeq: number | null;
  pageSize: number;
  detailMaxBytes: number;
  /** Where n and p go: the next/previous failed task run, or the next/previous iteration. */
  previousHref: string | null;
  nextHref: string | null;
  /** What n and p go to, for the key legend: "failed run", "iteration". */
  neighbourLabel: string;
  rawTraceHref: string;
  /** Shown when the trace has no events at all. */
  emptyText: string;
  /** The trace may still grow: poll for new events until this turns false. */
  live?: boolean;
  /** The URL parameters that hold the selection and filter; two viewers on one page need their own. */
  urlParams?: { event: string; kind: string };
  /** "split": timeline beside the opened event (default); "stacked": the event under the timeline, for a half-width column. */
  layout?: "split" | "stacked";
  /** False while another viewer on the page has the keyboard. */
  keys?: boolean;
}

const URL_PARAMS = { event: "event", kind: "kind" };

/** Bodies kept in memory, so moving back and forth with j/k is instant. */
const DETAIL_CACHE = 40;
/** A body is fetched once the selection rests this long (holding j does not fire a request per row). */
const DETAIL_DELAY_MS = 40;
/** How often a live trace asks for new events. */
const LIVE_POLL_MS = 2000;

type Selection = { seq: number | null; index: number | null };

export function TraceViewer(props: TraceViewerProps) {
  const { apiBase, pageSize, live } = props;
  const router = useRouter();
  const [filter, setFilter] = useState<string[] | null>(props.filter);
  const [total, setTotal] = useState(props.start.page.total);
  const [summary, setSummary] = useState({ eventCount: props.start.eventCount, kinds: props.start.kinds });
  const [selected, setSelected] = useState<Selection | null>(props.selectedSeq == null ? null : { seq: props.selectedSeq, index: props.start.selectedIndex });
  const [detail, setDetail] = useState<DetailState | null>(null);
  const [raw, setRaw] = useState(false);
  const [ready, setReady] = useState(false);
  const [listError, setListError] = useState<string | null>(null);
  const [, setVersion] = useState(0);

  const pages = useRef(new Map<number, TraceEventItem[]>([[Math.floor(props.start.page.offset / pageSize), props.start.page.events]]));
  const inflight = useRef(new Map<number, Promise<TraceEventItem[] | null>>());
  const generation = useRef(0);
  const details = useRef(new Map<number, TraceEventDetail>());
  const [retryNonce, setRetryNonce] = useState(0);

  const kindParam = filter ? `&kind=${encodeURIComponent(filter.join(","))}` : "";
  const rowAt = useCallback((index: number) => pages.current.get(Math.floor(index / pageSize))?.[index % pageSize], [pageSize]);

  const loadPage = useCallback(
    (page: number): Promise<TraceEventItem[] | null> => {
      const loaded = pages.current.get(page);
      if (loaded) return Promise.resolve(loaded);
      const pending = inflight.current.get(page);
      if (pending) return pending;
      const gen = generation.current;
      const promise = fetch(`${apiBase}/events?offset=${page * pageSize}&limit=${pageSize}${kindParam}`, { cache: "no-store" })
        .then(async (response) => {
          const data = (await response.json()) as TraceEventPage & { error?: string };
          if (!response.ok) throw new Error(data.error ?? `The studio answered ${response.status}.`);
          if (gen !== generation.current) return null;
          pages.current.set(page, data.events);
          setTotal(data.total);
          setListError(null);
          setVersion((version) => version + 1);
          return data.events;
        })
        .catch((error: Error) => {
          if (gen === generation.current) setListError(error.message);
          return null;
        })
        .finally(() => {
          if (gen === generation.current) inflight.current.delete(page);
        });
      inflight.current.set(page, promise);
      return promise;
    },
    [apiBase, pageSize, kindParam],
  );

  // A live trace: re-read the first page that is not known to be full (the tail), with the
  // counts per kind; pages past it load as they scroll into view.
  const poll = useCallback(async () => {
    const gen = generation.current;
    let page = Math.floor(total / pageSize);
    for (const [index, events] of pages.current) if (events.length < pageSize && index < page) page = index;
    try {
      const response = await fetch(`${apiBase}/events?offset=${page * pageSize}&limit=${pageSize}${kindParam}&summary=1`, { cache: "no-store" });
      const data = (await response.json()) as TraceEventPage & { error?: string };
      if (!response.ok || gen !== generation.current) return;
      pages.current.set(page, data.events);
      setTotal(data.total);
      if (data.eventCount != null && data.kinds) setSummary({ eventCount: data.eventCount, kinds: data.kinds });
      setVersion((version) => version + 1);
    } catch {
      // The next poll tries again.
    }
  }, [apiBase, pageSize, kindParam, total]);
  const pollRef = useRef(poll);
  pollRef.current = poll;
  const wasLive = useRef(Boolean(live));
  useEffect(() => {
    if (!live) {
      if (wasLive.current) void pollRef.current(); // the last events, once the run has ended
      wasLive.current = false;
      return;
    }
    wasLive.current = true;
    const timer = setInterval(() => void pollRef.current(), LIVE_POLL_MS);
    return () => clearInterval(timer);
  }, [live]);

  const onRangeChange = useCallback(
    (start: number, end: number) => {
      for (let page = Math.floor(start / pageSize); page <= Math.floor(Math.max(start, end - 1) / pageSize); page++) void loadPage(page);
    },
    [loadPage, pageSize],
  );

  /** Opens the event at `index` of the (filtered) timeline, loading its page if needed. */
  const selectIndex = useCallback(
    (index: number) => {
      const row = rowAt(index);
      setSelected({ seq: row?.seq ?? null, index });
      if (!row) void loadPage(Math.floor(index / pageSize));
    },
    [rowAt, loadPage, pageSize],
  );

  // A selection made before its page arrived gets its seq when the page does.
  const selectedRow = selected?.index != null ? rowAt(selected.index) : undefined;
  useEffect(() => {
    if (selected && selected.seq == null && selectedRow) setSelected({ seq: selectedRow.seq, index: selected.index });
  }, [selected, selectedRow]);

  // The URL follows the selection and the filter (replaceState: no history entry per key press).
  const selectedSeq = selected?.seq ?? null;
  const params = props.urlParams ?? URL_PARAMS;
  useEffect(() => {
    const url = new URL(window.location.href);
    if (selectedSeq == null) url.searchParams.delete(params.event);
    else url.searchParams.set(params.event, String(selectedSeq));
    if (filter) url.searchParams.set(params.kind, filter.join(","));
    else url.searchParams.delete(params.kind);
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url);
  }, [selectedSeq, filter, params.event, params.kind]);

  // The opened event's body: from the cache, or fetched (cut to detailMaxBytes for display).
  useEffect(() => {
    if (selectedSeq == null) {
      setDetail(null);
      return;
    }
    const cached = details.current.get(selectedSeq);
    if (cached) {
      setDetail({ seq: selectedSeq, status: "ready", data: cached });
      return;
    }
    setDetail({ seq: selectedSeq, status: "loading" });
    const controller = new AbortController();
    const timer = setTimeout(() => {
      fetch(`${apiBase}/events/${selectedSeq}?maxBytes=${props.detailMaxBytes}`, { signal: controller.signal, cache: "no-store" })
        .then(async (response) => {
          const data = (await response.json()) as TraceEventDetail & { error?: string };
          if (!response.ok) throw new Error(data.error ?? `The studio answered ${response.status}.`);
          details.current.set(selectedSeq, data);
          if (details.current.size > DETAIL_CACHE) details.current.delete(details.current.keys().next().value as number);
          setDetail({ seq: selectedSeq, status: "ready", data });
        })
        .catch((error: Error) => {
          if (error.name !== "AbortError") setDetail({ seq: selectedSeq, status: "error", error: `Could not load event #${selectedSeq}: ${error.message}` });
        });
    }, DETAIL_DELAY_MS);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [selectedSeq, apiBase, props.detailMaxBytes, retryNonce]);

  const applyFilter = useCallback(
    (next: string[] | null) => {
      generation.current++;
      const gen = generation.current;
      pages.current = new Map();
      inflight.current = new Map();
      setFilter(next);
      setVersion((version) => version + 1);
      const kinds = next ? `&kind=${encodeURIComponent(next.join(","))}` : "";
      const locate = selectedSeq != null ? `&locate=${selectedSeq}` : "";
      fetch(`${apiBase}/events?offset=0&limit=${pageSize}${kinds}${locate}`, { cache: "no-store" })
        .then(async (response) => {
          const data = (await response.json()) as TraceEventPage & { error?: string };
          if (!response.ok) throw new Error(data.error ?? `The studio answered ${response.status}.`);
          if (gen !== generation.current) return;
          pages.current.set(0, data.events);
          setTotal(data.total);
          setListError(null);
          // The open event stays open; it is highlighted if the new filter shows it.
          setSelected((current) => (current?.seq != null ? { seq: current.seq, index: data.located ?? null } : current));
          setVersion((version) => version + 1);
        })
        .catch((error: Error) => {
          if (gen === generation.current) setListError(error.message);
        });
    },
    [apiBase, pageSize, selectedSeq],
  );

  // Keyboard: j/k and arrows move and open; n/p go to the next/previous neighbour (failed task run, iteration).
  const keyState = useRef({ selected, total, selectIndex, keys: props.keys !== false });
  keyState.current = { selected, total, selectIndex, keys: props.keys !== false };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!keyState.current.keys || event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
      const { selected: current, total: count, selectIndex: select } = keyState.current;
      const move = (delta: number) => {
        if (count === 0) return;
        const index = current?.index == null ? 0 : Math.min(count - 1, Math.max(0, current.index + delta));
        select(index);
      };
      switch (event.key) {
        case "j":
        case "ArrowDown":
          event.preventDefault();
          move(1);
          break;
        case "k":
        case "ArrowUp":
          event.preventDefault();
          move(-1);
          break;
        case "n":
          if (props.nextHref) router.push(props.nextHref);
          break;
        case "p":
          if (props.previousHref) router.push(props.previousHref);
          break;
        case "r":
          setRaw((value) => !value);
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    setReady(true);
    return () => window.removeEventListener("keydown", onKey);
  }, [router, props.nextHref, props.previousHref]);

  return (
    <div className={props.layout === "stacked" ? styles.viewerStacked : styles.viewer}>
      <TraceTimeline
        total={total}
        eventCount={summary.eventCount}
        kinds={summary.kinds}
        filter={filter}
        onFilter={applyFilter}
        rowAt={rowAt}
        startMs={props.start.startMs}
        selectedIndex={selected?.index ?? null}
        onSelect={selectIndex}
        onRangeChange={onRangeChange}
        ready={ready}
        error={listError}
        neighbours={{ previous: props.previousHref != null, next: props.nextHref != null, label: props.neighbourLabel }}
        emptyText={props.emptyText}
        live={Boolean(live)}
      />
      <EventDetail
        state={detail ?? (selectedSeq != null ? { seq: selectedSeq, status: "loading" } : null)}
        item={selectedRow}
        startMs={props.start.startMs}
        raw={raw}
        onToggleRaw={() => setRaw((value) => !value)}
        onRetry={() => setRetryNonce((nonce) => nonce + 1)}
        eventHref={(seq) => `${apiBase}/events/${seq}`}
        rawTraceHref={props.rawTraceHref}
        empty={summary.eventCount === 0}
      />
    </div>
  );
}
