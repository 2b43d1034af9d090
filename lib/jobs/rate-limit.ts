// Rate limits shared through the database: one token bucket per API key (the RateLimit table),
// which every recording proxy of every worker takes from before each upstream attempt. A 429
// halves the bucket's rate and holds every proxy on the key until its retry-after has passed;
// each request grows the rate back a little (additive increase, multiplicative decrease). One
// statement per request, so many workers never overshoot between reading and writing.
import crypto from "node:crypto";
import { db } from "../db/client.ts";
import { shareRateLimits, type RateGate } from "../runner/proxy/rate-gate.ts";
import { sleep } from "../runner/proxy/retry.ts";

/** Requests per second before any 429, and the ceiling the rate grows back to. */
const MAX_RATE = 50;
/** The slowest the rate gets: one request every five seconds. */
const MIN_RATE = 0.2;
/** Requests that may go at once after a quiet spell. */
const BURST = 20;
/** Growth of the rate per request, in requests per second. */
const INCREASE = 0.1;
/** The pause after a 429 that names no retry-after. */
const DEFAULT_PAUSE_MS = 1_000;

/** The key's row: the upstream's origin and the key, hashed (the key itself is never stored). */
export function rateLimitKey(upstreamUrl: string, apiKey: string): string {
  return crypto
    .createHash("sha256")
    .update(`${new URL(upstreamUrl).origin}\n${apiKey}`)
    .digest("hex")
    .slice(0, 32);
}

/** Takes a token; the answer is how long to wait for it (0: go now). */
export async function takeToken(key: string): Promise<number> {
  // tokens may go below zero: each request is promised its turn, in the order it asked. During a
  // pause updatedAt is in the future, so the elapsed time is negative and the wait includes it.
  const [row] = await db.$queryRaw<{ tokens: number; rate: number }[]>`
    insert into "RateLimit" (key, rate, burst, tokens, "updatedAt")
    values (${key}, ${MAX_RATE}::float8, ${BURST}::float8, ${BURST - 1}::float8, now())
    on conflict (key) do update set
      tokens = least("RateLimit".burst,
        "RateLimit".tokens + extract(epoch from (now() - "RateLimit"."updatedAt")) * "RateLimit".rate) - 1,
      rate = least(${MAX_RATE}::float8, "RateLimit".rate + ${INCREASE}::float8),
      "updatedAt" = now()
    returning tokens, rate`;
  return row.tokens >= 0 ? 0 : Math.ceil((-row.tokens / row.rate) * 1000);
}

/** A 429: the rate halves, and nobody's token grows until the pause is over. */
export async function reportLimited(key: string, retryAfterMs: number | undefined): Promise<void> {
  const pauseMs = Math.max(0, retryAfterMs ?? DEFAULT_PAUSE_MS);
  await db.$executeRaw`
    update "RateLimit" set
      rate = greatest(${MIN_RATE}::float8, rate / 2),
      tokens = least(tokens, 0),
      "updatedAt" = greatest("updatedAt", now() + ${pauseMs}::float8 * interval '1 millisecond')
    where key = ${key}`;
}

function databaseGate(upstreamUrl: string, apiKey: string): RateGate {
  const key = rateLimitKey(upstreamUrl, apiKey);
  return {
    admit: async (signal) => {
      // A store that fails only loses the sharing: the request goes, and the proxy's own retries hold.
      const waitMs = await takeToken(key).catch(() => 0);
      if (waitMs > 0) await sleep(waitMs, signal);
    },
    limited: (retryAfterMs) => reportLimited(key, retryAfterMs),
  };
}

/** From now on, this process's recording proxies share their keys' rate limits through the database. */
export function shareRateLimitsInDatabase(): void {
  shareRateLimits(databaseGate);
}
