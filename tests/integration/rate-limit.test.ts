// An API key's rate limit is shared through the database: a 429 seen by one recording proxy holds
// every other proxy on the key (another worker's, here a second proxy whose gate shares nothing
// with the first but the database) until the retry-after has passed, and halves the key's rate.
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { newCredential, startRecordingProxy, type RecordingProxy } from "../../lib/runner/proxy/index.ts";
import { rateLimitKey, reportLimited, shareRateLimitsInDatabase, takeToken } from "../../lib/jobs/rate-limit.ts";
import { shareRateLimits } from "../../lib/runner/proxy/rate-gate.ts";

const KEY = "sk-ant-rate-limit-test-key";
const PAUSE_MS = 1_500;
let fake: FakeAnthropic;
const proxies: RecordingProxy[] = [];

beforeAll(async () => {
  let answered = 0;
  fake = await startFakeAnthropic({
    requireApiKey: KEY,
    // The first request is over the limit; the rest are answered.
    respond: () =>
      answered++ === 0
        ? {
            status: 429,
            error: { type: "rate_limit_error", message: "This request would exceed your rate limit" },
            headers: { "retry-after-ms": String(PAUSE_MS) },
          }
        : { text: "ok", delayMs: 20 },
  });
  shareRateLimitsInDatabase();
});

afterAll(async () => {
  shareRateLimits(null);
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await fake?.close();
  await disconnectDb();
});

async function proxyClient(): Promise<Anthropic> {
  const proxy = await startRecordingProxy({ upstreamUrl: fake.url, apiKey: KEY, onExchange: () => {} });
  proxies.push(proxy);
  const credential = newCredential();
  proxy.register(credential, { taskRunId: `run_${proxies.length}`, evaluationId: "eval_rate" });
  return new Anthropic({ baseURL: proxy.url, apiKey: credential, maxRetries: 0 });
}

const ask = { model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user" as const, content: "hi" }] };

describe("rate limits shared through the database", () => {
  it("holds every proxy on the key for a 429's retry-after, and halves the key's rate", async () => {
    const [first, second] = [await proxyClient(), await proxyClient()];
    const limited = first.messages.create(ask); // 429, then its own retry after the pause
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 100)); // the 429 has been reported
    const others = await Promise.all(Array.from({ length: 4 }, () => second.messages.create(ask)));
    expect(others.map((message) => message.content[0])).toEqual(Array(4).fill(expect.objectContaining({ text: "ok" })));
    expect((await limited).content[0]).toMatchObject({ text: "ok" });

    // The 429, then nothing upstream from either proxy until the pause was over.
    const [refused, ...after] = fake.requests.map((request) => request.receivedAt.getTime());
    expect(after).toHaveLength(5);
    for (const at of after) expect(at - refused).toBeGreaterThanOrEqual(PAUSE_MS - 50);

    const row = await db.rateLimit.findUniqueOrThrow({ where: { key: rateLimitKey(fake.url, KEY) } });
    expect(row.rate).toBeLessThan(30); // 50 before, halved, a few requests' growth since
  });

  it("lets a burst go at once, then spaces requests at the key's rate, in the order they asked", async () => {
    // A slow bucket, so the figures do not depend on how fast this machine takes tokens: 2 a
    // second (growing by 0.1 per request), 3 at once.
    const key = `bucket-${Date.now()}`;
    await db.rateLimit.create({ data: { key, rate: 2, burst: 3, tokens: 3, updatedAt: new Date() } });
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) waits.push(await takeToken(key));
    expect(waits.slice(0, 3)).toEqual([0, 0, 0]);
    // The 4th waits about half a second for its token, the 5th about half a second more.
    expect(waits[3]).toBeGreaterThan(250);
    expect(waits[3]).toBeLessThanOrEqual(500);
    expect(waits[4] - waits[3]).toBeGreaterThan(300);
    expect(waits[4]).toBeLessThanOrEqual(1_000);

    await reportLimited(key, 3_000);
    const held = await takeToken(key);
    expect(held).toBeGreaterThanOrEqual(3_000);
    const row = await db.rateLimit.findUniqueOrThrow({ where: { key } });
    expect(row.rate).toBeCloseTo((2 + 5 * 0.1) / 2 + 0.1, 5); // halved by the 429, then one request's growth
  });
});
