// Streaming through the proxy: passed through as it arrives, reassembled whole, raw SSE kept.
import { APIError, APIUserAbortError } from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { scripted, type FakeMessageReply } from "../../fakes/anthropic-server.ts";
import { startRig, type Rig } from "./rig.ts";

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const ask = {
  model: "claude-haiku-4-5",
  max_tokens: 512,
  messages: [{ role: "user" as const, content: "What's the weather in Paris?" }],
};

const richReply: FakeMessageReply = {
  content: [
    { type: "thinking", thinking: "I should check the weather tool before answering.", signature: "sig-123" },
    { type: "text", text: "Let me check the forecast for Paris." },
    {
      type: "tool_use",
      id: "toolu_01",
      name: "get_weather",
      input: { city: "Paris", days: 3, units: { temperature: "celsius" } },
    },
  ],
  usage: { input_tokens: 900, output_tokens: 120 },
};

const withTimeout = <T>(promise: Promise<T>, ms: number, what: string) =>
  Promise.race([
    promise,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms)),
  ]);

describe("recording proxy: streams", () => {
  it("messages.stream(): text arrives in deltas and the exchange holds the whole message and raw SSE", async () => {
    rig = await startRig({
      fake: { respond: scripted([{ text: "The forecast for Paris is sunny with a light breeze all week." }]) },
    });
    const deltas: string[] = [];
    const stream = rig.client.messages.stream(ask).on("text", (delta) => deltas.push(delta));
    const final = await stream.finalMessage();
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.join("")).toBe("The forecast for Paris is sunny with a light breeze all week.");

    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.stream).toBe(true);
    expect(exchange.response.status).toBe(200);
    const { parsed_output: _sdkOnly, ...wire } = final as typeof final & { parsed_output?: unknown };
    expect(exchange.response.body).toEqual(JSON.parse(JSON.stringify(wire)));
    expect(exchange.response.rawStream).toMatch(/^event: message_start\ndata: /);
    expect(exchange.response.rawStream).toContain("event: ping");
    expect(exchange.response.rawStream?.match(/"text_delta"/g)?.length).toBe(deltas.length);
    expect(exchange.response.rawStream).toMatch(/event: message_stop\ndata: \{"type":"message_stop"\}\n\n$/);
    expect(exchange.usage?.output_tokens).toBe(final.usage.output_tokens);
    expect(exchange.stopReason).toBe("end_turn");
    expect(exchange.responseId).toBe(final.id);
    expect(exchange.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);
    expect(exchange.timeToFirstTokenMs).toBeLessThanOrEqual(exchange.durationMs);
    expect(exchange.error).toBeUndefined();
  });

  it("create({ stream: true }): thinking, text and tool_use input are reassembled whole", async () => {
    rig = await startRig({ fake: { respond: scripted([richReply]) } });
    const stream = await rig.client.messages.create({ ...ask, stream: true });
    const types: string[] = [];
    let json = "";
    for await (const event of stream) {
      types.push(event.type === "content_block_delta" ? event.delta.type : event.type);
      if (event.type === "content_block_delta" && event.delta.type === "input_json_delta")
        json += event.delta.partial_json;
    }
    expect(types).toContain("thinking_delta");
    expect(types).toContain("signature_delta");
    expect(types.filter((t) => t === "input_json_delta").length).toBeGreaterThan(3);
    expect(JSON.parse(json)).toEqual(
      richReply.content![2]!.type === "tool_use" ? { city: "Paris", days: 3, units: { temperature: "celsius" } } : null,
    );

    const [exchange] = await rig.waitForExchanges(1);
    const body = exchange.response.body as any;
    expect(body.content).toEqual([
      { type: "thinking", thinking: "I should check the weather tool before answering.", signature: "sig-123" },
      { type: "text", text: "Let me check the forecast for Paris.", citations: null },
      {
        type: "tool_use",
        id: "toolu_01",
        name: "get_weather",
        input: { city: "Paris", days: 3, units: { temperature: "celsius" } },
        caller: { type: "direct" },
      },
    ]);
    expect(body.stop_reason).toBe("tool_use");
    expect(exchange.stopReason).toBe("tool_use");
    expect(exchange.usage).toMatchObject({ input_tokens: 900, output_tokens: 120 });
    expect(exchange.costUsd).toBeCloseTo((900 * 1 + 120 * 5) / 1e6, 12);
    expect(rig.proxy.usage(rig.credential)?.tokens).toBe(1020);
  });

  it("passes events through as they arrive, without waiting for the end of the stream", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    // message_start, content_block_start, first text delta; then the fake holds the rest.
    rig = await startRig({
      fake: {
        respond: scripted([{ text: "first second third fourth fifth sixth", pause: { afterEvents: 3, until: held } }]),
      },
    });
    const stream = rig.client.messages.stream(ask);
    const firstText = new Promise<string>((resolve) => stream.once("text", resolve));
    try {
      expect(await withTimeout(firstText, 3_000, "the first delta while upstream is paused")).toBe("first second ");
      expect(rig.exchanges).toHaveLength(0); // still in flight
    } finally {
      release();
    }
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: "text", text: "first second third fourth fifth sixth", citations: null }]);
    await rig.waitForExchanges(1);
  });

  it("keeps the raw SSE exactly as the client received it", async () => {
    rig = await startRig({ fake: { respond: scripted([richReply]) } });
    const res = await fetch(`${rig.proxy.url}/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": rig.credential, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ ...ask, stream: true }),
    });
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const received = await res.text();
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.response.rawStream).toBe(received);
  });

  it("records an error event that arrives mid-stream; no retry once the client has data", async () => {
    rig = await startRig({
      fake: {
        respond: scripted([{ text: "one two three four five six", interrupt: { afterEvents: 4, with: "error" } }]),
      },
    });
    const stream = rig.client.messages.stream(ask);
    const error = await stream.finalMessage().catch((e) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(String(error.message)).toContain("Overloaded");

    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.error).toBe("Stream error: overloaded_error: Overloaded");
    expect(exchange.attempts).toHaveLength(1);
    expect(rig.fake.requests).toHaveLength(1);
    expect((exchange.response.body as any).content[0].text).toBe("one two three four ");
    expect(exchange.response.rawStream).toContain("event: error");
  });

  it("retries a stream that fails before the client saw a byte", async () => {
    rig = await startRig({
      fake: {
        respond: scripted([
          { text: "never sent", interrupt: { afterEvents: 0, with: "error" } },
          { text: "never sent either", interrupt: { afterEvents: 0, with: "disconnect" } },
          { text: "third time lucky" },
        ]),
      },
    });
    const final = await rig.client.messages.stream(ask).finalMessage();
    expect(final.content[0]).toMatchObject({ text: "third time lucky" });
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.attempts.map((a) => a.status)).toEqual([200, 200, 200]);
    expect(exchange.attempts[0].error).toBe("Stream error before any data: overloaded_error: Overloaded");
    expect(exchange.attempts[1].error).toMatch(/before any data/);
    expect(exchange.attempts[2].error).toBeUndefined();
    expect(exchange.error).toBeUndefined();
    expect(exchange.response.rawStream).not.toContain("never sent");
    expect(rig.fake.requests).toHaveLength(3);
  });

  it("tells the client in words when upstream drops mid-stream, and records the partial answer", async () => {
    rig = await startRig({
      fake: {
        respond: scripted([
          { text: "alpha beta gamma delta epsilon", interrupt: { afterEvents: 4, with: "disconnect" } },
        ]),
      },
    });
    const error = await rig.client.messages
      .stream(ask)
      .finalMessage()
      .catch((e) => e);
    expect(error).toBeInstanceOf(APIError);
    expect(String(error.message)).toMatch(/lost mid-stream/);
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.error).toMatch(/^Connection to the model API lost mid-stream/);
    expect((exchange.response.body as any).content[0].text).toBe("alpha beta gamma delta ");
    expect(rig.fake.requests).toHaveLength(1);
  });

  it("records a stream the client abandoned, with what arrived until then", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    rig = await startRig({
      fake: { respond: scripted([{ text: "partial answer then more text", pause: { afterEvents: 3, until: held } }]) },
    });
    const stream = rig.client.messages.stream(ask);
    const outcome = stream.finalMessage().catch((e) => e);
    try {
      await withTimeout(new Promise((resolve) => stream.once("text", resolve)), 3_000, "the first delta");
      stream.abort();
      expect(await outcome).toBeInstanceOf(APIUserAbortError);
      const [exchange] = await rig.waitForExchanges(1);
      expect(exchange.error).toMatch(/^Aborted mid-stream: the client disconnected/);
      expect((exchange.response.body as any).content[0].text).toBe("partial answer ");
    } finally {
      release();
    }
  });
});
