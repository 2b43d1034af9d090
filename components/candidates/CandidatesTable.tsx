"use client";

// The project's candidates: sortable, filterable, paged, every row opens its candidate. Sort,
// filters and page live in the URL (?sort=searchScore.desc&q=…&origin=…&status=…&page=2), so a
// link shows the same view. Every row comes to the browser once (packed, through
// CandidateRowsProvider, which the chart shares); only one page of them is rendered, so 500
// candidates do not make a 500-row page.
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getPaginationRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnFiltersState,
  type FilterFn,
  type SortingState,
  type Updater,
} from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { Badge, EmptyState, ui } from "@/components/ui";
import { formatInterval, formatScore, formatTokens, formatUsd } from "@/lib/format";
import type { CandidateTableRow } from "@/lib/candidates/queries";
import { CANDIDATES_PAGE_SIZE } from "@/lib/candidates/table-page";
import { useCandidateRows } from "./CandidateRows";
import { candidateHref, candidateStatusTone, shortId } from "./format";
import styles from "./candidates.module.css";

const column = createColumnHelper<CandidateTableRow>();
const ORIGINS = ["seed", "proposer", "person"] as const;
const STATUSES = ["valid", "pending", "rejected"] as const;
const DEFAULT_SORT: SortingState = [{ id: "number", desc: true }];

function searchText(row: CandidateTableRow): string {
  return [
    row.id,
    `#${row.number}`,
    row.origin,
    row.status,
    row.summary,
    row.iterationNumber == null ? "" : `iteration ${row.iterationNumber}`,
    ...row.parents.map((parent) => `#${parent}`),
  ]
    .join(" ")
    .toLowerCase();
}

const matchesText: FilterFn<CandidateTableRow> = (row, _columnId, value: string) =>
  searchText(row.original).includes(value.trim().toLowerCase());

const SORTABLE = new Set([
  "number",
  "iteration",
  "origin",
  "searchScore",
  "testScore",
  "tokensPerTask",
  "cost",
  "status",
]);

function parseSort(value: string): SortingState {
  const [id, dir] = value.split(".");
  if (!id || !SORTABLE.has(id)) return DEFAULT_SORT;
  return [{ id, desc: dir !== "asc" }];
}

interface View {
  sort: string;
  q: string;
  origin: string;
  status: string;
  /** 1-based; "" for the first page. */
  page: string;
}

function readView(params: URLSearchParams): View {
  return {
    sort: params.get("sort") ?? "",
    q: params.get("q") ?? "",
    origin: ORIGINS.find((value) => value === params.get("origin")) ?? "",
    status: STATUSES.find((value) => value === params.get("status")) ?? "",
    page: /^[1-9]\d*$/.test(params.get("page") ?? "") && params.get("page") !== "1" ? params.get("page")! : "",
  };
}

/**
 * Puts the view in the address bar. It passes Next's own history state along (its `__NA` mark
 * makes Next's patched replaceState write it as is): routing the change through Next's router
 * would re-render the whole page for a client-side sort, and under load could hold up the
 * navigations queued behind it.
 */
function writeUrl(pathname: string, view: View) {
  const params = new URLSearchParams(window.location.search);
  for (const key of ["sort", "q", "origin", "status", "page"] as const) {
    if (view[key]) params.set(key, view[key]);
    else params.delete(key);
  }
  const search = params.toString();
  window.history.replaceState(window.history.state, "", search ? `${pathname}?${search}` : pathname);
}

export function CandidatesTable({ projectId }: { projectId: string }) {
  const rows = useCandidateRows();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const href = (id: string) => candidateHref(projectId, id);
  // Parents come as numbers: their ids (for the links) are the table's own.
  const idOf = useMemo(() => new Map(rows.map((row) => [row.number, row.id])), [rows]);

  const columns = useMemo(
    () => [
      column.accessor("id", {
        header: "Id",
        enableSorting: false,
        cell: (info) => (
          <code className={styles.id} title={info.getValue()}>
            {shortId(info.getValue())}
          </code>
        ),
      }),
      column.accessor("number", {
        header: "Candidate",
        cell: (info) => (
          <div className={styles.nameCell}>
            <Link
              href={href(info.row.original.id)}
              prefetch={false}
              className={ui.rowTitle}
              onClick={(event) => event.stopPropagation()}
            >
              #{info.getValue()}
            </Link>
            {info.row.original.summary && (
              <div className={styles.summary} title={info.row.original.summary}>
                {info.row.original.summary}
              </div>
            )}
          </div>
        ),
      }),
      column.accessor((row) => row.iterationNumber ?? undefined, {
        id: "iteration",
        header: "Iteration",
        sortUndefined: "last",
        meta: { numeric: true },
        cell: (info) => (info.getValue() == null ? <span className="faint">—</span> : info.getValue()),
      }),
      column.accessor((row) => row.parents.join(","), {
        id: "parents",
        header: "Parents",
        enableSorting: false,
        cell: (info) =>
          info.row.original.parents.length === 0 ? (
            <span className="faint">—</span>
          ) : (
            <span className={styles.parents}>
              {info.row.original.parents.map((parent) =>
                idOf.has(parent) ? (
                  <Link
                    key={parent}
                    href={href(idOf.get(parent)!)}
                    prefetch={false}
                    onClick={(event) => event.stopPropagation()}
                  >
                    #{parent}
                  </Link>
                ) : (
                  <span key={parent}>#{parent}</span>
                ),
              )}
            </span>
          ),
      }),
      column.accessor("origin", {
        header: "Origin",
        filterFn: "equalsString",
        cell: (info) => <Badge tone={info.getValue() === "person" ? "accent" : "neutral"}>{info.getValue()}</Badge>,
      }),
      column.accessor((row) => row.searchScore ?? undefined, {
        id: "searchScore",
        header: "Search score",
        sortUndefined: "last",
        meta: { numeric: true },
        cell: (info) => (
          <ScoreWithInterval
            score={info.getValue()}
            low={info.row.original.searchLow}
            high={info.row.original.searchHigh}
          />
        ),
      }),
      column.accessor((row) => row.testScore ?? undefined, {
        id: "testScore",
        header: "Test score",
        sortUndefined: "last",
        meta: { numeric: true },
        cell: (info) => (
          <ScoreWithInterval
            score={info.getValue()}
            low={info.row.original.testLow}
            high={info.row.original.testHigh}
          />
        ),
      }),
      column.accessor((row) => row.tokensPerTask ?? undefined, {
        id: "tokensPerTask",
        header: "Tokens / task",
        sortUndefined: "last",
        meta: { numeric: true },
        cell: (info) => (info.getValue() == null ? "—" : formatTokens(Math.round(info.getValue()!))),
      }),
      column.accessor((row) => row.costUsd ?? undefined, {
        id: "cost",
        header: "Cost",
        sortUndefined: "last",
        meta: { numeric: true, title: "USD spent on its newest finished search evaluation" },
        cell: (info) => (info.row.original.unpriced ? "unpriced" : formatUsd(info.getValue())),
      }),
      column.accessor("status", {
        header: "Status",
        filterFn: "equalsString",
        cell: (info) => (
          <span className={styles.statusCell}>
            <Badge tone={candidateStatusTone(info.getValue())}>{info.getValue()}</Badge>
            {info.row.original.evaluating && <Badge tone="accent">evaluating…</Badge>}
          </span>
        ),
      }),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [projectId, idOf],
  );

  // The view (sort, filters, text) is React state, read from the URL on load and written back
  // to it, so a link shows the same view. Writing keeps Next's own history entry (see writeUrl).
  const [view, setView] = useState<View>(() => readView(params));
  const paramsKey = params.toString();
  const [text, setText] = useState(view.q);
  useEffect(() => {
    // A Link or Back to another view of this page: follow it.
    const next = readView(new URLSearchParams(paramsKey));
    setView(next);
    setText(next.q);
  }, [paramsKey]);
  useEffect(() => {
    if (text === view.q) return;
    const timer = setTimeout(() => update({ q: text }), 250); // the URL follows the typing a moment later
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  function update(changes: Partial<View>) {
    setView((current) => {
      // A new sort or filter starts again at the first page.
      const next = { ...current, page: "", ...changes };
      writeUrl(pathname, next);
      return next;
    });
  }

  // Stable identities: TanStack recomputes its row models whenever these change.
  const sorting = useMemo(() => parseSort(view.sort), [view.sort]);
  const columnFilters = useMemo<ColumnFiltersState>(
    () => [
      ...(view.origin ? [{ id: "origin", value: view.origin }] : []),
      ...(view.status ? [{ id: "status", value: view.status }] : []),
    ],
    [view.origin, view.status],
  );
  const { origin, status } = view;
  const pagination = useMemo(
    () => ({ pageIndex: view.page ? Number(view.page) - 1 : 0, pageSize: CANDIDATES_PAGE_SIZE }),
    [view.page],
  );

  function onSortingChange(updater: Updater<SortingState>) {
    const next = typeof updater === "function" ? updater(sorting) : updater;
    const first = next[0];
    const isDefault = !first || (first.id === DEFAULT_SORT[0].id && first.desc === DEFAULT_SORT[0].desc);
    update({ sort: isDefault ? "" : `${first.id}.${first.desc ? "desc" : "asc"}` });
  }

  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting, columnFilters, globalFilter: text, pagination },
    onSortingChange,
    enableSortingRemoval: false,
    autoResetPageIndex: false, // the page is the URL's (update() resets it on a new sort or filter)
    enableMultiSort: false,
    globalFilterFn: matchesText,
    getColumnCanGlobalFilter: (candidateColumn) => candidateColumn.id === "id",
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    getPaginationRowModel: getPaginationRowModel(),
  });

  if (rows.length === 0) {
    return (
      <EmptyState icon="∅" title="No candidates yet">
        <p>The seed harness becomes candidate #1 when the project is created.</p>
      </EmptyState>
    );
  }

  const shown = table.getRowModel().rows;
  const matching = table.getPrePaginationRowModel().rows.length;
  const pages = Math.max(1, Math.ceil(matching / CANDIDATES_PAGE_SIZE));
  // A page past the end (rows gone, or a hand-edited URL) shows the last one.
  const pageIndex = Math.min(pagination.pageIndex, pages - 1);
  const rowsShown =
    pageIndex === pagination.pageIndex
      ? shown
      : table
          .getPrePaginationRowModel()
          .rows.slice(pageIndex * CANDIDATES_PAGE_SIZE, (pageIndex + 1) * CANDIDATES_PAGE_SIZE);
  const goTo = (index: number) => update({ page: index > 0 ? String(index + 1) : "" });
  const filtered = Boolean(text || origin || status);
  return (
    <div>
      <div className={styles.toolbar} role="search">
        <input
          className={`${ui.input} ${styles.search}`}
          type="search"
          placeholder="Filter: #12, id, rationale…"
          aria-label="Filter candidates"
          value={text}
          onChange={(event) => setText(event.target.value)}
        />
        <select
          className={`${ui.input} ${styles.select}`}
          aria-label="Origin"
          value={origin}
          onChange={(event) => update({ origin: event.target.value })}
        >
          <option value="">Any origin</option>
          {ORIGINS.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
        <select
          className={`${ui.input} ${styles.select}`}
          aria-label="Status"
          value={status}
          onChange={(event) => update({ status: event.target.value })}
        >
          <option value="">Any status</option>
          {STATUSES.map((value) => (
            <option key={value} value={value}>
              {value}
            </option>
          ))}
        </select>
        <span className={styles.count}>
          {filtered ? `${matching} of ${rows.length}` : `${rows.length}`} candidate{rows.length === 1 ? "" : "s"}
        </span>
        {filtered && (
          <button
            type="button"
            className={ui.button}
            onClick={() => {
              setText("");
              update({ q: "", origin: "", status: "" });
            }}
          >
            Clear filters
          </button>
        )}
      </div>
      <div className={styles.scroll}>
        <table className={`${ui.table} ${styles.table}`} data-table="candidates">
          <thead>
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const meta = header.column.columnDef.meta as { numeric?: boolean; title?: string } | undefined;
                  const sorted = header.column.getIsSorted();
                  const label = flexRender(header.column.columnDef.header, header.getContext());
                  return (
                    <th
                      key={header.id}
                      className={meta?.numeric ? ui.right : undefined}
                      aria-sort={sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : undefined}
                      title={meta?.title}
                      data-column={header.column.id}
                    >
                      {header.column.getCanSort() ? (
                        <button
                          type="button"
                          className={`${styles.sortButton} ${sorted ? styles.sorted : ""}`}
                          onClick={header.column.getToggleSortingHandler()}
                        >
                          {label}
                          <span className={styles.sortMark} aria-hidden>
                            {sorted === "asc" ? "↑" : sorted === "desc" ? "↓" : "↕"}
                          </span>
                        </button>
                      ) : (
                        label
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody>
            {rowsShown.map((row) => (
              <tr
                key={row.id}
                className={styles.clickable}
                data-candidate={row.original.number}
                onClick={(event) => {
                  if ((event.target as HTMLElement).closest("a, button")) return;
                  if (event.metaKey || event.ctrlKey) window.open(href(row.original.id), "_blank");
                  else router.push(href(row.original.id));
                }}
              >
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta as { numeric?: boolean } | undefined;
                  return (
                    <td key={cell.id} className={meta?.numeric ? `${ui.right} num` : undefined}>
                      {flexRender(cell.column.columnDef.cell, cell.getContext())}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
        {matching === 0 && (
          <EmptyState icon="⌕" title="No candidate matches these filters">
            <p>Change the filter text, origin or status, or clear the filters.</p>
          </EmptyState>
        )}
      </div>
      {pages > 1 && (
        <nav className={styles.pager} aria-label="Candidate pages">
          <button type="button" className={ui.button} disabled={pageIndex === 0} onClick={() => goTo(pageIndex - 1)}>
            ‹ Previous
          </button>
          <span className={styles.count} data-testid="candidates-page">
            {pageIndex * CANDIDATES_PAGE_SIZE + 1}–{Math.min(matching, (pageIndex + 1) * CANDIDATES_PAGE_SIZE)} of{" "}
            {matching} · page {pageIndex + 1} of {pages}
          </span>
          <button
            type="button"
            className={ui.button}
            disabled={pageIndex >= pages - 1}
            onClick={() => goTo(pageIndex + 1)}
          >
            Next ›
          </button>
        </nav>
      )}
    </div>
  );
}

/** A score with its 95% interval under it, small. */
function ScoreWithInterval(props: { score: number | undefined; low: number | null; high: number | null }) {
  return (
    <>
      {formatScore(props.score)}
      {props.score !== undefined && props.low != null && (
        <div className="faint" data-score-interval title="The score's 95% interval">
          {formatInterval(props.low, props.high)}
        </div>
      )}
    </>
  );
}
