// Long paths cut in the middle, not at the end: workspace paths share long prefixes
// (candidates/<id>/traces/...), so an end cut shows the same text for every file.

/**
 * A path in two parts for a width-fitted middle cut (components/ui/MiddleCut): the head, which
 * the browser shortens with an ellipsis when the box is narrow, and the tail (the last segment
 * with its slash), which is kept whole. A path without an inner slash is all tail.
 */
export function splitPathTail(path: string): { head: string; tail: string } {
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  const slash = trimmed.lastIndexOf("/");
  if (slash <= 0) return { head: "", tail: path };
  return { head: path.slice(0, slash), tail: path.slice(slash) };
}
