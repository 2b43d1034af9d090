// The fake Anthropic server, straight from the SDK: other test suites rely on it behaving like the API.
import Anthropic, { AuthenticationError, BadRequestError, RateLimitError } from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { scripted, startFakeAnthropic, type FakeAnthropic } from "../../fakes/anthropic-server.ts";

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

const ask = { model: "claude-haiku-4-5", max_tokens: 100, messages: [{ role: "user" as const, content: "ping pong" }] };

describe("fake Anthropic server", () => {
  it("echoes by default with a complete message and estimated usage, and records the request", async () => {
    fake = await startFakeAnthropic();
    const client = new Anthropic({ baseURL: fake.url, apiKey: "anything" });
    const message = await client.messages.create({ ...ask, system: "be brief" });
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-haiku-4-5",
      content: [{ type: "text", text: "Echo: ping pong" }],
      stop_reason: "end_turn",
    });
    expect(message.id).toMatch(/^msg_/);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBe(Math.ceil("Echo: ping pong".length / 4));
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({
      method: "POST",
      path: "/v1/messages",
      body: { ...ask, system: "be brief" },
    });
    // SDK 1.x sends the key as a Bearer token; older ones used x-api-key.
    const { headers } = fake.requests[0];
    expect(headers["x-api-key"] ?? headers.authorization?.replace(/^Bearer /, "")).toBe("anything");
  });

  it("streams the real event sequence, which the SDK reassembles to the non-streamed message", async () => {
    const reply = {
      content: [
        { type: "thinking" as const, thinking: "think about the tool call first", signature: "s1" },
        { type: "text" as const, text: "I will call a tool now, one moment." },
        { type: "tool_use" as const, id: "toolu_x", name: "lookup", input: { query: "weather in Paris", limit: 5 } },
      ],
      id: "msg_same",
    };
    fake = await startFakeAnthropic({ respond: () => reply });
    const client = new Anthropic({ baseURL: fake.url, apiKey: "k" });
    const whole = await client.messages.create(ask);
    const events: string[] = [];
    const stream = client.messages.stream(ask).on("streamEvent", (e) => events.push(e.type));
    const final = await stream.finalMessage();
    const { parsed_output: _ignored, ...streamed } = final as typeof final & { parsed_output?: unknown };
    expect(streamed).toEqual(whole);
    expect(events[0]).toBe("message_start");
    expect(events.at(-2)).toBe("message_delta");
    expect(events.at(-1)).toBe("message_stop");
    expect(events.filter((e) => e === "content_block_start")).toHaveLength(3);
    expect(final.stop_reason).toBe("tool_use");
  });

  it("answers count_tokens with an estimate, or what the test says", async () => {
    fake = await startFakeAnthropic({ countTokens: (req) => (req.body.model === "big" ? 99_999 : 7) });
    const client = new Anthropic({ baseURL: fake.url, apiKey: "k" });
    expect(await client.messages.countTokens({ model: "big", messages: ask.messages })).toEqual({
      input_tokens: 99_999,
    });
    expect(await client.messages.countTokens({ model: "small", messages: ask.messages })).toEqual({ input_tokens: 7 });
  });

  it("plays scripted replies in order, errors included, and says so when the script runs out", async () => {
    fake = await startFakeAnthropic({
      respond: scripted([
        { status: 429, error: { type: "rate_limit_error", message: "slow down" }, headers: { "retry-after": "30" } },
        (req) => ({ text: `second, for ${req.body.model}` }),
      ]),
    });
    const client = new Anthropic({ baseURL: fake.url, apiKey: "k", maxRetries: 0 });
    const limited = await client.messages.create(ask).catch((e) => e);
    expect(limited).toBeInstanceOf(RateLimitError);
    expect(limited.headers.get("retry-after")).toBe("30");
    expect((await client.messages.create(ask)).content[0]).toMatchObject({ text: "second, for claude-haiku-4-5" });
    const exhausted = await client.messages.create(ask).catch((e) => e);
    expect(exhausted).toBeInstanceOf(BadRequestError);
    expect(exhausted.message).toContain("scripted replies exhausted");
  });

  it("checks the key when asked to, like the real API", async () => {
    fake = await startFakeAnthropic({ requireApiKey: "right" });
    const wrong = new Anthropic({ baseURL: fake.url, apiKey: "wrong" });
    await expect(wrong.messages.create(ask)).rejects.toBeInstanceOf(AuthenticationError);
    const right = new Anthropic({ baseURL: fake.url, apiKey: "right" });
    await expect(right.messages.create(ask)).resolves.toMatchObject({ type: "message" });
  });
});
