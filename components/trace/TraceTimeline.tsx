"use client";

// A trace's events in seq order: a kind filter, then a windowed list of one-line rows.
// Rows not loaded yet render as placeholders; the viewer fetches their page on demand.
import { useVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useRef, useState, type MouseEvent } from "react";
import { formatCount, formatDuration, formatTokens } from "@/lib/format";
import type { TraceEventItem } from "@/lib/traces/queries";
import { KindLabel } from "./KindLabel";
import { ShortcutLegend } from "./ShortcutLegend";
import { MiddleCut } from "@/components/ui/MiddleCut";
import { formatOffset } from "./format";
import styles from "./trace.module.css";

export const ROW_HEIGHT = 30;
/** Height assumed before the list is measured (server render, first paint). */
const ASSUMED_HEIGHT = 900;
/** Rows rendered beyond the visible ones, either side, so a quick scroll shows no gap. */
const OVERSCAN = 12;

export interface TimelineProps {
  total: number;
  eventCount: number;
  kinds: { kind: string; count: number }[];
  filter: string[] | null;
  onFilter: (kinds: string[] | null) => void;
  rowAt: (index: number) => TraceEventItem | undefined;
  startMs: number | null;
  selectedIndex: number | null;
  onSelect: (index: number) => void;
  onRangeChange: (start: number, end: number) => void;
  ready: boolean;
  error: string | null;
  neighbours: { previous: boolean; next: boolean; label: string };
  /** Why there are no events at all (the owner's words: a task run, an iteration). */
  emptyText: string;
  /** Still growing: say so in the toolbar. */
  live: boolean;
}

export function TraceTimeline(props: TimelineProps) {
  const { filter, kinds } = props;
  const toggle = (kind: string) => {
    const current = new Set(filter ?? []);
    if (current.has(kind)) current.delete(kind);
    else current.add(kind);
    props.onFilter(current.size ? [...current].sort() : null);
  };

  return (
    <section className={styles.pane} aria-label="Timeline" data-timeline-ready={props.ready}>
      <div className={styles.toolbar}>
        <span className={styles.toolbarTitle}>Events</span>
        <button
          type="button"
          className={`${styles.chip} ${filter ? "" : styles.chipActive}`}
          onClick={() => props.onFilter(null)}
          aria-pressed={!filter}
        >
          all <span className={styles.chipCount}>{formatCount(props.eventCount)}</span>
        </button>
        {kinds.map(({ kind, count }) => {
          const active = filter?.includes(kind) ?? false;
          return (
            <button
              key={kind}
              type="button"
              className={`${styles.chip} ${active ? styles.chipActive : ""}`}
              onClick={() => toggle(kind)}
              aria-pressed={active}
            >
              {kind} <span className={styles.chipCount}>{formatCount(count)}</span>
            </button>
          );
        })}
        <span className={styles.toolbarSpacer} />
        {props.live && (
          <span className={styles.live} title="New events appear as they are recorded">
            live
          </span>
        )}
        {filter && (
          <span className="faint" style={{ fontSize: 12 }}>
            {formatCount(props.total)} shown
          </span>
        )}
      </div>
      <div className={styles.columns} aria-hidden>
        <span className={styles.cellNum}>seq</span>
        <span className={styles.cellTime}>time</span>
        <span>kind</span>
        <span>name · preview</span>
        <span className={styles.cellRight}>duration</span>
        <span className={styles.cellRight} title="input / output tokens of model calls">
          tokens
        </span>
      </div>
      {props.error && (
        <div className={styles.errorBox} style={{ borderRadius: 0 }}>
          Could not load events: {props.error}
        </div>
      )}
      {props.total === 0 ? (
        <div className={styles.placeholder} style={{ flex: 1 }}>
          {props.eventCount === 0 ? (
            <>
              <h3>No events recorded</h3>
              <p>{props.emptyText}</p>
            </>
          ) : (
            <>
              <h3>No events of {filter && filter.length > 1 ? "these kinds" : "this kind"}</h3>
              <button type="button" className={styles.chip} onClick={() => props.onFilter(null)}>
                show all events
              </button>
            </>
          )}
        </div>
      ) : (
        <TimelineRows
          count={props.total}
          rowAt={props.rowAt}
          startMs={props.startMs}
          onSelect={props.onSelect}
          selectedIndex={props.selectedIndex}
          onRangeChange={props.onRangeChange}
          resetKey={(filter ?? []).join(",")}
          hydrated={props.ready}
        />
      )}
      <ShortcutLegend {...props.neighbours} />
    </section>
  );
}

/**
 * The windowed list: only the rows in view (and OVERSCAN either side) are in the DOM, so 10,000
 * events cost the same as 40. Its own component, so scrolling re-renders the rows, not the toolbar.
 */
function TimelineRows(props: {
  count: number;
  rowAt: (index: number) => TraceEventItem | undefined;
  startMs: number | null;
  onSelect: (index: number) => void;
  /** Kept in view whenever it changes (keyboard moves, deep links). */
  selectedIndex: number | null;
  /** The rows in view (start inclusive, end exclusive): the viewer loads their pages. */
  onRangeChange: (start: number, end: number) => void;
  /** Changing it scrolls back to the top (a new filter). */
  resetKey: string;
  /** False in the server's HTML and while it hydrates: no overscan then (see below). */
  hydrated: boolean;
}) {
  const { count, selectedIndex, onRangeChange, resetKey, rowAt, startMs, onSelect } = props;
  const ref = useRef<HTMLDivElement>(null);
  // Start with the selected row in view, so a deep link renders the right rows on the server.
  const [initialOffset] = useState(() => (selectedIndex != null ? Math.max(0, (selectedIndex - 5) * ROW_HEIGHT) : 0));
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => ref.current,
    estimateSize: () => ROW_HEIGHT,
    // The server's HTML has no rows beyond ASSUMED_HEIGHT: nothing can scroll to them before the
    // page hydrates, and each row rendered there is one more to hydrate before the keys work.
    overscan: props.hydrated ? OVERSCAN : 0,
    initialOffset,
    initialRect: { width: 0, height: ASSUMED_HEIGHT },
  });
  const rows = virtualizer.getVirtualItems();
  const start = virtualizer.range?.startIndex ?? 0;
  const end = virtualizer.range ? virtualizer.range.endIndex + 1 : 0;

  useEffect(() => {
    onRangeChange(start, Math.min(count, end));
  }, [start, end, count, onRangeChange]);

  useEffect(() => {
    if (selectedIndex != null) virtualizer.scrollToIndex(selectedIndex);
  }, [selectedIndex, virtualizer]);

  const shownKey = useRef(resetKey);
  useEffect(() => {
    if (shownKey.current === resetKey) return;
    shownKey.current = resetKey;
    virtualizer.scrollToOffset(0);
  }, [resetKey, virtualizer]);

  // One click handler for every row (a row says its index): rows take no callback, so a row whose
  // event, place and selection are unchanged is not rendered again when the viewer is.
  const onClick = (event: MouseEvent<HTMLDivElement>) => {
    const row = (event.target as HTMLElement).closest<HTMLElement>("[data-index]");
    if (row && event.currentTarget.contains(row)) onSelect(Number(row.dataset.index));
  };

  return (
    <div ref={ref} className={styles.list} role="listbox" aria-label="Trace events" onClick={onClick}>
      <div className={styles.spacer} style={{ height: virtualizer.getTotalSize() }}>
        {rows.map(({ index, start: top, size }) => {
          const row = rowAt(index);
          return row ? (
            <TimelineRow
              key={row.seq}
              index={index}
              row={row}
              top={top}
              height={size}
              startMs={startMs}
              selected={index === selectedIndex}
            />
          ) : (
            <PlaceholderRow key={`placeholder-${index}`} top={top} height={size} />
          );
        })}
      </div>
    </div>
  );
}

/** One event's line: the same props render the same row, so it is memoised (the viewer re-renders often). */
const TimelineRow = memo(function TimelineRow(props: {
  index: number;
  row: TraceEventItem;
  top: number;
  height: number;
  startMs: number | null;
  selected: boolean;
}) {
  const { row, selected } = props;
  const tokens =
    row.inputTokens != null || row.outputTokens != null
      ? `${formatTokens(row.inputTokens ?? 0)} / ${formatTokens(row.outputTokens ?? 0)}`
      : "";
  return (
    <div
      role="option"
      aria-selected={selected}
      data-seq={row.seq}
      data-index={props.index}
      data-testid="timeline-row"
      className={`${styles.row} ${selected ? styles.rowSelected : ""}`}
      style={{ top: props.top, height: props.height }}
      title={row.preview}
    >
      <span className={styles.cellNum}>{row.seq}</span>
      <span className={styles.cellTime}>{props.startMs == null ? "" : formatOffset(row.timeMs - props.startMs)}</span>
      <span>
        <KindLabel kind={row.kind} />
      </span>
      <span className={styles.cellMain}>
        {row.kind === "file_read" && row.name ? (
          // A path: cut in the middle (the file name shows), the preview's copy of it left out.
          <>
            <MiddleCut path={row.name} className={styles.cellPath} />
            <span className={styles.cellPreview}>
              {row.preview.startsWith(row.name) ? row.preview.slice(row.name.length) : ` ${row.preview}`}
            </span>
          </>
        ) : (
          <>
            {row.name && <span className={styles.cellName}>{row.name}</span>}
            <span className={styles.cellPreview}>{row.preview || (row.name ? "" : "—")}</span>
          </>
        )}
      </span>
      <span className={styles.cellRight}>{row.durationMs != null ? formatDuration(row.durationMs) : ""}</span>
      <span className={styles.cellRight} title={tokens ? "input / output tokens" : undefined}>
        {tokens}
      </span>
    </div>
  );
});

/** A row whose page has not arrived yet. */
const PlaceholderRow = memo(function PlaceholderRow(props: { top: number; height: number }) {
  return (
    <div
      className={`${styles.row} ${styles.rowPlaceholder}`}
      style={{ top: props.top, height: props.height }}
      aria-hidden
    >
      <span className={styles.cellNum}>…</span>
      <span />
      <span />
      <span className={styles.skeleton} />
      <span />
      <span />
    </div>
  );
});
