// Small formatting helpers of the trace viewer (the shared ones live in lib/format.ts).
import { formatCount } from "@/lib/format";

/** "+1,234 ms" from the first event; seconds past a minute stay readable. */
export function formatOffset(ms: number): string {
  if (ms < 0) return `${formatCount(ms)} ms`;
  if (ms < 10_000) return `+${formatCount(ms)} ms`;
  if (ms < 100_000) return `+${(ms / 1000).toFixed(2)} s`;
  if (ms < 3_600_000) return `+${(ms / 1000).toFixed(1)} s`;
  return `+${(ms / 3_600_000).toFixed(2)} h`;
}

/** Pretty JSON for people: strings as they are, everything else indented. */
export function prettyJson(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

export function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
