// One row's cells of the task × candidate matrix as an HTML string. A row's cells are plain
// links and spans with no handlers, so they need no React element each: as one string per row,
// hydration adopts them without walking hundreds of elements, and a re-render compares one string.
import { formatScore } from "@/lib/format";
import type { CellCode } from "@/lib/tasks/matrix-order";

export const CELL_WORDS: Record<CellCode, string> = {
  p: "passed",
  f: "failed",
  e: "error",
  r: "not finished",
  "-": "no task run",
};
const GLYPH: Record<CellCode, string> = { p: "✓", f: "✗", e: "!", r: "…", "-": "·" };
const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text made safe for HTML, in an element or a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]);
}

export interface CellsRow {
  task: { id: string; key: string };
  /** The row's index in the matrix (its cells start at row × width). */
  row: number;
}

export interface CellsMatrix {
  columns: { number: number; evaluationId: string | null }[];
  cells: string;
  scores: Record<number, number>;
}

/** CSS-module class names: the cell, one per code, and none (no task run). */
export type CellClasses = Record<"cell" | "none" | Exclude<CellCode, "-">, string>;

/**
 * The cells of one row in the given columns, left to right: a link to the task run's trace
 * (relative to the matrix page) where there is one, else a dot. Its title says the task, the
 * candidate, the outcome and a score that says more than the outcome.
 */
export function cellsHtml(
  matrix: CellsMatrix,
  { task, row }: CellsRow,
  columns: number[],
  classes: CellClasses,
): string {
  const width = matrix.columns.length;
  const key = escapeHtml(task.key);
  const taskId = encodeURIComponent(task.id);
  let html = "";
  for (const index of columns) {
    const candidate = matrix.columns[index];
    const at = row * width + index;
    const code = matrix.cells[at] as CellCode;
    const score = matrix.scores[at];
    const title = `${key} · #${candidate.number} · ${CELL_WORDS[code]}${score == null ? "" : ` · score ${formatScore(score)}`}`;
    if (code === "-" || !candidate.evaluationId) {
      html += `<span class="${classes.cell} ${classes.none}" title="${title}">${GLYPH["-"]}</span>`;
      continue;
    }
    // A score strictly between 0 and 1 (partial credit, the mean of trials) is shown as is.
    const text = score != null && score > 0 && score < 1 ? String(Math.round(score * 100)) : GLYPH[code];
    const href = `runs/open?evaluation=${encodeURIComponent(candidate.evaluationId)}&amp;task=${taskId}`;
    html += `<a class="${classes.cell} ${classes[code]}" title="${title}" data-cell="${code}" href="${href}">${text}</a>`;
  }
  return html;
}
