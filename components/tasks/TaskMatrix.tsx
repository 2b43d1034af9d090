"use client";

// The task × candidate matrix, windowed both ways (@tanstack/react-virtual): only the cells in
// view are in the DOM, so 200 × 200 renders as fast as 20 × 20. A cell opens its task run's
// trace; rows re-sort in the browser (most disagreement, nobody passes), the order kept in the URL.
// Cells are as small as they can be (hundreds are in the server's HTML): a row's cells sit side
// by side from the first one's column, a cell's link is relative to the page, and a row's cells
// are one HTML string (matrix-cells-html.ts), not an element each, for hydration to adopt.
import { useVirtualizer } from "@tanstack/react-virtual";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { useEffect, useMemo, useRef, useState } from "react";
import { ui } from "@/components/ui";
import { candidateHref } from "@/components/candidates/format";
import { formatScore } from "@/lib/format";
import type { TaskMatrix as Matrix } from "@/lib/tasks/matrix";
import { MATRIX_SORTS, orderRows, tallyRows, type MatrixSort } from "@/lib/tasks/matrix-order";
import { CELL_WORDS, cellsHtml, type CellClasses } from "./matrix-cells-html";
import styles from "./matrix.module.css";

const ROW_HEIGHT = 28;
const HEAD_HEIGHT = 30;
const KEY_WIDTH = 220;
/** A column's width: a cell (36 px, matrix.module.css) and its margins. */
const CELL_WIDTH = 40;
/**
 * The grid's box before the browser measures it (the server's render), in a 1440 × 900 window:
 * the page's content width (1240 px, globals.css) less its padding, and 100vh − 260 px
 * (matrix.module.css). When it is right, hydration's measurement changes no row or column.
 */
const INITIAL_RECT = { width: 1192, height: 640 };
const SORT_LABELS: Record<MatrixSort, string> = {
  suite: "Suite order",
  disagreement: "Most disagreement",
  nobody: "Nobody passes",
};
const cellClasses: CellClasses = {
  cell: styles.cell,
  none: styles.none,
  p: styles.p,
  f: styles.f,
  e: styles.e,
  r: styles.r,
};

export function TaskMatrix(props: { projectId: string; matrix: Matrix; initialSort: MatrixSort }) {
  const { matrix, projectId } = props;
  const pathname = usePathname();
  const [sort, setSort] = useState<MatrixSort>(props.initialSort);
  const tallies = useMemo(() => tallyRows(matrix), [matrix]);
  const order = useMemo(() => orderRows(tallies, sort), [tallies, sort]);
  const width = matrix.columns.length;
  const scroller = useRef<HTMLDivElement>(null);

  const rows = useVirtualizer({
    count: order.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    // Few rows and columns past the view: each is hundreds of cells in the first HTML to lay out.
    overscan: 4,
    // Before the first measurement (the server render), a screenful of rows.
    initialRect: INITIAL_RECT,
  });
  const columns = useVirtualizer({
    horizontal: true,
    count: width,
    getScrollElement: () => scroller.current,
    estimateSize: () => CELL_WIDTH,
    // The columns start right of the task names (a column's start counts them).
    paddingStart: KEY_WIDTH,
    overscan: 2,
    initialRect: INITIAL_RECT,
  });
  // Hydrated: said on the element itself, not through state, which would render the grid again.
  useEffect(() => scroller.current?.setAttribute("data-matrix-ready", "true"), []);

  const chooseSort = (next: MatrixSort) => {
    setSort(next);
    const params = new URLSearchParams(window.location.search);
    if (next === "suite") params.delete("sort");
    else params.set("sort", next);
    const search = params.toString();
    // Next's history state passed along: a client-side sort needs no server round trip.
    window.history.replaceState(window.history.state, "", search ? `${pathname}?${search}` : pathname);
  };

  const totalWidth = columns.getTotalSize();
  const visibleColumns = columns.getVirtualItems();
  const columnIndices = visibleColumns.map((column) => column.index);
  return (
    <div>
      <div className={styles.controls}>
        <span>Sort</span>
        <span className={ui.segmented} role="group" aria-label="Sort the tasks">
          {MATRIX_SORTS.map((key) => (
            <a
              key={key}
              href={`?sort=${key}`}
              aria-current={sort === key ? "page" : undefined}
              data-sort={key}
              onClick={(event) => {
                event.preventDefault();
                chooseSort(key);
              }}
            >
              {SORT_LABELS[key]}
            </a>
          ))}
        </span>
        <span className={styles.legend} aria-label="Legend">
          {(["p", "f", "e", "-"] as const).map((code) => (
            <span key={code}>
              <span className={`${styles.swatch} ${styles[code === "-" ? "none" : code]}`} /> {CELL_WORDS[code]}
            </span>
          ))}
        </span>
      </div>
      <div
        ref={scroller}
        className={styles.grid}
        data-testid="task-matrix"
        data-rows={order.length}
        data-columns={width}
        role="grid"
        aria-rowcount={order.length + 1}
        aria-colcount={width + 1}
      >
        <div className={styles.head} style={{ width: totalWidth, height: HEAD_HEIGHT }}>
          <div className={styles.corner} style={{ width: KEY_WIDTH }}>
            task ↓ · candidate →
          </div>
          {visibleColumns.map((column) => {
            const candidate = matrix.columns[column.index];
            return (
              <Link
                key={column.key}
                className={styles.colHead}
                style={{ left: column.start, width: column.size }}
                href={candidateHref(projectId, candidate.candidateId)}
                prefetch={false}
                title={`#${candidate.number}: ${candidate.evaluationId ? `score ${formatScore(candidate.score)}` : `no finished ${matrix.split} evaluation`}`}
              >
                #{candidate.number}
              </Link>
            );
          })}
        </div>
        <div style={{ position: "relative", width: totalWidth, height: rows.getTotalSize() }}>
          {rows.getVirtualItems().map((virtualRow) => {
            const row = order[virtualRow.index];
            const task = matrix.tasks[row];
            const tally = tallies[row];
            return (
              <div
                key={task.id}
                className={styles.row}
                style={{ top: virtualRow.start, height: virtualRow.size, width: totalWidth }}
                data-task={task.key}
                role="row"
              >
                <div className={styles.rowHead} style={{ width: KEY_WIDTH }}>
                  <Link href={`/projects/${projectId}/tasks/${task.id}`} prefetch={false} title={task.key}>
                    {task.key}
                  </Link>
                  <span className={styles.tally} title={`${tally.passed} passed, ${tally.notPassed} failed or errored`}>
                    {tally.passed}/{tally.passed + tally.notPassed}
                  </span>
                </div>
                <div
                  className={styles.cells}
                  style={{ left: visibleColumns[0]?.start ?? KEY_WIDTH }}
                  dangerouslySetInnerHTML={{ __html: cellsHtml(matrix, { task, row }, columnIndices, cellClasses) }}
                />
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
