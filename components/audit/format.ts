// How each audit figure reads: tokens as tokens, calls with a decimal, time as time, a share as %.
import { formatDuration, formatTokens } from "@/lib/format";

export function formatShare(share: number | null | undefined): string {
  return share == null ? "—" : `${(share * 100).toFixed(share > 0 && share < 0.1 ? 1 : 0)}%`;
}

export function formatCalls(calls: number | null | undefined): string {
  if (calls == null) return "—";
  return Number.isInteger(calls) ? String(calls) : calls.toFixed(1);
}

/** A figure of AUDIT_FIGURES (lib/audit/summary.ts) by its key. */
export function formatFigure(key: string, value: number | null): string {
  if (value == null) return "—";
  switch (key) {
    case "modelCalls":
      return formatCalls(value);
    case "wallMs":
      return formatDuration(value);
    case "repeatShare":
      return formatShare(value);
    default:
      return formatTokens(Math.round(value));
  }
}

/** A change B − A in the figure's own unit, signed; a share changes in percentage points. */
export function formatChange(key: string, change: number): string {
  const sign = change > 0 ? "+" : "−";
  const size = Math.abs(change);
  if (key === "repeatShare") return `${sign}${(size * 100).toFixed(size < 0.1 ? 1 : 0)} pt`;
  return `${sign}${formatFigure(key, size)}`;
}
