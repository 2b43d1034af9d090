// Rate limits are per API key, and every proxy of every worker spends the same key's. A rate gate
// is how a proxy hears of the others: it is asked before each upstream attempt, and told of each
// 429 (with its retry-after), so one limit pauses them all instead of N workers each retrying on
// their own. The proxy stays database-free: a process that shares a database registers the gate
// (lib/jobs/rate-limit.ts); without one, each proxy only retries as the API asks.

export interface RateGate {
  /** Waits until a request may go upstream. Rejects only when `signal` aborts: a store that fails lets it go. */
  admit(signal: AbortSignal): Promise<void>;
  /** Upstream answered 429: every proxy on this key waits `retryAfterMs` (if given) and slows down. */
  limited(retryAfterMs: number | undefined): Promise<void>;
}

type GateFactory = (upstreamUrl: string, apiKey: string) => RateGate;

let factory: GateFactory | null = null;

/** Model calls of this process share rate limits through this factory's gates from now on. */
export function shareRateLimits(next: GateFactory | null): void {
  factory = next;
}

/** The gate for calls to `upstreamUrl` with `apiKey`; none without a key or a shared store. */
export function rateGateFor(upstreamUrl: string, apiKey: string | undefined): RateGate | null {
  return factory && apiKey ? factory(upstreamUrl, apiKey) : null;
}
