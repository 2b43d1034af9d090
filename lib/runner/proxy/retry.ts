// When and how long to wait before trying upstream again. The proxy retries on behalf of the
// harness so that every attempt lands in one recorded exchange; its final answers carry
// `x-should-retry: false` so the SDK in the sandbox does not retry the same thing again.

import type { IncomingHttpHeaders } from "node:http";

export interface RetryPolicy {
  /** Retries after the first attempt (so up to maxRetries + 1 attempts). */
  maxRetries: number;
  /** The first backoff; doubles per attempt. */
  baseDelayMs: number;
  /** Ceiling of the computed backoff. */
  maxDelayMs: number;
  /**
   * The longest `retry-after` the proxy will sit through. A longer one is answered to the
   * harness at once: waiting minutes inside a timed task run helps no one.
   */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 3,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/** Same rule as the SDK: obey `x-should-retry`, else 408, 409, 429 and every 5xx (529 = overloaded). */
export function isRetryableStatus(status: number, headers: IncomingHttpHeaders = {}): boolean {
  const hint = headers["x-should-retry"];
  if (hint === "true") return true;
  if (hint === "false") return false;
  return status === 408 || status === 409 || status === 429 || status >= 500;
}

/** Error types the API sends inside a 200 stream that mean "try again". */
export function isRetryableStreamError(type: string): boolean {
  return type === "overloaded_error" || type === "rate_limit_error" || type === "api_error";
}

/** The server's requested wait in ms, from `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterFromHeaders(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = Number.parseFloat(String(headers["retry-after-ms"] ?? ""));
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const raw = headers["retry-after"];
  if (typeof raw !== "string" || raw.trim() === "") return undefined;
  const seconds = Number.parseFloat(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Exponential backoff with jitter: half the delay fixed, half random, so retries from many
 * sandboxes hitting the same limit spread out instead of arriving together.
 */
export function backoffMs(attempt: number, policy: RetryPolicy, random = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(exp / 2 + random() * (exp / 2));
}

/** Resolves after `ms`, or rejects early when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
