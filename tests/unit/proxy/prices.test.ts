import { afterEach, describe, expect, it } from "vitest";
import { costUsd, priceFor, setPriceOverrides } from "../../../lib/runner/proxy/prices.ts";

const M = 1_000_000;

describe("prices", () => {
  afterEach(() => setPriceOverrides([]));

  it("matches dated ids by the longest prefix, at a boundary", () => {
    expect(priceFor("claude-opus-4-5-20251101")?.model).toBe("claude-opus-4-5");
    expect(priceFor("claude-opus-4-1-20250805")?.model).toBe("claude-opus-4-1");
    expect(priceFor("claude-opus-4-20250514")?.model).toBe("claude-opus-4");
    expect(priceFor("claude-sonnet-4-6")?.model).toBe("claude-sonnet-4-6");
    expect(priceFor("claude-3-5-haiku-20241022")?.model).toBe("claude-3-5-haiku");
    expect(priceFor("claude-haiku-4-5-20251001")?.inputPerMTok).toBe(1);
    // "claude-opus-4-1" must not price a hypothetical "claude-opus-4-10" as 4.1.
    expect(priceFor("claude-opus-4-10")?.model).toBe("claude-opus-4");
  });

  it("prices input, output and both cache kinds", () => {
    // Sonnet 4.5: $3 in, $15 out, 5m write 1.25x = $3.75, 1h write 2x = $6, read 0.1x = $0.30.
    const cost = costUsd("claude-sonnet-4-5-20250929", {
      input_tokens: 100_000,
      output_tokens: 10_000,
      cache_creation_input_tokens: 5_000,
      cache_read_input_tokens: 20_000,
      cache_creation: { ephemeral_5m_input_tokens: 3_000, ephemeral_1h_input_tokens: 2_000 },
    });
    expect(cost).toMatchObject({ priced: true, priceModel: "claude-sonnet-4-5" });
    expect(cost.usd).toBeCloseTo((100_000 * 3 + 10_000 * 15 + 3_000 * 3.75 + 2_000 * 6 + 20_000 * 0.3) / M, 12);
  });

  it("bills a whole request at long-context rates once its prompt passes the threshold", () => {
    // Sonnet 4.5 above 200K prompt tokens: $6 in, $22.50 out.
    expect(costUsd("claude-sonnet-4-5", { input_tokens: M, output_tokens: M }).usd).toBeCloseTo(6 + 22.5, 9);
    // Sonnet 4.6 has no surcharge.
    expect(costUsd("claude-sonnet-4-6", { input_tokens: M, output_tokens: M }).usd).toBeCloseTo(3 + 15, 9);
  });

  it("uses explicit cache rates where the family differs from the multipliers", () => {
    expect(
      costUsd("claude-3-haiku-20240307", { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: M }).usd,
    ).toBeCloseTo(0.03, 9);
    expect(
      costUsd("claude-opus-5-5", { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: M }).usd,
    ).toBeCloseTo(0.2, 9);
  });

  it("switches to long-prompt rates above the threshold, counting cached tokens as prompt", () => {
    const small = costUsd("claude-haiku-5-5", { input_tokens: 50_000, output_tokens: 1000 });
    expect(small.usd).toBeCloseTo((50_000 * 0.1 + 1000 * 0.5) / M, 12);
    const large = costUsd("claude-haiku-5-5", {
      input_tokens: 20_000,
      output_tokens: 1000,
      cache_read_input_tokens: 90_000,
    });
    expect(large.usd).toBeCloseTo((20_000 * 0.5 + 1000 * 2.5 + 90_000 * 0.05) / M, 12);
  });

  it("flags unknown models as unpriced and charges nothing", () => {
    expect(costUsd("gpt-9", { input_tokens: 100, output_tokens: 100 })).toEqual({ usd: 0, priced: false });
    expect(costUsd(undefined, { input_tokens: 100, output_tokens: 100 }).priced).toBe(false);
  });

  it("lets overrides (the ModelPrice table) win over built-in rows, and replaces them on each call", () => {
    setPriceOverrides([{ model: "claude-opus-4", inputPerMTok: 1, outputPerMTok: 2, cacheReadPerMTok: null }]);
    expect(costUsd("claude-opus-4-5", { input_tokens: M, output_tokens: M }).usd).toBeCloseTo(3, 9);
    setPriceOverrides([{ model: "my-local-model", inputPerMTok: 0.5, outputPerMTok: 0.5 }]);
    expect(costUsd("claude-opus-4-5", { input_tokens: M, output_tokens: M }).usd).toBeCloseTo(30, 9);
    expect(costUsd("my-local-model-v2", { input_tokens: M, output_tokens: 0 })).toMatchObject({
      usd: 0.5,
      priced: true,
    });
  });
});
