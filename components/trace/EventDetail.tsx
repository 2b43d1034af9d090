"use client";

// The opened event: its columns, any size notice, and either the per-kind view or the raw JSON.
import { formatCount, formatDuration, formatTokens } from "@/lib/format";
import type { CutBody } from "@/lib/traces/events";
import type { TraceEventDetail, TraceEventItem } from "@/lib/traces/queries";
import { ui } from "@/components/ui";
import { EventView } from "./events";
import { KindLabel } from "./KindLabel";
import { formatOffset, isRecord } from "./format";
import styles from "./trace.module.css";
import { formatBytes } from "@/lib/format";

export type DetailState =
  | { seq: number; status: "loading" }
  | { seq: number; status: "ready"; data: TraceEventDetail }
  | { seq: number; status: "error"; error: string };

export interface EventDetailProps {
  state: DetailState | null;
  /** The event's row from the timeline, when loaded: shown while the body loads. */
  item: TraceEventItem | undefined;
  startMs: number | null;
  raw: boolean;
  onToggleRaw: () => void;
  onRetry: () => void;
  eventHref: (seq: number) => string;
  rawTraceHref: string;
  empty: boolean;
}

export function EventDetail(props: EventDetailProps) {
  const { state } = props;
  if (!state) {
    return (
      <section className={styles.pane} aria-label="Event detail">
        <div className={styles.placeholder} style={{ flex: 1 }}>
          <h3>{props.empty ? "Nothing to show" : "Open an event"}</h3>
          {!props.empty && (
            <p>
              Click a row, or press <kbd className={styles.kbd}>j</kbd> to open the first event and move down the trace.
            </p>
          )}
        </div>
      </section>
    );
  }
  const item = state.status === "ready" ? state.data.event : props.item;
  return (
    <section
      className={styles.pane}
      aria-label="Event detail"
      data-detail-seq={state.seq}
      data-detail-status={state.status}
    >
      <header className={styles.detailHeader}>
        <div className={styles.detailTitle}>
          {item && <KindLabel kind={item.kind} />}
          <h2 title={item?.name ?? undefined}>
            #{state.seq}
            {item?.name ? ` · ${item.name}` : ""}
          </h2>
          {item && (
            <span className={styles.detailMeta} title="time from the first event · duration · tokens · body size">
              {props.startMs != null && formatOffset(item.timeMs - props.startMs)}
              {item.durationMs != null && ` · ${formatDuration(item.durationMs)}`}
              {(item.inputTokens != null || item.outputTokens != null) &&
                ` · ${formatTokens(item.inputTokens ?? 0)} in / ${formatTokens(item.outputTokens ?? 0)} out`}
              {` · ${formatBytes(item.bodyBytes)}`}
            </span>
          )}
        </div>
        <a
          className={`${ui.button} ${styles.toggle}`}
          href={props.eventHref(state.seq)}
          target="_blank"
          rel="noreferrer"
          title="This event's full body as JSON, uncut"
        >
          full JSON
        </a>
        <button
          type="button"
          className={`${ui.button} ${styles.toggle} ${props.raw ? styles.toggleOn : ""}`}
          onClick={props.onToggleRaw}
          aria-pressed={props.raw}
          title="Show the body as raw JSON (r)"
        >
          Raw JSON
        </button>
      </header>
      <div className={styles.detailBody}>
        {state.status === "loading" && (
          <div className={styles.placeholder}>
            <div className={styles.spinner} />
            <p>Loading event #{state.seq}…</p>
          </div>
        )}
        {state.status === "error" && (
          <div className={styles.stack}>
            <div className={styles.errorBox}>{state.error}</div>
            <div>
              <button type="button" className={ui.button} onClick={props.onRetry}>
                Try again
              </button>
            </div>
          </div>
        )}
        {state.status === "ready" && (
          <Body
            data={state.data}
            raw={props.raw}
            rawTraceHref={props.rawTraceHref}
            eventHref={props.eventHref(state.seq)}
          />
        )}
      </div>
    </section>
  );
}

function Body({
  data,
  raw,
  rawTraceHref,
  eventHref,
}: {
  data: TraceEventDetail;
  raw: boolean;
  rawTraceHref: string;
  eventHref: string;
}) {
  const { event, body, clip } = data;
  // A body past the recorder's cap was stored as a CutBody; in "text" clip mode there is no body at all.
  const capture = event.truncated && isRecord(body) ? (body as unknown as CutBody) : null;
  const notices = (
    <>
      {capture && (
        <div className={styles.notice} data-notice="truncated">
          This event was cut when it was recorded: the body was {formatBytes(capture.originalBytes)} and the recorder
          kept its first {formatBytes(capture.keptBytes)}, shown below as text. Nothing more of it exists.
        </div>
      )}
      {clip && (
        <div className={styles.notice} data-notice="size">
          Large body: showing the first {formatBytes(clip.shownBytes)} of {formatBytes(clip.totalBytes)} (
          {formatCount(clip.shownBytes)} of {formatCount(clip.totalBytes)} bytes)
          {clip.mode === "strings" ? "; long texts are cut where marked" : " as text"}.{" "}
          <a href={rawTraceHref}>Download the raw trace</a> or open{" "}
          <a href={eventHref} target="_blank" rel="noreferrer">
            this event&apos;s full JSON
          </a>{" "}
          for all of it.
        </div>
      )}
    </>
  );
  if (raw) {
    return (
      <>
        {notices}
        <pre className={`${styles.code} ${styles.codeTall}`} data-testid="raw-json">
          {data.bodyText ?? JSON.stringify(body, null, 2)}
        </pre>
      </>
    );
  }
  if (data.bodyText != null) {
    return (
      <>
        {notices}
        <pre className={`${styles.code} ${styles.codeTall}`}>{data.bodyText}</pre>
      </>
    );
  }
  if (capture) {
    return (
      <>
        {notices}
        <pre className={`${styles.code} ${styles.codeTall}`}>{capture.head}</pre>
      </>
    );
  }
  return (
    <>
      {notices}
      <EventView event={event} body={body} />
    </>
  );
}
