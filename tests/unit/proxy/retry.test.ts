// Upstream failures: the proxy retries 429/529/5xx and connection errors, records every attempt,
// and its final error stops the SDK from retrying the same thing again.
import Anthropic, { InternalServerError, RateLimitError } from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { backoffMs, retryAfterFromHeaders } from "../../../lib/runner/proxy/retry.ts";
import { newCredential, startRecordingProxy, type Exchange } from "../../../lib/runner/proxy/index.ts";
import { scripted, type FakeErrorReply } from "../../fakes/anthropic-server.ts";
import { refusedPort } from "../../helpers/refused-port.ts";
import { startRig, type Rig } from "./rig.ts";

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const ask = { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user" as const, content: "hello" }] };
const overloaded: FakeErrorReply = { status: 529, error: { type: "overloaded_error", message: "Overloaded" } };
const rateLimited = (headers: Record<string, string>): FakeErrorReply => ({
  status: 429,
  error: { type: "rate_limit_error", message: "This request would exceed your rate limit" },
  headers,
});
const gapMs = (r: Rig, i: number) =>
  r.fake.requests[i + 1].receivedAt.getTime() - r.fake.requests[i].receivedAt.getTime();

describe("retry policy", () => {
  it("backs off exponentially with jitter, up to a ceiling", () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 1000, maxRetryAfterMs: 60_000 };
    expect([0, 1, 2, 3].map((n) => backoffMs(n, policy, () => 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3, 4, 5].map((n) => backoffMs(n, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it("reads retry-after-ms, retry-after seconds and retry-after dates", () => {
    expect(retryAfterFromHeaders({ "retry-after-ms": "250", "retry-after": "9" })).toBe(250);
    expect(retryAfterFromHeaders({ "retry-after": "1.5" })).toBe(1500);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterFromHeaders({ "retry-after": "Thu, 01 Jan 2026 00:00:03 GMT" }, now)).toBe(3000);
    expect(retryAfterFromHeaders({})).toBeUndefined();
  });
});

describe("recording proxy: retries", () => {
  it("retries a 429 after the retry-after-ms the API asked for, then succeeds", async () => {
    rig = await startRig({ fake: { respond: scripted([rateLimited({ "retry-after-ms": "150" }), { text: "done" }]) } });
    const message = await rig.client.messages.create(ask);
    expect(message.content[0]).toMatchObject({ text: "done" });
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.attempts).toEqual([
      {
        status: 429,
        durationMs: expect.any(Number),
        error: "429 rate_limit_error: This request would exceed your rate limit",
        retryAfterMs: 150,
      },
      { status: 200, durationMs: expect.any(Number) },
    ]);
    expect(gapMs(rig, 0)).toBeGreaterThanOrEqual(140);
    expect(exchange.response.status).toBe(200);
    expect(exchange.error).toBeUndefined();
  });

  it("honours retry-after in seconds", async () => {
    rig = await startRig({ fake: { respond: scripted([rateLimited({ "retry-after": "0.3" }), { text: "done" }]) } });
    await rig.client.messages.create(ask);
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.attempts[0].retryAfterMs).toBe(300);
    expect(gapMs(rig, 0)).toBeGreaterThanOrEqual(290);
  });

  it("retries 529 and 500, and a dropped connection, recording each attempt", async () => {
    rig = await startRig({
      fake: {
        respond: scripted([
          overloaded,
          { status: 500, error: { type: "api_error", message: "Internal server error" } },
          { disconnect: true },
          { text: "finally" },
        ]),
      },
    });
    const message = await rig.client.messages.create(ask);
    expect(message.content[0]).toMatchObject({ text: "finally" });
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.attempts.map((a) => a.status)).toEqual([529, 500, 0, 200]);
    expect(exchange.attempts[0].error).toBe("529 overloaded_error: Overloaded");
    expect(exchange.attempts[1].error).toBe("500 api_error: Internal server error");
    expect(exchange.attempts[2].error).toMatch(/socket hang up|ECONNRESET/);
    // Backoff (retryBaseMs 5 in the rig) doubles: [2.5, 5], [5, 10], [10, 20] ms.
    expect(exchange.attempts[0].retryAfterMs).toBeGreaterThanOrEqual(2);
    expect(exchange.attempts[2].retryAfterMs).toBeGreaterThanOrEqual(10);
    expect(rig.fake.requests).toHaveLength(4);
  });

  it("gives up after maxRetries with the final error recorded, and the SDK does not retry on top", async () => {
    rig = await startRig({ fake: { respond: () => overloaded }, proxy: { maxRetries: 2 } });
    // The SDK's own default (2 retries) stays on: the proxy's x-should-retry: false must stop it.
    const error = await rig.client.messages.create(ask).catch((e) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect(error.status).toBe(529);
    expect(error.message).toContain("Overloaded");
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.attempts.map((a) => a.status)).toEqual([529, 529, 529]);
    expect(exchange.attempts[2].retryAfterMs).toBeUndefined();
    expect(exchange.response).toMatchObject({
      status: 529,
      body: { type: "error", error: { type: "overloaded_error" } },
    });
    expect(exchange.error).toBe("529 overloaded_error: Overloaded");
    expect(rig.fake.requests).toHaveLength(3);
    expect(rig.exchanges).toHaveLength(1);
  });

  it("passes a very long retry-after straight back instead of stalling the task run", async () => {
    rig = await startRig({
      fake: { respond: scripted([rateLimited({ "retry-after": "120" })]) },
      proxy: { maxRetryAfterMs: 1000 },
    });
    const error = await rig.client.messages.create(ask).catch((e) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.attempts).toHaveLength(1);
    expect(exchange.response.headers?.["retry-after"]).toBe("120");
    expect(rig.fake.requests).toHaveLength(1);
  });

  it("answers 502 in words when the upstream cannot be reached at all", async () => {
    const closedPort = await refusedPort();
    const exchanges: Exchange[] = [];
    const proxy = await startRecordingProxy({
      upstreamUrl: `http://127.0.0.1:${closedPort}`,
      apiKey: "k",
      maxRetries: 1,
      retryBaseMs: 1,
      onExchange: (e) => void exchanges.push(e),
    });
    try {
      const credential = newCredential();
      proxy.register(credential, { taskRunId: "r" });
      const client = new Anthropic({ baseURL: proxy.url, apiKey: credential });
      const error = await client.messages.create(ask).catch((e) => e);
      expect(error).toBeInstanceOf(InternalServerError);
      expect(error.status).toBe(502);
      expect(error.message).toMatch(
        /Could not reach the model API at http:\/\/127\.0\.0\.1:\d+ after 2 attempts: .*ECONNREFUSED/,
      );
      await proxy.close(); // waits for the recording
      expect(exchanges).toHaveLength(1);
      expect(exchanges[0].attempts.map((a) => a.status)).toEqual([0, 0]);
      expect(exchanges[0].error).toMatch(/ECONNREFUSED/);
    } finally {
      await proxy.close();
    }
  });
});
