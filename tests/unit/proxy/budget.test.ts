// Token budgets: a spent budget is refused before anything goes upstream, in words, and recorded.
import Anthropic, { BadRequestError } from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { newCredential } from "../../../lib/runner/proxy/index.ts";
import { startRig, type Rig } from "./rig.ts";

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const ask = { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user" as const, content: "hello" }] };

describe("recording proxy: budgets", () => {
  it("answers 400 with a message naming the budget, forwards nothing, and records why", async () => {
    rig = await startRig({ attribution: { taskRunId: "run_9", budget: { maxTokens: 10_000, used: () => 10_240 } } });
    const error = await rig.client.messages.create(ask).catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    const expected = "Token budget exhausted: task run used 10240 of 10000 tokens (set in the project's budgets)";
    expect(error.error).toEqual({ type: "error", error: { type: "invalid_request_error", message: expected } });
    expect(rig.fake.requests).toHaveLength(0);

    const [exchange] = await rig.waitForExchanges(1);
    expect(rig.exchanges[0].attribution.taskRunId).toBe("run_9");
    expect(exchange.error).toBe(expected);
    expect(exchange.attempts).toEqual([]);
    expect(exchange.response).toMatchObject({ status: 400, body: { error: { message: expected } } });
    expect(exchange.request.body).toEqual(ask);
  });

  it("checks every budget and names the one that is spent", async () => {
    rig = await startRig({
      attribution: {
        taskRunId: "run_1",
        evaluationId: "eval_1",
        budgets: [
          { label: "task run", maxTokens: 1_000, used: () => 10 },
          { label: "evaluation", maxTokens: 50_000, used: () => 50_001 },
        ],
      },
    });
    const error = await rig.client.messages.create(ask).catch((e) => e);
    expect(error.message).toContain("Token budget exhausted: evaluation used 50001 of 50000 tokens");
  });

  it("counts tokens per credential, so a budget fed by proxy.usage() stops the next call", async () => {
    rig = await startRig({ fake: { respond: () => ({ text: "ok", usage: { input_tokens: 80, output_tokens: 40 } }) } });
    const credential = newCredential();
    const proxy = rig.proxy;
    proxy.register(credential, {
      taskRunId: "run_2",
      budget: { maxTokens: 100, used: () => proxy.usage(credential)?.tokens ?? 0 },
    });
    const client = new Anthropic({ baseURL: proxy.url, apiKey: credential });

    await client.messages.create(ask);
    expect(proxy.usage(credential)).toMatchObject({ tokens: 120, inputTokens: 80, outputTokens: 40, requests: 1 });
    await expect(client.messages.create(ask)).rejects.toThrow("task run used 120 of 100 tokens");
    // count_tokens costs nothing, so it stays open.
    await expect(client.messages.countTokens({ model: ask.model, messages: ask.messages })).resolves.toMatchObject({
      input_tokens: expect.any(Number),
    });
    expect(rig.fake.requests.map((r) => r.path)).toEqual(["/v1/messages", "/v1/messages/count_tokens"]);
    // Other credentials are counted apart.
    expect(proxy.usage(rig.credential)?.tokens).toBe(0);
    expect(proxy.unregister(credential)?.tokens).toBe(120);
    expect(proxy.usage(credential)).toBeUndefined();
  });
});
