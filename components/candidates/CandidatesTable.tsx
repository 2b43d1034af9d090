"use client";

// The project's candidates: sortable, filterable, paged, every row opens its candidate. Sort,
// filters and page live in the URL (?sort=searchScore.desc&q=…&origin=…&status=…&page=2), so a
// link shows the same view. The server sorts, filters and pages (lib/candidates/table-view.ts):
// the page comes with its view's rows, and another view's rows come from the table's API, so
// the browser holds one page of rows however many candidates there are.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import {
  createColumnHelper,
  flexRender,
  getCoreRowModel,
  useReactTable,
  type SortingState,
  type Updater,
} from "@tanstack/react-table";
import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useEffect, useMemo, useState } from "react";
import { Badge, EmptyState, ui } from "@/components/ui";
import { candidatesQuery } from "@/components/data/queries";
import { formatInterval, formatScore, formatTokens, formatUsd } from "@/lib/format";
import type { CandidateTableRow } from "@/lib/candidates/queries";
import {
  CANDIDATES_PAGE_SIZE,
  DEFAULT_SORT,
  ORIGINS,
  STATUSES,
  VIEW_KEYS,
  parseSort,
  readView,
  viewQuery,
  type CandidatesPage,
  type CandidatesView,
} from "@/lib/candidates/table-view";
import { candidateHref, candidateStatusTone, shortId } from "./format";
import styles from "./candidates.module.css";

const column = createColumnHelper<CandidateTableRow>();

/**
 * Puts the view in the address bar. It passes Next's own history state along (its `__NA` mark
 * makes Next's patched replaceState write it as is): routing the change through Next's router
 * would re-render the whole page for a new sort, and under load could hold up the navigations
 * queued behind it.
 */
function writeUrl(pathname: string, view: CandidatesView) {
  const params = new URLSearchParams(window.location.search);
  for (const key of VIEW_KEYS) {
    if (view[key]) params.set(key, view[key]);
    else params.delete(key);
  }
  const search = params.toString();
  window.history.replaceState(window.history.state, "", search ? `${pathname}?${search}` : pathname);
}

export function CandidatesTable({
  projectId,
  initial,
  revision,
}: {
  projectId: string;
  /** The rows of the view the page was asked for, read with the page. */
  initial: CandidatesPage;
  /** The project's revision the page was read at (RunProgress.revision). */
  revision: string;
}) {
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const href = (id: string) => candidateHref(projectId, id);

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
              {/* One string, one text node: "#" and a number apart are two, with a comment between. */}
              {`#${info.getValue()}`}
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
        meta: { numeric: true },
        cell: (info) => (info.getValue() == null ? <span className="faint">—</span> : info.getValue()),
      }),
      column.accessor((row) => row.parents.map((parent) => parent.number).join(","), {
        id: "parents",
        header: "Parents",
        enableSorting: false,
        cell: (info) =>
          info.row.original.parents.length === 0 ? (
            <span className="faint">—</span>
          ) : (
            <span className={styles.parents}>
              {info.row.original.parents.map((parent) => (
                <Link
                  key={parent.id}
                  href={href(parent.id)}
                  prefetch={false}
                  onClick={(event) => event.stopPropagation()}
                >
                  {`#${parent.number}`}
                </Link>
              ))}
            </span>
          ),
      }),
      column.accessor("origin", {
        header: "Origin",
        cell: (info) => <Badge tone={info.getValue() === "person" ? "accent" : "neutral"}>{info.getValue()}</Badge>,
      }),
      column.accessor((row) => row.searchScore ?? undefined, {
        id: "searchScore",
        header: "Search score",
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
        meta: { numeric: true },
        cell: (info) => (info.getValue() == null ? "—" : formatTokens(Math.round(info.getValue()!))),
      }),
      column.accessor((row) => row.costUsd ?? undefined, {
        id: "cost",
        header: "Cost",
        meta: { numeric: true, title: "USD spent on its newest finished search evaluation" },
        cell: (info) => (info.row.original.unpriced ? "unpriced" : formatUsd(info.getValue())),
      }),
      column.accessor("status", {
        header: "Status",
        cell: (info) => (
          <span className={styles.statusCell}>
            <Badge tone={candidateStatusTone(info.getValue())}>{info.getValue()}</Badge>
            {info.row.original.evaluating && <Badge tone="accent">evaluating…</Badge>}
          </span>
        ),
      }),
    ],
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [projectId],
  );

  // The view (sort, filters, text) is React state, read from the URL on load and written back
  // to it, so a link shows the same view. Writing keeps Next's own history entry (see writeUrl).
  const [view, setView] = useState<CandidatesView>(() => readView(params));
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
    const timer = setTimeout(() => update({ q: text }), 250); // the rows follow the typing a moment later
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  function update(changes: Partial<CandidatesView>) {
    setView((current) => {
      // A new sort or filter starts again at the first page.
      const next = { ...current, page: "", ...changes };
      writeUrl(pathname, next);
      return next;
    });
  }

  // The page's own rows while the view is the one it was read for; any other view's from the API.
  const key = viewQuery(view);
  const fromPage = key === initial.view;
  const query = useQuery({
    ...candidatesQuery(projectId, key, revision),
    enabled: !fromPage,
    placeholderData: keepPreviousData,
  });
  const shown = fromPage ? initial : (query.data ?? initial);
  const loading = !fromPage && query.isFetching;

  // A stable identity: TanStack recomputes its row model whenever it changes.
  const sorting = useMemo<SortingState>(() => [parseSort(view.sort)], [view.sort]);
  function onSortingChange(updater: Updater<SortingState>) {
    const next = typeof updater === "function" ? updater(sorting) : updater;
    const first = next[0];
    const isDefault = !first || (first.id === DEFAULT_SORT.id && first.desc === DEFAULT_SORT.desc);
    update({ sort: isDefault ? "" : `${first.id}.${first.desc ? "desc" : "asc"}` });
  }

  const table = useReactTable({
    data: shown.rows,
    columns,
    state: { sorting },
    onSortingChange,
    getRowId: (row) => row.id,
    enableSortingRemoval: false,
    enableMultiSort: false,
    manualSorting: true,
    manualFiltering: true,
    manualPagination: true,
    getCoreRowModel: getCoreRowModel(),
  });

  if (shown.total === 0) {
    return (
      <EmptyState icon="∅" title="No candidates yet">
        <p>The seed harness becomes candidate #1 when the project is created.</p>
      </EmptyState>
    );
  }

  const { matching, total, pageIndex, pages } = shown;
  const goTo = (index: number) => update({ page: index > 0 ? String(index + 1) : "" });
  const filtered = Boolean(view.q || view.origin || view.status);
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
          value={view.origin}
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
          value={view.status}
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
          {filtered ? `${matching} of ${total}` : `${total}`} candidate{total === 1 ? "" : "s"}
        </span>
        {query.isError && !fromPage && (
          <span className={ui.warning} role="alert">
            Could not read this view: {query.error.message}
          </span>
        )}
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
        <table
          className={`${ui.table} ${styles.table} ${loading ? styles.loading : ""}`}
          data-table="candidates"
          aria-busy={loading}
        >
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
            {table.getRowModel().rows.map((row) => (
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
