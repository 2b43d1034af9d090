import { describe, expect, it } from "vitest";
import type { CandidateTableRow } from "../../../lib/candidates/queries.ts";
import { CANDIDATES_PAGE_SIZE, readView, viewQuery, viewRows } from "../../../lib/candidates/table-view.ts";

function row(number: number, fields: Partial<CandidateTableRow> = {}): CandidateTableRow {
  return {
    id: `c${number}`,
    number,
    iterationNumber: number === 1 ? null : Math.ceil((number - 1) / 3),
    origin: number === 1 ? "seed" : "proposer",
    status: "valid",
    parents: number === 1 ? [] : [{ id: "c1", number: 1 }],
    summary: `hypothesis ${number}`,
    searchScore: null,
    searchLow: null,
    searchHigh: null,
    testScore: null,
    testLow: null,
    testHigh: null,
    tokensPerTask: null,
    costUsd: null,
    costPerTask: null,
    unpriced: false,
    evaluating: false,
    ...fields,
  };
}

const view = (query: string) => readView(new URLSearchParams(query));
const numbers = (query: string, rows: CandidateTableRow[]) => viewRows(rows, view(query)).rows.map((r) => r.number);

describe("the candidates table's view", () => {
  const rows = [
    row(5, { searchScore: 0.5 }),
    row(4, { searchScore: null, origin: "person", summary: "Cache the tool list" }),
    row(3, { searchScore: 0.9 }),
    row(2, { searchScore: 0.5, status: "rejected" }),
    row(1, { searchScore: 0.2 }),
  ];

  it("reads the URL's view, the default and anything unknown as empty, and writes it back the same", () => {
    expect(view("sort=number.desc&page=1&origin=robot&status=valid&q=x")).toEqual({
      sort: "",
      q: "x",
      origin: "",
      status: "valid",
      page: "",
    });
    expect(view("sort=bogus.asc&page=-2")).toEqual({ sort: "", q: "", origin: "", status: "", page: "" });
    expect(viewQuery(view("page=3&sort=cost.asc&origin=person"))).toBe("sort=cost.asc&origin=person&page=3");
    expect(viewQuery(view(""))).toBe("");
  });

  it("sorts either way with no score last, and ties newest first", () => {
    expect(numbers("", rows)).toEqual([5, 4, 3, 2, 1]);
    expect(numbers("sort=searchScore.desc", rows)).toEqual([3, 5, 2, 1, 4]);
    expect(numbers("sort=searchScore.asc", rows)).toEqual([1, 5, 2, 3, 4]);
    expect(numbers("sort=origin.asc", rows)).toEqual([4, 5, 3, 2, 1]);
    expect(numbers("sort=iteration.asc", rows)).toEqual([4, 3, 2, 5, 1]); // iteration 1 is #2–#4, the seed has none
  });

  it("filters by origin, status and text (summary, parents, id), counting what matches", () => {
    expect(numbers("origin=person", rows)).toEqual([4]);
    expect(numbers("status=rejected", rows)).toEqual([2]);
    expect(numbers("q=CACHE", rows)).toEqual([4]);
    expect(numbers("q=%231", rows)).toEqual([5, 4, 3, 2, 1]); // #1 is every one's parent, and the seed
    expect(numbers("q=c3", rows)).toEqual([3]);
    const page = viewRows(rows, view("q=nothing"));
    expect(page).toMatchObject({ rows: [], matching: 0, total: 5, pageIndex: 0, pages: 1 });
  });

  it("pages by CANDIDATES_PAGE_SIZE, and a page past the end shows the last one", () => {
    const many = Array.from({ length: 120 }, (_, i) => row(120 - i));
    const second = viewRows(many, view("page=2"));
    expect(second).toMatchObject({ matching: 120, total: 120, pageIndex: 1, pages: 3, view: "page=2" });
    expect(second.rows.map((r) => r.number)).toEqual(
      Array.from({ length: CANDIDATES_PAGE_SIZE }, (_, i) => 120 - CANDIDATES_PAGE_SIZE - i),
    );
    const past = viewRows(many, view("page=9"));
    expect(past.pageIndex).toBe(2);
    expect(past.rows.map((r) => r.number)).toEqual(Array.from({ length: 20 }, (_, i) => 20 - i));
  });
});
