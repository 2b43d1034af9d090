// The task × candidate matrix's cells and row orders, computed from its cells alone (no
// database), so the page re-sorts in the browser: client components import this file.

/** A cell: passed, failed, error, not finished (pending or running), or no task run. */
export type CellCode = "p" | "f" | "e" | "r" | "-";

/** The score a cell's code stands for, when the matrix sends no other for it. */
export function impliedScore(code: CellCode): number | null {
  return code === "p" ? 1 : code === "f" || code === "e" ? 0 : null;
}

export const MATRIX_SORTS = ["suite", "disagreement", "nobody"] as const;
export type MatrixSort = (typeof MATRIX_SORTS)[number];

export interface RowTally {
  passed: number;
  /** Failed or errored. */
  notPassed: number;
}

export function tallyRows(matrix: { tasks: unknown[]; columns: unknown[]; cells: string }): RowTally[] {
  const width = matrix.columns.length;
  return matrix.tasks.map((_, row) => {
    let passed = 0;
    let notPassed = 0;
    for (let column = 0; column < width; column++) {
      const code = matrix.cells[row * width + column];
      if (code === "p") passed++;
      else if (code === "f" || code === "e") notPassed++;
    }
    return { passed, notPassed };
  });
}

/**
 * Row indices in the asked order. "disagreement": the tasks the candidates split on most (the
 * smaller side largest), what combining candidates could win. "nobody": tasks no candidate
 * passes first (those with most finished runs first), then by fewest passes. Ties keep suite order.
 */
export function orderRows(tallies: RowTally[], sort: MatrixSort): number[] {
  const rows = tallies.map((_, index) => index);
  if (sort === "disagreement")
    return rows.sort(
      (a, b) =>
        Math.min(tallies[b].passed, tallies[b].notPassed) - Math.min(tallies[a].passed, tallies[a].notPassed) || a - b,
    );
  if (sort === "nobody") {
    const key = (t: RowTally) => (t.passed === 0 && t.notPassed > 0 ? -1 : t.passed);
    return rows.sort(
      (a, b) => key(tallies[a]) - key(tallies[b]) || tallies[b].notPassed - tallies[a].notPassed || a - b,
    );
  }
  return rows;
}
