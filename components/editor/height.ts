// Plain helpers for editor views, importable from server and client components alike.

/** Monaco's line height in pixels (see baseOptions in MonacoEditors.tsx). */
export const EDITOR_LINE_HEIGHT = 19;

/** A height that shows a source whole when short, and scrolls inside the editor when long. */
export function editorHeight(source: string, { min = 8, max = 44 } = {}): number {
  const lines = source.split("\n").length;
  return Math.min(Math.max(lines, min), max) * EDITOR_LINE_HEIGHT + 16;
}
