import { describe, expect, it } from "vitest";
import { packRows, unpackRows } from "../../../lib/candidates/packed.ts";

describe("packRows", () => {
  it("writes each key once and gives the same rows back", () => {
    const rows = [
      { id: "a", number: 2, parents: [1], score: null as number | null, evaluating: false },
      { id: "b", number: 1, parents: [], score: 0.25, evaluating: true },
    ];
    const packed = packRows(rows);
    expect(packed.keys).toEqual(["id", "number", "parents", "score", "evaluating"]);
    expect(packed.columns[1]).toEqual([2, 1]);
    expect(JSON.stringify(packed).match(/"number"/g)).toHaveLength(1);
    expect(unpackRows(JSON.parse(JSON.stringify(packed)) as typeof packed)).toEqual(rows);
  });

  it("sends a column whose rows all hold one value as that value", () => {
    const rows = Array.from({ length: 3 }, (_, n) => ({ n, test: null, status: "valid", parents: [] as number[] }));
    const packed = packRows(rows);
    expect(packed.columns).toEqual([[0, 1, 2], { same: null }, { same: "valid" }, [[], [], []]]);
    expect(unpackRows(JSON.parse(JSON.stringify(packed)) as typeof packed)).toEqual(rows);
  });

  it("packs no rows as no columns", () => {
    expect(unpackRows(packRows([]))).toEqual([]);
  });
});
