"use client";

// A windowed list of fixed-height rows: only the rows in view (plus a few either side) are in
// the DOM, so 10,000 events cost the same as 40. Positions are plain arithmetic on the row
// height; the scroll container holds one tall spacer and absolutely placed rows.
import { useEffect, useLayoutEffect, useRef, useState, type CSSProperties, type ReactNode } from "react";

/** Height assumed before the container is measured (server render, first paint). */
const ASSUMED_HEIGHT = 900;

export interface VirtualListProps {
  count: number;
  rowHeight: number;
  overscan?: number;
  renderRow: (index: number, style: CSSProperties) => ReactNode;
  /** Kept in view whenever it changes (keyboard moves, deep links). */
  activeIndex: number | null;
  /** The rows currently in view (start inclusive, end exclusive): load their data. */
  onRangeChange?: (start: number, end: number) => void;
  /** Changing it scrolls back to the top (a new filter). */
  resetKey?: string;
  className?: string;
  spacerClassName?: string;
  label: string;
}

export function VirtualList(props: VirtualListProps) {
  const { count, rowHeight, overscan = 12, activeIndex, onRangeChange, resetKey } = props;
  const ref = useRef<HTMLDivElement>(null);
  // Start with the active row in view, so a deep link renders the right rows on the server.
  const [scrollTop, setScrollTop] = useState(() => (activeIndex != null ? Math.max(0, (activeIndex - 5) * rowHeight) : 0));
  const [height, setHeight] = useState(ASSUMED_HEIGHT);
  const firstReset = useRef(true);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    element.scrollTop = scrollTop;
    setHeight(element.clientHeight || ASSUMED_HEIGHT);
    const observer = new ResizeObserver(() => setHeight(element.clientHeight || ASSUMED_HEIGHT));
    observer.observe(element);
    return () => observer.disconnect();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- once, on mount
  }, []);

  useEffect(() => {
    if (firstReset.current) {
      firstReset.current = false;
      return;
    }
    if (ref.current) ref.current.scrollTop = 0;
    setScrollTop(0);
  }, [resetKey]);

  useEffect(() => {
    const element = ref.current;
    if (!element || activeIndex == null) return;
    const top = activeIndex * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + element.clientHeight) element.scrollTop = top + rowHeight - element.clientHeight;
    setScrollTop(element.scrollTop);
  }, [activeIndex, rowHeight]);

  const first = Math.floor(scrollTop / rowHeight);
  const visible = Math.ceil(height / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);

  useEffect(() => {
    onRangeChange?.(Math.max(0, first), Math.min(count, first + visible));
  }, [first, visible, count, onRangeChange]);

  const rows: ReactNode[] = [];
  for (let index = start; index < end; index++) rows.push(props.renderRow(index, { top: index * rowHeight, height: rowHeight }));

  return (
    <div ref={ref} className={props.className} role="listbox" aria-label={props.label} onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
      <div className={props.spacerClassName} style={{ height: count * rowHeight }}>
        {rows}
      </div>
    </div>
  );
}
