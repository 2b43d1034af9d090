// Closing the proxy and a failing recorder: no exchange is lost, and no harness is left hanging.
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newCredential, startRecordingProxy, type Exchange } from "../../../lib/runner/proxy/index.ts";
import { scripted, startFakeAnthropic, type FakeAnthropic } from "../../fakes/anthropic-server.ts";

let fake: FakeAnthropic | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
  vi.restoreAllMocks();
});

const ask = { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user" as const, content: "hello" }] };

describe("recording proxy: lifecycle", () => {
  it("close() waits for onExchange to finish storing the last exchange", async () => {
    fake = await startFakeAnthropic();
    const stored: Exchange[] = [];
    const proxy = await startRecordingProxy({
      upstreamUrl: fake.url,
      apiKey: "k",
      onExchange: async (exchange) => {
        await new Promise((resolve) => setTimeout(resolve, 100)); // a slow database write
        stored.push(exchange);
      },
    });
    const credential = newCredential();
    proxy.register(credential, { taskRunId: "r" });
    await new Anthropic({ baseURL: proxy.url, apiKey: credential }).messages.create(ask);
    expect(stored).toHaveLength(0);
    await proxy.close();
    expect(stored).toHaveLength(1);
  });

  it("close() cuts off a stream still running after the grace period, and records it", async () => {
    fake = await startFakeAnthropic({
      respond: scripted([{ text: "a b c d e f", pause: { afterEvents: 3, until: new Promise(() => {}) } }]),
    });
    const stored: Exchange[] = [];
    const proxy = await startRecordingProxy({
      upstreamUrl: fake.url,
      apiKey: "k",
      closeGraceMs: 50,
      onExchange: (e) => void stored.push(e),
    });
    const credential = newCredential();
    proxy.register(credential, { taskRunId: "r" });
    const stream = new Anthropic({ baseURL: proxy.url, apiKey: credential, maxRetries: 0 }).messages.stream(ask);
    const outcome = stream.finalMessage().catch((e) => e);
    await new Promise((resolve) => stream.once("text", resolve));
    await proxy.close();
    expect(await outcome).toBeInstanceOf(Error);
    expect(stored).toHaveLength(1);
    expect(stored[0].error).toBe("Aborted mid-stream: the model proxy was closed");
    expect((stored[0].response.body as any).content[0].text).toBe("a b ");
  });

  it("a failing onExchange is logged without secrets and does not break the answer", async () => {
    fake = await startFakeAnthropic();
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const proxy = await startRecordingProxy({
      upstreamUrl: fake.url,
      apiKey: "sk-real-secret-key-xyz",
      onExchange: () => {
        throw new Error("database is down");
      },
    });
    const credential = newCredential();
    proxy.register(credential, { taskRunId: "r" });
    const message = await new Anthropic({ baseURL: proxy.url, apiKey: credential }).messages.create(ask);
    expect(message.content[0]).toMatchObject({ text: "Echo: hello" });
    await proxy.close();
    const output = logged.mock.calls.flat().join(" ");
    expect(output).toContain("database is down");
    expect(output).not.toContain("sk-real-secret-key-xyz");
    expect(output).not.toContain(credential);
  });

  it("binds to loopback only", async () => {
    await expect(startRecordingProxy({ onExchange: () => {}, host: "0.0.0.0" as "127.0.0.1" })).rejects.toThrow(
      /loopback/,
    );
    const proxy = await startRecordingProxy({ onExchange: () => {}, upstreamUrl: "http://127.0.0.1:9" });
    expect(proxy.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    await proxy.close();
  });
});

describe("whenRecorded(credential)", () => {
  it("resolves only once that credential's calls are recorded, even when recording is slow", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const recorded: string[] = [];
    const fake = await startFakeAnthropic({ respond: () => ({ text: "hi" }) });
    const proxy = await startRecordingProxy({
      upstreamUrl: fake.url,
      apiKey: "k",
      onExchange: async (exchange) => {
        await gate;
        recorded.push(exchange.operation);
      },
    });
    try {
      const credential = newCredential();
      proxy.register(credential, { taskRunId: "t" });
      await new Anthropic({ baseURL: proxy.url, apiKey: credential }).messages.create({
        model: "claude-sonnet-4-5",
        max_tokens: 5,
        messages: [{ role: "user", content: "x" }],
      });
      let settled = false;
      const settling = proxy.whenRecorded(credential).then(() => (settled = true));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toBe(false);
      release();
      await settling;
      expect(recorded).toEqual(["messages"]);
      await proxy.whenRecorded("never-used"); // a credential with nothing in flight is recorded at once
    } finally {
      release();
      await proxy.close();
      await fake.close();
    }
  });
});
