// A row's cells as HTML: the same cells the matrix showed as elements, and a task key that
// cannot break out of its attribute.
import { describe, expect, it } from "vitest";
import { cellsHtml, escapeHtml } from "../../../components/tasks/matrix-cells-html.ts";

const classes = { cell: "c", none: "n", p: "p", f: "f", e: "e", r: "r" };
const matrix = {
  columns: [
    { number: 1, evaluationId: "ev1" },
    { number: 2, evaluationId: "ev2" },
    { number: 3, evaluationId: null },
  ],
  // Two rows: row 0 passed, failed (partial credit 0.4), none; row 1 error, not finished, none.
  cells: "pf-er-",
  scores: { 1: 0.4 },
};

function parse(html: string) {
  return [...html.matchAll(/<(a|span) ([^>]*)>([^<]*)<\/\1>/g)].map(([, tag, attributes, text]) => ({
    tag,
    attributes: Object.fromEntries([...attributes.matchAll(/([\w-]+)="([^"]*)"/g)].map(([, k, v]) => [k, v])),
    text,
  }));
}

describe("cellsHtml", () => {
  it("links each cell with a run to its trace, says its outcome, and shows partial credit", () => {
    const cells = parse(cellsHtml(matrix, { task: { id: "t1", key: "ticket-1" }, row: 0 }, [0, 1, 2], classes));
    expect(cells).toEqual([
      {
        tag: "a",
        attributes: {
          class: "c p",
          title: "ticket-1 · #1 · passed",
          "data-cell": "p",
          href: "runs/open?evaluation=ev1&amp;task=t1",
        },
        text: "✓",
      },
      {
        tag: "a",
        attributes: {
          class: "c f",
          title: "ticket-1 · #2 · failed · score 40.0%",
          "data-cell": "f",
          href: "runs/open?evaluation=ev2&amp;task=t1",
        },
        text: "40",
      },
      { tag: "span", attributes: { class: "c n", title: "ticket-1 · #3 · no task run" }, text: "·" },
    ]);
  });

  it("shows only the asked columns, of the asked row", () => {
    const cells = parse(cellsHtml(matrix, { task: { id: "t2", key: "ticket-2" }, row: 1 }, [1], classes));
    expect(cells.map((cell) => [cell.attributes["data-cell"], cell.text])).toEqual([["r", "…"]]);
  });

  it("escapes a task key that looks like markup", () => {
    const key = `<img src=x onerror="alert(1)">&'`;
    const html = cellsHtml(matrix, { task: { id: "t1", key }, row: 0 }, [0], classes);
    expect(html).not.toContain("<img");
    expect(parse(html)[0].attributes.title).toBe(`${escapeHtml(key)} · #1 · passed`);
    expect(escapeHtml(key)).toBe("&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&amp;&#39;");
  });
});
