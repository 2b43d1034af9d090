"use client";

// A trace's events in seq order: a kind filter, then a windowed list of one-line rows.
// Rows not loaded yet render as placeholders; the viewer fetches their page on demand.
import type { CSSProperties } from "react";
import { formatDuration, formatTokens } from "@/lib/format";
import type { TraceEventItem } from "@/lib/traces/queries";
import { KindLabel } from "./KindLabel";
import { ShortcutLegend } from "./ShortcutLegend";
import { VirtualList } from "./VirtualList";
import { formatOffset } from "./format";
import styles from "./trace.module.css";

export const ROW_HEIGHT = 30;

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

  const renderRow = (index: number, style: CSSProperties) => {
    const row = props.rowAt(index);
    if (!row) {
      return (
        <div key={`placeholder-${index}`} className={`${styles.row} ${styles.rowPlaceholder}`} style={style} aria-hidden>
          <span className={styles.cellNum}>…</span>
          <span />
          <span />
          <span className={styles.skeleton} />
          <span />
          <span />
        </div>
      );
    }
    const selected = index === props.selectedIndex;
    const tokens = row.inputTokens != null || row.outputTokens != null ? `${formatTokens(row.inputTokens ?? 0)} / ${formatTokens(row.outputTokens ?? 0)}` : "";
    return (
      <div
        key={row.seq}
        role="option"
        aria-selected={selected}
        data-seq={row.seq}
        data-testid="timeline-row"
        className={`${styles.row} ${selected ? styles.rowSelected : ""}`}
        style={style}
        onClick={() => props.onSelect(index)}
        title={row.preview}
      >
        <span className={styles.cellNum}>{row.seq}</span>
        <span className={styles.cellTime}>{props.startMs == null ? "" : formatOffset(row.timeMs - props.startMs)}</span>
        <span>
          <KindLabel kind={row.kind} />
        </span>
        <span className={styles.cellMain}>
          {row.name && <span className={styles.cellName}>{row.name}</span>}
          <span className={styles.cellPreview}>{row.preview || (row.name ? "" : "—")}</span>
        </span>
        <span className={styles.cellRight}>{row.durationMs != null ? formatDuration(row.durationMs) : ""}</span>
        <span className={styles.cellRight} title={tokens ? "input / output tokens" : undefined}>
          {tokens}
        </span>
      </div>
    );
  };

  return (
    <section className={styles.pane} aria-label="Timeline" data-timeline-ready={props.ready}>
      <div className={styles.toolbar}>
        <span className={styles.toolbarTitle}>Events</span>
        <button type="button" className={`${styles.chip} ${filter ? "" : styles.chipActive}`} onClick={() => props.onFilter(null)} aria-pressed={!filter}>
          all <span className={styles.chipCount}>{props.eventCount.toLocaleString("en-US")}</span>
        </button>
        {kinds.map(({ kind, count }) => {
          const active = filter?.includes(kind) ?? false;
          return (
            <button key={kind} type="button" className={`${styles.chip} ${active ? styles.chipActive : ""}`} onClick={() => toggle(kind)} aria-pressed={active}>
              {kind} <span className={styles.chipCount}>{count.toLocaleString("en-US")}</span>
            </button>
          );
        })}
        <span className={styles.toolbarSpacer} />
        {props.live && (
          <span className={styles.live} title="New events appear as they are recorded">
            live
          </span>
        )}
        {filter && <span className="faint" style={{ fontSize: 12 }}>{props.total.toLocaleString("en-US")} shown</span>}
      </div>
      <div className={styles.columns} aria-hidden>
        <span className={styles.cellNum}>seq</span>
        <span className={styles.cellTime}>time</span>
        <span>kind</span>
        <span>name · preview</span>
        <span className={styles.cellRight}>duration</span>
        <span className={styles.cellRight} title="input / output tokens of model calls">tokens</span>
      </div>
      {props.error && <div className={styles.errorBox} style={{ borderRadius: 0 }}>Could not load events: {props.error}</div>}
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
        <VirtualList
          className={styles.list}
          spacerClassName={styles.spacer}
          label="Trace events"
          count={props.total}
          rowHeight={ROW_HEIGHT}
          renderRow={renderRow}
          activeIndex={props.selectedIndex}
          onRangeChange={props.onRangeChange}
          resetKey={(filter ?? []).join(",")}
        />
      )}
      <ShortcutLegend {...props.neighbours} />
    </section>
  );
}
