"use client";

// One trace, a task run's or an iteration's (the proposer's transcript): the timeline (pages of
// narrow rows, fetched as they scroll into view) beside the opened event (its body fetched when
// opened). The selection and the kind filter live in the URL (?event=<seq>&kind=a,b), so a link
// opens the same event. A live trace (an iteration still running) is polled as it grows. Pages
// and bodies live in the tab's query cache (components/data/queries.ts), so a trace opened
// again in the same tab shows at once.
import { useQueries, useQuery, useQueryClient, type QueryClient, type QueryKey } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useCallback, useEffect, useEffectEvent, useLayoutEffect, useRef, useState, useSyncExternalStore } from "react";
import {
  getJson,
  traceEventQuery,
  traceEventsUrl,
  traceKeys,
  traceLocateQuery,
  tracePageQuery,
} from "@/components/data/queries";
import { useLiveQuery } from "@/components/data/useLiveQuery";
import type { TimelineStart, TraceEventDetail, TraceEventItem, TraceEventPage } from "@/lib/traces/queries";
import { EventDetail, type DetailState } from "./EventDetail";
import { TraceTimeline } from "./TraceTimeline";
import styles from "./trace.module.css";

export interface TraceViewerProps {
  /** The owner's API: `${apiBase}/events`, `${apiBase}/events/<seq>` (/api/task-runs/<id> or /api/iterations/<id>). */
  apiBase: string;
  start: TimelineStart;
  /** The first event with its body (cut to detailMaxBytes), read with the page: the first j opens it at once. */
  firstEvent?: TraceEventDetail | null;
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
  /** Another viewer on the page answers the same keys (the compare page's "move both"): a key it took is still this one's too. */
  sharedKeys?: boolean;
}

/** Keys a viewer acted on: viewers sharing keys act on them even though the first one prevented the default. */
const viewerKeys = new WeakSet<KeyboardEvent>();

const URL_PARAMS = { event: "event", kind: "kind" };

/** While the selection moves faster than this (j held down), bodies wait until it rests: not a request per row. */
const DETAIL_DELAY_MS = 40;
/** How often a live trace asks for new events. */
const LIVE_POLL_MS = 2000;

type Selection = { seq: number | null; index: number | null };
/** The timeline pages in view (first and last, inclusive). */
type PageRange = { first: number; last: number };
type Summary = { eventCount: number; kinds: { kind: string; count: number }[] };

export function TraceViewer(props: TraceViewerProps) {
  const { apiBase, pageSize, live } = props;
  const router = useRouter();
  const queryClient = useQueryClient();
  const [filter, setFilter] = useState<string[] | null>(props.filter);
  const [selected, setSelected] = useState<Selection | null>(
    props.selectedSeq == null ? null : { seq: props.selectedSeq, index: props.start.selectedIndex },
  );
  const [raw, setRaw] = useState(false);
  // Ready (the keys work) once hydrated: false in the server's HTML, true on the client. The key
  // listener is attached in a layout effect, so it is in place before "ready" is ever painted.
  const ready = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const startPage = Math.floor(props.start.page.offset / pageSize);
  const [range, setRange] = useState<PageRange>({ first: startPage, last: startPage });
  const filterGeneration = useRef(0);

  // The page the server rendered is the freshest copy there is: it replaces a cached one (a live
  // trace seen earlier in this tab), once, before anything reads it.
  useState(() => {
    queryClient.setQueryData(tracePageQuery(apiBase, props.filter, pageSize, startPage).queryKey, props.start.page);
    const first = props.firstEvent;
    if (first)
      queryClient.setQueryData(traceEventQuery(apiBase, first.event.seq, props.detailMaxBytes).queryKey, first);
  });

  // How many events the filter shows: from the newest answer of any of its pages (a live trace grows).
  const pagesKey = traceKeys.pages(apiBase, filter, pageSize);
  const answeredTotal = newestPage(queryClient, pagesKey)?.total;
  const [lastTotal, setLastTotal] = useState(props.start.page.total);
  if (answeredTotal != null && answeredTotal !== lastTotal) setLastTotal(answeredTotal); // (kept during render)
  const total = answeredTotal ?? lastTotal; // (a new filter, before its first page is in)

  // The pages to hold: those in view, and the selected row's (j may step onto a page not loaded yet).
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const wanted = new Set<number>();
  for (let page = range.first; page <= Math.min(range.last, pageCount - 1); page++) wanted.add(page);
  if (selected?.index != null) wanted.add(Math.floor(selected.index / pageSize));
  if (!wanted.size) wanted.add(0);
  const pages = [...wanted];
  const results = useQueries({ queries: pages.map((page) => tracePageQuery(apiBase, filter, pageSize, page)) });
  const loaded = new Map<number, TraceEventItem[]>();
  pages.forEach((page, i) => {
    const data = results[i].data;
    if (data) loaded.set(page, data.events);
  });
  const rowAt = (index: number): TraceEventItem | undefined => {
    const page = Math.floor(index / pageSize);
    const events =
      loaded.get(page) ?? queryClient.getQueryData(tracePageQuery(apiBase, filter, pageSize, page).queryKey)?.events;
    return events?.[index % pageSize];
  };
  const listError = results.find((result) => result.error)?.error?.message ?? null;

  // A short page (the end of the trace when it was read) that the trace has grown past is out of date.
  const outdated = pages.filter((page, i) => {
    const { data, isFetching } = results[i];
    return data && !isFetching && data.events.length < pageSize && page * pageSize + data.events.length < total;
  });
  useEffect(() => {
    for (const page of outdated)
      void queryClient.invalidateQueries({
        queryKey: tracePageQuery(apiBase, filter, pageSize, page).queryKey,
        exact: true,
      });
    // eslint-disable-next-line react-hooks/exhaustive-deps -- followed by its value
  }, [outdated.join(","), apiBase, filter, pageSize, queryClient]);

  // A live trace: re-read the first page not known to be full (the tail) with the counts per
  // kind; the pages past it load as they scroll into view.
  const [renderedCounts] = useState<Summary>(() => ({ eventCount: props.start.eventCount, kinds: props.start.kinds }));
  const summary = useLiveQuery<Summary, ReturnType<typeof traceKeys.summary>>({
    query: {
      queryKey: traceKeys.summary(apiBase),
      queryFn: async ({ signal }) => {
        let tail = Math.floor(total / pageSize);
        for (const query of queryClient.getQueryCache().findAll({ queryKey: pagesKey })) {
          const data = query.state.data as TraceEventPage | undefined;
          const page = query.queryKey[pagesKey.length] as number;
          if (data && data.events.length < pageSize && page < tail) tail = page;
        }
        const data = await getJson<TraceEventPage>(
          traceEventsUrl(apiBase, { offset: tail * pageSize, limit: pageSize, kinds: filter, summary: true }),
          signal,
        );
        queryClient.setQueryData(tracePageQuery(apiBase, filter, pageSize, tail).queryKey, data);
        return { eventCount: data.eventCount ?? renderedCounts.eventCount, kinds: data.kinds ?? renderedCounts.kinds };
      },
    },
    initial: renderedCounts, // (the first render's: like the rest of props.start, read once)
    every: live ? LIVE_POLL_MS : false,
    enabled: Boolean(live),
  });
  const counts = summary.data ?? renderedCounts;
  const readLastEvents = useEffectEvent(() => void summary.refetch());
  const wasLive = useRef(Boolean(live));
  useEffect(() => {
    if (!live && wasLive.current) readLastEvents(); // the last events, once the run has ended
    wasLive.current = Boolean(live);
  }, [live]);

  const onRangeChange = useCallback(
    (start: number, end: number) => {
      const first = Math.floor(start / pageSize);
      const last = Math.floor(Math.max(start, end - 1) / pageSize);
      setRange((current) => (current.first === first && current.last === last ? current : { first, last }));
    },
    [pageSize],
  );

  /** Opens the event at `index` of the (filtered) timeline; its page loads if needed. */
  const selectIndex = (index: number) => setSelected({ seq: rowAt(index)?.seq ?? null, index });

  // A selection made before its page arrived gets its seq when the page does.
  // (Set during render: React renders again at once, before anything sees the seq missing.)
  const selectedRow = selected?.index != null ? rowAt(selected.index) : undefined;
  if (selected && selected.seq == null && selectedRow) setSelected({ seq: selectedRow.seq, index: selected.index });

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

  // The opened event's body (cut to detailMaxBytes for display): cached, or read at once when the
  // selection had rested (a single j, a click), else once it rests again (j held down). The
  // effect starts the read itself (no render in between: j → body is the figure bench:ui
  // measures); the query here only shows it, and a new selection cancels a waiting read.
  const body = useQuery({ ...traceEventQuery(apiBase, selectedSeq, props.detailMaxBytes), enabled: false });
  const detailMaxBytes = props.detailMaxBytes;
  const lastSelectionAt = useRef(Number.NEGATIVE_INFINITY);
  useEffect(() => {
    if (selectedSeq == null) return;
    const now = performance.now();
    const rested = now - lastSelectionAt.current > DETAIL_DELAY_MS;
    lastSelectionAt.current = now;
    const read = () => void queryClient.prefetchQuery(traceEventQuery(apiBase, selectedSeq, detailMaxBytes));
    if (rested) return read();
    const timer = setTimeout(read, DETAIL_DELAY_MS);
    return () => clearTimeout(timer);
  }, [selectedSeq, apiBase, detailMaxBytes, queryClient]);
  // Nothing open yet: the first j (or a click on the first row) opens the first event, so its
  // body is read as the page comes up and opens at once. One body, cut like any other.
  const [firstSeq] = useState(() =>
    props.selectedSeq == null && props.start.page.offset === 0 ? (props.start.page.events[0]?.seq ?? null) : null,
  );
  useEffect(() => {
    if (firstSeq != null) void queryClient.prefetchQuery(traceEventQuery(apiBase, firstSeq, detailMaxBytes));
  }, [firstSeq, apiBase, detailMaxBytes, queryClient]);
  const detail: DetailState | null =
    selectedSeq == null
      ? null
      : body.data
        ? { seq: selectedSeq, status: "ready", data: body.data }
        : body.error && !body.isFetching
          ? { seq: selectedSeq, status: "error", error: `Could not load event #${selectedSeq}: ${body.error.message}` }
          : { seq: selectedSeq, status: "loading" };

  const applyFilter = useCallback(
    (next: string[] | null) => {
      const generation = ++filterGeneration.current;
      setFilter(next);
      setRange({ first: 0, last: 0 }); // the list goes back to the top
      if (selectedSeq == null) return;
      // The open event stays open; it is highlighted if the new filter shows it.
      setSelected({ seq: selectedSeq, index: null });
      queryClient.fetchQuery(traceLocateQuery(apiBase, next, selectedSeq)).then(
        (data) => {
          if (generation === filterGeneration.current)
            setSelected((current) =>
              current?.seq === selectedSeq ? { seq: selectedSeq, index: data.located ?? null } : current,
            );
        },
        () => {}, // not highlighted; the event stays open
      );
    },
    [apiBase, queryClient, selectedSeq],
  );

  // Keyboard: j/k and arrows move and open; n/p go to the next/previous neighbour (failed task run, iteration).
  // The handler is an effect event: it sees this render's selection, total and links.
  const onKey = useEffectEvent((event: KeyboardEvent) => {
    const takenByViewer = props.sharedKeys && viewerKeys.has(event);
    if (props.keys === false || (event.defaultPrevented && !takenByViewer)) return;
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    const target = event.target as HTMLElement | null;
    if (target && (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))) return;
    const move = (delta: number) => {
      viewerKeys.add(event);
      if (total === 0) return;
      const index = selected?.index == null ? 0 : Math.min(total - 1, Math.max(0, selected.index + delta));
      selectIndex(index);
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
  });
  useLayoutEffect(() => {
    const listener = (event: KeyboardEvent) => onKey(event);
    window.addEventListener("keydown", listener);
    return () => window.removeEventListener("keydown", listener);
  }, []);

  return (
    <div className={props.layout === "stacked" ? styles.viewerStacked : styles.viewer}>
      <TraceTimeline
        total={total}
        eventCount={counts.eventCount}
        kinds={counts.kinds}
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
        state={detail}
        item={selectedRow}
        startMs={props.start.startMs}
        raw={raw}
        onToggleRaw={() => setRaw((value) => !value)}
        onRetry={() => void body.refetch()}
        eventHref={(seq) => `${apiBase}/events/${seq}`}
        rawTraceHref={props.rawTraceHref}
        empty={counts.eventCount === 0}
      />
    </div>
  );
}

/** `ready`'s store never changes: only the server's snapshot and the client's differ. */
const noSubscription = () => () => {};

/** The most recently answered page under `pagesKey` (one filter of one trace), if any. */
function newestPage(queryClient: QueryClient, pagesKey: QueryKey): TraceEventPage | undefined {
  let newest: TraceEventPage | undefined;
  let at = -1;
  for (const query of queryClient.getQueryCache().findAll({ queryKey: pagesKey })) {
    if (query.state.data && query.state.dataUpdatedAt > at) {
      newest = query.state.data as TraceEventPage;
      at = query.state.dataUpdatedAt;
    }
  }
  return newest;
}
