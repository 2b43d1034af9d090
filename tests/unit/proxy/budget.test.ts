// Budgets: a spent budget (tokens, cache included, or dollars) is refused before anything goes
// upstream, in words, and recorded; calls in flight cannot multiply the overshoot.
import Anthropic, { BadRequestError } from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { newBudget, newCredential } from "../../../lib/runner/proxy/index.ts";
import { costUsd } from "../../../lib/runner/proxy/prices.ts";
import type { Budget } from "../../../lib/runner/proxy/types.ts";
import { startRig, type Rig } from "./rig.ts";

let rig: Rig | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
});

const ask = { model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user" as const, content: "hello" }] };

const budget = (label: string, limit: { tokens?: number; usd?: number }, spent = { tokens: 0, usd: 0 }): Budget =>
  newBudget(label, limit, spent)!;

describe("recording proxy: budgets", () => {
  it("answers 400 with a message naming the budget, forwards nothing, and records why", async () => {
    rig = await startRig({
      attribution: {
        taskRunId: "run_9",
        budgets: [budget("task run", { tokens: 10_000 }, { tokens: 10_240, usd: 0 })],
      },
    });
    const error = await rig.client.messages.create(ask).catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    const expected =
      "Token budget exhausted: task run used 10240 of 10000 tokens, cache reads and writes included (set in the project's budgets)";
    expect(error.error).toEqual({ type: "error", error: { type: "invalid_request_error", message: expected } });
    expect(rig.fake.requests).toHaveLength(0);

    const [exchange] = await rig.waitForExchanges(1);
    expect(rig.exchanges[0].attribution.taskRunId).toBe("run_9");
    expect(exchange.error).toBe(expected);
    expect(exchange.attempts).toEqual([]);
    expect(exchange.response).toMatchObject({ status: 400, body: { error: { message: expected } } });
    expect(exchange.request.body).toEqual(ask);
  });

  it("checks every budget and names the one that is spent, in dollars when the dollars ran out", async () => {
    rig = await startRig({
      attribution: {
        taskRunId: "run_1",
        evaluationId: "eval_1",
        budgets: [
          budget("task run", { tokens: 1_000 }, { tokens: 10, usd: 0.01 }),
          budget("evaluation", { tokens: 50_000, usd: 0.5 }, { tokens: 100, usd: 0.52 }),
        ],
      },
    });
    const error = await rig.client.messages.create(ask).catch((e) => e);
    expect(error.message).toContain(
      "Dollar budget exhausted: evaluation spent $0.52 of $0.50 (set in the project's budgets)",
    );
    expect(rig.fake.requests).toHaveLength(0);
  });

  it("counts cache reads and writes as tokens, and prices each call, so the next call is refused", async () => {
    const usage = {
      input_tokens: 80,
      output_tokens: 40,
      cache_read_input_tokens: 500,
      cache_creation_input_tokens: 30,
    };
    rig = await startRig({ fake: { respond: () => ({ text: "ok", usage }) } });
    const credential = newCredential();
    const proxy = rig.proxy;
    const tokens = budget("task run", { tokens: 600 });
    const dollars = budget("evaluation", { usd: 1 });
    proxy.register(credential, { taskRunId: "run_2", budgets: [tokens, dollars] });
    const client = new Anthropic({ baseURL: proxy.url, apiKey: credential });

    await client.messages.create(ask);
    expect(proxy.usage(credential)).toMatchObject({
      tokens: 650,
      inputTokens: 80,
      outputTokens: 40,
      cacheReadInputTokens: 500,
      cacheCreationInputTokens: 30,
      requests: 1,
    });
    expect(tokens.spent.tokens).toBe(650);
    // Priced exactly: cache reads at a tenth of the input rate, writes at 1.25x.
    const price = costUsd("claude-haiku-4-5", usage).usd;
    expect(price).toBeCloseTo((80 * 1 + 40 * 5 + 500 * 0.1 + 30 * 1.25) / 1e6, 12);
    expect(dollars.spent.usd).toBeCloseTo(price, 12);
    await expect(client.messages.create(ask)).rejects.toThrow("task run used 650 of 600 tokens");
    // count_tokens costs nothing, so it stays open.
    await expect(client.messages.countTokens({ model: ask.model, messages: ask.messages })).resolves.toMatchObject({
      input_tokens: expect.any(Number),
    });
    expect(rig.fake.requests.map((r) => r.path)).toEqual(["/v1/messages", "/v1/messages/count_tokens"]);
    // Other credentials are counted apart.
    expect(proxy.usage(rig.credential)?.tokens).toBe(0);
    expect(proxy.unregister(credential)?.tokens).toBe(650);
    expect(proxy.usage(credential)).toBeUndefined();
  });

  it("holds calls that calls in flight would take past a shared budget, so concurrency does not multiply the overshoot", async () => {
    // Each answer costs $0.10 on claude-opus-4-1 ($15/MTok in, $75/MTok out).
    const usage = { input_tokens: 5_000, output_tokens: 333 };
    const perCall = costUsd("claude-opus-4-1", usage).usd;
    expect(perCall).toBeCloseTo(0.1, 2);
    rig = await startRig({ fake: { respond: () => ({ text: "ok", usage, delayMs: 40 }) } });
    const shared = budget("evaluation", { usd: 0.55 });
    const clients = Array.from({ length: 4 }, (_, lane) => {
      const credential = newCredential();
      rig!.proxy.register(credential, { taskRunId: `lane_${lane}`, budgets: [shared] });
      return new Anthropic({ baseURL: rig!.proxy.url, apiKey: credential, maxRetries: 0 });
    });
    const outcomes: string[] = [];
    // Four lanes, each calling until refused.
    await Promise.all(
      clients.map(async (client) => {
        for (;;) {
          try {
            await client.messages.create({ ...ask, model: "claude-opus-4-1" });
            outcomes.push("answered");
          } catch (error) {
            outcomes.push(String((error as Error).message));
            return;
          }
        }
      }),
    );
    const answered = outcomes.filter((outcome) => outcome === "answered").length;
    // Four answers ($0.40), then two more may go (the second crosses $0.55); the others wait and are refused.
    // Without the wait, all four lanes would pass the check at $0.40 and spend $0.80.
    expect(answered).toBe(6);
    expect(shared.spent.usd).toBeGreaterThanOrEqual(0.55);
    expect(shared.spent.usd).toBeLessThan(0.55 + perCall + 1e-9);
    expect(rig.fake.requests).toHaveLength(answered);
    const refusals = outcomes.filter((outcome) => outcome !== "answered");
    expect(refusals).toHaveLength(4);
    for (const refusal of refusals)
      expect(refusal).toContain("Dollar budget exhausted: evaluation spent $0.60 of $0.55");
  });

  it("refuses the next call under a dollar budget once a model without a price answered, and says why", async () => {
    const dollars = budget("evaluation", { usd: 5 });
    const tokens = budget("task run", { tokens: 1_000_000 });
    rig = await startRig({ attribution: { taskRunId: "run_u", budgets: [dollars, tokens] } });
    await rig.client.messages.create({ ...ask, model: "my-unknown-model" });
    expect(rig.fake.requests).toHaveLength(1);
    expect(dollars.spent.usd).toBe(0);
    expect(dollars.unpriced).toBe("the model my-unknown-model has no price");
    expect(tokens.spent.tokens).toBeGreaterThan(0);

    const error = await rig.client.messages.create({ ...ask, model: "my-unknown-model" }).catch((e) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.error.error.message).toMatch(
      /^Dollar budget cannot be enforced: evaluation has \$5\.00 but the model my-unknown-model has no price\. Add its price/,
    );
    expect(rig.fake.requests).toHaveLength(1); // nothing more went upstream
  });

  it("lets a token budget alone go on with a model without a price", async () => {
    const tokens = budget("task run", { tokens: 1_000_000 });
    rig = await startRig({ attribution: { taskRunId: "run_t", budgets: [tokens] } });
    await rig.client.messages.create({ ...ask, model: "my-unknown-model" });
    await rig.client.messages.create({ ...ask, model: "my-unknown-model" });
    expect(rig.fake.requests).toHaveLength(2);
  });
});
