// JSON as the proposer greps it. Small structures are indented for reading; from a given depth
// every value sits on one line, compact (`"status":"failed"`, no space), so one grep line is one
// whole task or split and patterns such as `grep '"status":"failed"'` match without regexes.
// Arrays of plain values (a list of task keys) always sit on one line, for the same reason.

/**
 * `value` as JSON with two-space indentation for the first `compactFrom` levels (the root is
 * level 0) and compact one-line JSON below. Key order is the objects' own: the renderers build
 * every object field by field, so the output is the same on every rebuild. Ends with a newline.
 */
export function formatJson(value: unknown, compactFrom = Infinity): string {
  return `${format(value, 0, compactFrom)}\n`;
}

function format(value: unknown, depth: number, compactFrom: number): string {
  if (depth >= compactFrom || value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  const indent = "  ".repeat(depth + 1);
  const close = "  ".repeat(depth);
  if (Array.isArray(value)) {
    if (value.every((item) => item === null || typeof item !== "object")) return JSON.stringify(value);
    return `[\n${value.map((item) => indent + format(item ?? null, depth + 1, compactFrom)).join(",\n")}\n${close}]`;
  }
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  if (entries.length === 0) return "{}";
  return `{\n${entries.map(([key, item]) => `${indent}${JSON.stringify(key)}: ${format(item, depth + 1, compactFrom)}`).join(",\n")}\n${close}}`;
}
