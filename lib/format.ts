// How numbers and times read on every page and in the CLI.
export function formatScore(score: number | null | undefined): string {
  return score == null ? "—" : `${(score * 100).toFixed(1)}%`;
}

/** A score's 95% interval as "45.1–77.3%"; empty when there is none. */
export function formatInterval(low: number | null | undefined, high: number | null | undefined): string {
  return low == null || high == null ? "" : `${(low * 100).toFixed(1)}–${(high * 100).toFixed(1)}%`;
}

/**
 * A count with thousands separators, "12,345", as toLocaleString("en-US") writes it, without Intl
 * for whole numbers: Intl's first use in a page sets up ICU (13–20 ms of Chromium's main thread here),
 * and pages such as the trace viewer format counts while they hydrate.
 */
export function formatCount(value: number): string {
  if (!Number.isSafeInteger(value)) return value.toLocaleString("en-US");
  const digits = String(Math.abs(value));
  let grouped = digits.slice(0, digits.length % 3 || 3);
  for (let at = grouped.length; at < digits.length; at += 3) grouped += `,${digits.slice(at, at + 3)}`;
  return value < 0 ? `-${grouped}` : grouped;
}

export function formatTokens(tokens: number | null | undefined): string {
  if (tokens == null) return "—";
  if (tokens >= 1_000_000) return `${(tokens / 1_000_000).toFixed(tokens >= 10_000_000 ? 0 : 1)}M`;
  if (tokens >= 10_000) return `${Math.round(tokens / 1000)}k`;
  return formatCount(tokens);
}

export function formatUsd(usd: number | null | undefined): string {
  if (usd == null) return "—";
  return usd < 0.01 && usd > 0 ? `$${usd.toFixed(4)}` : `$${usd.toFixed(2)}`;
}

/** A stored cost: null means a model call had no price (no override, not built in), never $0; undefined, no figure ("—"). */
export function formatCost(usd: number | null | undefined): string {
  return usd === null ? "unpriced" : formatUsd(usd);
}

export function formatRelative(date: Date | null | undefined, now = new Date()): string {
  if (!date) return "—";
  const seconds = Math.round((now.getTime() - date.getTime()) / 1000);
  if (seconds < 45) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  if (days < 30) return `${days} d ago`;
  return date.toISOString().slice(0, 10);
}

export function formatDuration(ms: number | null | undefined): string {
  if (ms == null) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** "512 B", "5 MiB" for a round size (limits read as set), "54.2 MiB" for a measured one. Binary units. */
export function formatBytes(bytes: number): string {
  const units = ["KiB", "MiB", "GiB"];
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = "B";
  for (const next of units) {
    if (value < 1024) break;
    value /= 1024;
    unit = next;
  }
  return `${Number.isInteger(value) ? value : value.toFixed(1)} ${unit}`;
}
