// One view of the overview's candidates table: its sort, filters and page, as the URL says them
// (?sort=searchScore.desc&q=…&origin=…&status=…&page=2), and the rows that view shows. Sorted,
// filtered and paged on the server, so the browser gets one page of rows, never all of them;
// the page and the table's API (GET /api/projects/<id>/candidates) answer through here alike.
import type { CandidateTableRow } from "./queries.ts";

/** How many rows one page of the table shows. */
export const CANDIDATES_PAGE_SIZE = 50;

export const ORIGINS = ["seed", "proposer", "person"] as const;
export const STATUSES = ["valid", "pending", "rejected"] as const;

/** The columns a view can sort by, each with its value (a null sorts last either way). */
const SORT_VALUE: Record<string, (row: CandidateTableRow) => number | string | null> = {
  number: (row) => row.number,
  iteration: (row) => row.iterationNumber,
  origin: (row) => row.origin,
  searchScore: (row) => row.searchScore,
  testScore: (row) => row.testScore,
  tokensPerTask: (row) => row.tokensPerTask,
  cost: (row) => row.costUsd,
  status: (row) => row.status,
};
export const SORTABLE = new Set(Object.keys(SORT_VALUE));
export const DEFAULT_SORT = { id: "number", desc: true };

export interface CandidatesView {
  /** "searchScore.desc"; "" for the default (newest first). */
  sort: string;
  q: string;
  origin: string;
  status: string;
  /** 1-based; "" for the first page. */
  page: string;
}

export const VIEW_KEYS = ["sort", "q", "origin", "status", "page"] as const;

/** The view a URL's query names; anything it does not recognise is the default. */
export function readView(params: URLSearchParams): CandidatesView {
  const page = params.get("page") ?? "";
  const sort = parseSort(params.get("sort") ?? "");
  const isDefault = sort.id === DEFAULT_SORT.id && sort.desc === DEFAULT_SORT.desc;
  return {
    sort: isDefault ? "" : `${sort.id}.${sort.desc ? "desc" : "asc"}`,
    q: params.get("q") ?? "",
    origin: ORIGINS.find((value) => value === params.get("origin")) ?? "",
    status: STATUSES.find((value) => value === params.get("status")) ?? "",
    page: /^[1-9]\d*$/.test(page) && page !== "1" ? page : "",
  };
}

/** The view as a query string (without "?"): the same view always gives the same string. */
export function viewQuery(view: CandidatesView): string {
  const params = new URLSearchParams();
  for (const key of VIEW_KEYS) if (view[key]) params.set(key, view[key]);
  return params.toString();
}

export function parseSort(value: string): { id: string; desc: boolean } {
  const [id, dir] = value.split(".");
  if (!id || !SORTABLE.has(id)) return DEFAULT_SORT;
  return { id, desc: dir !== "asc" };
}

/** What a row's text filter looks in: its id, number, origin, status, summary, iteration and parents. */
function searchText(row: CandidateTableRow): string {
  return [
    row.id,
    `#${row.number}`,
    row.origin,
    row.status,
    row.summary,
    row.iterationNumber == null ? "" : `iteration ${row.iterationNumber}`,
    ...row.parents.map((parent) => `#${parent.number}`),
  ]
    .join(" ")
    .toLowerCase();
}

export interface CandidatesPage {
  /** The view these rows are of, as a query string (viewQuery). */
  view: string;
  rows: CandidateTableRow[];
  /** Rows that match the filters, over every page. */
  matching: number;
  /** Every candidate of the project. */
  total: number;
  /** 0-based; a page past the end shows the last one. */
  pageIndex: number;
  pages: number;
}

/** The rows of one view: filtered, sorted (nulls last, ties newest first), one page of them. */
export function viewRows(all: readonly CandidateTableRow[], view: CandidatesView): CandidatesPage {
  const text = view.q.trim().toLowerCase();
  const matching = all.filter(
    (row) =>
      (!view.origin || row.origin === view.origin) &&
      (!view.status || row.status === view.status) &&
      (!text || searchText(row).includes(text)),
  );
  const sort = parseSort(view.sort);
  const value = SORT_VALUE[sort.id];
  const sign = sort.desc ? -1 : 1;
  const sorted = matching
    .map((row) => ({ row, value: value(row) }))
    .sort((a, b) => {
      if (a.value === b.value) return b.row.number - a.row.number;
      if (a.value == null) return 1;
      if (b.value == null) return -1;
      const order =
        typeof a.value === "number" && typeof b.value === "number"
          ? a.value - b.value
          : String(a.value).localeCompare(String(b.value));
      return sign * order || b.row.number - a.row.number;
    })
    .map((entry) => entry.row);
  const pages = Math.max(1, Math.ceil(sorted.length / CANDIDATES_PAGE_SIZE));
  const pageIndex = Math.min(view.page ? Number(view.page) - 1 : 0, pages - 1);
  return {
    view: viewQuery(view),
    rows: sorted.slice(pageIndex * CANDIDATES_PAGE_SIZE, (pageIndex + 1) * CANDIDATES_PAGE_SIZE),
    matching: sorted.length,
    total: all.length,
    pageIndex,
    pages,
  };
}
