// Non-streaming calls, count_tokens, authentication and the key swap, all over real HTTP with the SDK.
import Anthropic, { AuthenticationError, BadRequestError, NotFoundError } from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { costUsd } from "../../../lib/runner/proxy/prices.ts";
import { newCredential } from "../../../lib/runner/proxy/index.ts";
import { scripted } from "../../fakes/anthropic-server.ts";
import { REAL_KEY, startRig, type Rig } from "./rig.ts";

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

describe("recording proxy: messages", () => {
  it("forwards a call and records request, response, usage and cost in full", async () => {
    rig = await startRig({
      fake: {
        respond: scripted([
          {
            text: "Paris is the capital of France.",
            model: "claude-sonnet-4-6-20260217",
            usage: { input_tokens: 1200, output_tokens: 80, cache_read_input_tokens: 300 },
          },
        ]),
      },
      attribution: { taskRunId: "run_7", evaluationId: "eval_3" },
    });
    const params = {
      model: "claude-sonnet-4-6",
      max_tokens: 256,
      system: "Answer briefly.",
      messages: [{ role: "user" as const, content: "What is the capital of France?" }],
    };
    const message = await rig.client.messages.create(params);
    expect(message.content).toEqual([{ type: "text", text: "Paris is the capital of France.", citations: null }]);

    const [exchange] = await rig.waitForExchanges(1);
    const { attribution } = rig.exchanges[0];
    expect(attribution).toMatchObject({ taskRunId: "run_7", evaluationId: "eval_3" });
    expect(exchange.operation).toBe("messages");
    expect(exchange.stream).toBe(false);
    expect(exchange.request.body).toEqual(params);
    expect(exchange.response.status).toBe(200);
    expect(exchange.response.body).toEqual(JSON.parse(JSON.stringify(message)));
    expect(exchange.response.headers?.["request-id"]).toMatch(/^req_/);
    expect(exchange.requestModel).toBe("claude-sonnet-4-6");
    expect(exchange.model).toBe("claude-sonnet-4-6-20260217");
    expect(exchange.responseId).toBe(message.id);
    expect(exchange.stopReason).toBe("end_turn");
    expect(exchange.usage).toMatchObject({
      input_tokens: 1200,
      output_tokens: 80,
      cache_read_input_tokens: 300,
      cache_creation_input_tokens: 0,
    });
    expect(exchange.costUsd).toBeCloseTo((1200 * 3 + 80 * 15 + 300 * 0.3) / 1e6, 12);
    expect(exchange.priced).toBe(true);
    expect(exchange.attempts).toEqual([{ status: 200, durationMs: expect.any(Number) }]);
    expect(exchange.error).toBeUndefined();
    expect(exchange.startedAt).toBeInstanceOf(Date);
    expect(exchange.durationMs).toBeGreaterThanOrEqual(0);
    // Budgets count every token: cache reads too.
    expect(rig.proxy.usage(rig.credential)).toMatchObject({
      tokens: 1580,
      inputTokens: 1200,
      outputTokens: 80,
      cacheReadInputTokens: 300,
      requests: 1,
    });
  });

  it("swaps the credential for the real key: the credential never reaches upstream or the trace", async () => {
    rig = await startRig();
    await rig.client.messages.create(
      { model: "claude-haiku-4-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] },
      { headers: { "anthropic-beta": "fine-grained-tool-streaming-2025-05-14", "x-custom-leak": "nope" } },
    );
    const [exchange] = await rig.waitForExchanges(1);
    const upstream = rig.fake.requests[0];
    expect(upstream.headers["x-api-key"]).toBe(REAL_KEY);
    expect(upstream.headers["anthropic-version"]).toBeTruthy();
    expect(upstream.headers["anthropic-beta"]).toBe("fine-grained-tool-streaming-2025-05-14");
    expect(upstream.headers["content-type"]).toContain("application/json");
    expect(upstream.headers["x-custom-leak"]).toBeUndefined();
    expect(upstream.headers.authorization).toBeUndefined();
    expect(JSON.stringify(upstream)).not.toContain(rig.credential);
    // The trace keeps the client's headers, minus any secret.
    expect(exchange.request.headers["anthropic-beta"]).toBe("fine-grained-tool-streaming-2025-05-14");
    expect(exchange.request.headers["x-api-key"]).toBeUndefined();
    expect(JSON.stringify(exchange)).not.toContain(rig.credential);
    expect(JSON.stringify(exchange)).not.toContain(REAL_KEY);
  });

  it("accepts the credential as a Bearer token, and sends no key upstream when none is configured", async () => {
    rig = await startRig({ fake: { requireApiKey: undefined }, proxy: { apiKey: null } });
    const bearer = new Anthropic({ baseURL: rig.proxy.url, authToken: rig.credential });
    await bearer.messages.create({
      model: "claude-haiku-4-5",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    const upstream = rig.fake.requests[0];
    expect(upstream.headers["x-api-key"]).toBeUndefined();
    expect(upstream.headers.authorization).toBeUndefined();
  });

  it("answers count_tokens and records it without charging tokens", async () => {
    rig = await startRig({ fake: { countTokens: () => 1234 } });
    const count = await rig.client.messages.countTokens({
      model: "claude-sonnet-4-6",
      messages: [{ role: "user", content: "count me" }],
    });
    expect(count.input_tokens).toBe(1234);
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.operation).toBe("count_tokens");
    expect(exchange.response).toMatchObject({ status: 200, body: { input_tokens: 1234 } });
    expect(exchange.usage).toBeUndefined();
    expect(rig.fake.requests[0].path).toBe("/v1/messages/count_tokens");
    expect(rig.proxy.usage(rig.credential)?.tokens).toBe(0);
  });

  it("refuses an unknown credential with 401 authentication_error and forwards nothing", async () => {
    rig = await startRig();
    const stranger = new Anthropic({ baseURL: rig.proxy.url, apiKey: newCredential(), maxRetries: 0 });
    const error = await stranger.messages
      .create({ model: "claude-haiku-4-5", max_tokens: 10, messages: [{ role: "user", content: "hi" }] })
      .catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.error).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(rig.fake.requests).toHaveLength(0);

    // A credential stops working once unregistered.
    const used = rig.proxy.unregister(rig.credential);
    expect(used).toMatchObject({ requests: 0 });
    await expect(
      rig.client.messages.create({
        model: "claude-haiku-4-5",
        max_tokens: 10,
        messages: [{ role: "user", content: "hi" }],
      }),
    ).rejects.toBeInstanceOf(AuthenticationError);
    expect(rig.exchanges).toHaveLength(0);
  });

  it("answers other routes with a 404 in Anthropic's error shape", async () => {
    rig = await startRig();
    await expect(rig.client.models.list()).rejects.toBeInstanceOf(NotFoundError);
    const res = await fetch(`${rig.proxy.url}/v1/complete`, {
      method: "POST",
      headers: { "x-api-key": rig.credential },
      body: "{}",
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      type: "error",
      error: { type: "not_found_error", message: expect.stringContaining("/v1/complete") },
    });
  });

  it("refuses an oversized body with 413 and a bad body with 400, recording the latter", async () => {
    rig = await startRig({ proxy: { maxBodyBytes: 1024 } });
    const big = await fetch(`${rig.proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": rig.credential, "content-type": "application/json" },
      body: JSON.stringify({ model: "m", max_tokens: 1, messages: [{ role: "user", content: "x".repeat(4096) }] }),
    });
    expect(big.status).toBe(413);
    expect(await big.json()).toMatchObject({
      error: { type: "request_too_large", message: expect.stringContaining("1024 bytes") },
    });

    const bad = await rig.client.messages
      .create({ model: "m", max_tokens: 1, messages: [] }, { body: "not json" as never, maxRetries: 0 })
      .catch((e) => e);
    expect(bad).toBeInstanceOf(BadRequestError);
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.error).toContain("JSON object");
    expect(exchange.request.body).toBe("not json");
    expect(rig.fake.requests).toHaveLength(0);
  });

  it("passes a non-retryable upstream error through and records it", async () => {
    rig = await startRig({
      fake: {
        respond: scripted([
          { status: 400, error: { type: "invalid_request_error", message: "max_tokens: Field required" } },
        ]),
      },
    });
    const error = await rig.client.messages
      .create({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "hi" }] } as never)
      .catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.message).toContain("max_tokens: Field required");
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.response.status).toBe(400);
    expect(exchange.error).toBe("400 invalid_request_error: max_tokens: Field required");
    expect(exchange.attempts).toHaveLength(1);
    expect(rig.fake.requests).toHaveLength(1);
  });

  it("marks models without a price as unpriced", async () => {
    rig = await startRig();
    await rig.client.messages.create({
      model: "claude-unreleased-9",
      max_tokens: 10,
      messages: [{ role: "user", content: "hi" }],
    });
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange).toMatchObject({ model: "claude-unreleased-9", priced: false });
    expect(exchange.costUsd).toBeUndefined(); // unknown, not $0
    expect(costUsd("claude-unreleased-9", exchange.usage).priced).toBe(false);
  });
});
