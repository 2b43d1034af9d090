import { describe, expect, it } from "vitest";
import { formatCount, formatTokens } from "../../../lib/format.ts";

describe("formatCount", () => {
  it("groups digits as toLocaleString('en-US') does", () => {
    const values = [0, 7, 12, 999, 1000, 1234, 99_999, 100_000, 1_000_000, 12_345_678, Number.MAX_SAFE_INTEGER];
    for (const value of [...values, ...values.map((value) => -value).filter(Boolean)])
      expect(formatCount(value)).toBe(value.toLocaleString("en-US"));
  });

  it("leaves fractions and numbers past the safe range to Intl", () => {
    for (const value of [1234.5678, -0.5, 1e21, Number.NaN, Number.POSITIVE_INFINITY])
      expect(formatCount(value)).toBe(value.toLocaleString("en-US"));
  });

  it("is what formatTokens shows under ten thousand", () => {
    expect(formatTokens(8110)).toBe("8,110");
    expect(formatTokens(12_400)).toBe("12k");
  });
});
