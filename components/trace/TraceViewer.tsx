"use client";

// One task run's trace: the timeline (pages of narrow rows, fetched as they scroll into view)
// beside the opened event (its body fetched when opened). The selection and the kind filter
// live in the URL (?event=<seq>&kind=a,b), so a link opens the same event.
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState } from "react";
import type { TimelineStart, TraceEventDetail, TraceEventItem, TraceEventPage } from "@/lib/traces/queries";
import { EventDetail, type DetailState } from "./EventDetail";
import { TraceTimeline } from "./TraceTimeline";
import styles from "./trace.module.css";

export interface TraceViewerProps {
  runId: string;
  start: TimelineStart;
  filter: string[] | null;
  selectedSeq: number | null;
  pageSize: number;
  detailMaxBytes: number;
  previousFailureHref: string | null;
  nextFailureHref: string | null;
  rawTraceHref: string;
}

/** Bodies kept in memory, so moving back and forth with j/k is instant. */
const DETAIL_CACHE = 40;
/** A body is fetched once the selection rests this long (holding j does not fire a request per row). */
const DETAIL_DELAY_MS = 40;

type Selection = { seq: number | null; index: number | null };

export function TraceViewer(props: TraceViewerProps) {
  const { runId, pageSize } = props;
  const router = useRouter();
  const [filter, setFilter] = useState<string[] | null>(props.filter);
  const [total, setTotal] = useState(props.start.page.total);
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
      const promise = fetch(`/api/task-runs/${runId}/events?offset=${page * pageSize}&limit=${pageSize}${kindParam}`, { cache: "no-store" })
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
    [runId, pageSize, kindParam],
  );

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
  useEffect(() => {
    const url = new URL(window.location.href);
    if (selectedSeq == null) url.searchParams.delete("event");
    else url.searchParams.set("event", String(selectedSeq));
    if (filter) url.searchParams.set("kind", filter.join(","));
    else url.searchParams.delete("kind");
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url);
  }, [selectedSeq, filter]);

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
      fetch(`/api/task-runs/${runId}/events/${selectedSeq}?maxBytes=${props.detailMaxBytes}`, { signal: controller.signal, cache: "no-store" })
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
  }, [selectedSeq, runId, props.detailMaxBytes, retryNonce]);

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
      fetch(`/api/task-runs/${runId}/events?offset=0&limit=${pageSize}${kinds}${locate}`, { cache: "no-store" })
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
    [runId, pageSize, selectedSeq],
  );

  // Keyboard: j/k and arrows move and open; n/p go to the next/previous failed task run.
  const keyState = useRef({ selected, total, selectIndex });
  keyState.current = { selected, total, selectIndex };
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey) return;
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
          if (props.nextFailureHref) router.push(props.nextFailureHref);
          break;
        case "p":
          if (props.previousFailureHref) router.push(props.previousFailureHref);
          break;
        case "r":
          setRaw((value) => !value);
          break;
      }
    };
    window.addEventListener("keydown", onKey);
    setReady(true);
    return () => window.removeEventListener("keydown", onKey);
  }, [router, props.nextFailureHref, props.previousFailureHref]);

  return (
    <div className={styles.viewer}>
      <TraceTimeline
        total={total}
        eventCount={props.start.eventCount}
        kinds={props.start.kinds}
        filter={filter}
        onFilter={applyFilter}
        rowAt={rowAt}
        startMs={props.start.startMs}
        selectedIndex={selected?.index ?? null}
        onSelect={selectIndex}
        onRangeChange={onRangeChange}
        ready={ready}
        error={listError}
        hasFailureLinks={{ previous: props.previousFailureHref != null, next: props.nextFailureHref != null }}
      />
      <EventDetail
        state={detail ?? (selectedSeq != null ? { seq: selectedSeq, status: "loading" } : null)}
        item={selectedRow}
        startMs={props.start.startMs}
        raw={raw}
        onToggleRaw={() => setRaw((value) => !value)}
        onRetry={() => setRetryNonce((nonce) => nonce + 1)}
        eventHref={(seq) => `/api/task-runs/${runId}/events/${seq}`}
        rawTraceHref={props.rawTraceHref}
        empty={props.start.eventCount === 0}
      />
    </div>
  );
}
