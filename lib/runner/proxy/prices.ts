// Model prices, so each exchange can carry its cost and the frontier can weigh score against spend.
//
// Rows match model ids by prefix (longest first, at a "-" / "@" boundary), so dated ids such as
// `claude-sonnet-4-5-20250929` find the `claude-sonnet-4-5` row. Overrides (the `ModelPrice`
// table, loaded by lib/prices/overrides.ts) are searched before the built-in rows: a person who
// typed a price for a family means it for the whole family. Unknown models say `priced: false`:
// callers store their cost as null and show "unpriced", never a misleading $0.
//
// Where a row leaves cache rates out, Anthropic's standard multipliers apply: a 5-minute cache
// write is 1.25x the input rate, a 1-hour write 2x, a cache read 0.1x.
// Source: platform.claude.com/docs/en/about-claude/pricing and the model overview pages (Nov 2026).

import type { TokenUsage } from "./types.ts";

/** USD per million tokens. */
export interface PriceRates {
  inputPerMTok: number;
  outputPerMTok: number;
  /** 5-minute cache write. */
  cacheWritePerMTok?: number;
  cacheWrite1hPerMTok?: number;
  cacheReadPerMTok?: number;
}

export interface PriceRow extends PriceRates {
  /** A model id or id prefix, e.g. "claude-opus-4-5". */
  model: string;
  /**
   * Some models bill a whole request at higher rates once its prompt (input + cache reads +
   * cache writes) passes a threshold (Haiku 5.5 above 100K, Sonnet 4/4.5 above 200K).
   */
  longPrompt?: PriceRates & { aboveTokens: number };
}

/** The shape of a row of the `ModelPrice` table. */
export interface PriceOverride {
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheWritePerMTok?: number | null;
  cacheReadPerMTok?: number | null;
}

export interface Cost {
  usd: number;
  priced: boolean;
  /** The row that matched, for display ("priced as claude-opus-4-5"). */
  priceModel?: string;
}

const r = (model: string, inputPerMTok: number, outputPerMTok: number, extra: Partial<PriceRow> = {}): PriceRow => ({
  model,
  inputPerMTok,
  outputPerMTok,
  ...extra,
});

export const BUILT_IN_PRICES: readonly PriceRow[] = [
  // Claude 5 generation. Mythos shares Fable's prices.
  r("claude-fable-5-2", 8, 40, { cacheReadPerMTok: 0.2 }),
  r("claude-mythos-5-2", 8, 40, { cacheReadPerMTok: 0.2 }),
  r("claude-fable-5-1", 10, 50, { cacheReadPerMTok: 0.25 }),
  r("claude-mythos-5-1", 10, 50, { cacheReadPerMTok: 0.25 }),
  r("claude-fable-5", 10, 50),
  r("claude-mythos-5", 10, 50),
  r("claude-opus-5-5", 4, 20, { cacheReadPerMTok: 0.2 }),
  r("claude-opus-5", 5, 25),
  r("claude-sonnet-5-5", 2, 10, { cacheReadPerMTok: 0.1 }),
  r("claude-sonnet-5", 2, 10),
  r("claude-haiku-5-5", 0.1, 0.5, { longPrompt: { aboveTokens: 100_000, inputPerMTok: 0.5, outputPerMTok: 2.5 } }),
  // Claude 4 generation: Opus dropped from $15/$75 to $5/$25 with 4.5.
  r("claude-opus-4-8", 5, 25),
  r("claude-opus-4-7", 5, 25),
  r("claude-opus-4-6", 5, 25),
  r("claude-opus-4-5", 5, 25),
  r("claude-opus-4-1", 15, 75),
  r("claude-opus-4", 15, 75), // claude-opus-4-0, claude-opus-4-20250514
  r("claude-sonnet-4-6", 3, 15),
  r("claude-sonnet-4-5", 3, 15, { longPrompt: { aboveTokens: 200_000, inputPerMTok: 6, outputPerMTok: 22.5 } }),
  r("claude-sonnet-4", 3, 15, { longPrompt: { aboveTokens: 200_000, inputPerMTok: 6, outputPerMTok: 22.5 } }),
  r("claude-haiku-4-5", 1, 5),
  // Claude 3 generation.
  r("claude-3-7-sonnet", 3, 15),
  r("claude-3-5-sonnet", 3, 15),
  r("claude-3-5-haiku", 0.8, 4, { cacheWritePerMTok: 1, cacheWrite1hPerMTok: 1.6, cacheReadPerMTok: 0.08 }),
  r("claude-3-opus", 15, 75),
  r("claude-3-sonnet", 3, 15),
  r("claude-3-haiku", 0.25, 1.25, { cacheWritePerMTok: 0.3, cacheWrite1hPerMTok: 0.5, cacheReadPerMTok: 0.03 }),
];

let overrides: PriceRow[] = [];

/** Replaces the override rows (call again whenever the `ModelPrice` table changes). */
export function setPriceOverrides(rows: readonly PriceOverride[]): void {
  overrides = rows.map((row) => ({
    model: row.model,
    inputPerMTok: row.inputPerMTok,
    outputPerMTok: row.outputPerMTok,
    cacheWritePerMTok: row.cacheWritePerMTok ?? undefined,
    cacheReadPerMTok: row.cacheReadPerMTok ?? undefined,
  }));
}

function matches(model: string, prefix: string): boolean {
  if (!model.startsWith(prefix)) return false;
  const next = model.charAt(prefix.length);
  // A boundary, so "claude-opus-4-1" never matches "claude-opus-4-10".
  return next === "" || next === "-" || next === "@" || next === "[";
}

function longestMatch(rows: readonly PriceRow[], model: string): PriceRow | undefined {
  let best: PriceRow | undefined;
  for (const row of rows) {
    const prefix = row.model.toLowerCase();
    if (matches(model, prefix) && (!best || prefix.length > best.model.length)) best = row;
  }
  return best;
}

/** The price row for a model id, overrides first; undefined when the model is unknown. */
export function priceFor(model: string): PriceRow | undefined {
  const id = model.trim().toLowerCase();
  if (!id) return undefined;
  return longestMatch(overrides, id) ?? longestMatch(BUILT_IN_PRICES, id);
}

/** What one response cost. Unknown models: `priced: false` (and `usd` 0, which callers must not show). */
export function costUsd(model: string | undefined, usage: TokenUsage | undefined): Cost {
  const row = model ? priceFor(model) : undefined;
  if (!row) return { usd: 0, priced: false };
  if (!usage) return { usd: 0, priced: true, priceModel: row.model };

  const input = usage.input_tokens ?? 0;
  const output = usage.output_tokens ?? 0;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  // The split by lifetime, when reported; otherwise every write is a 5-minute one.
  const write1h = Math.min(cacheWrite, usage.cache_creation?.ephemeral_1h_input_tokens ?? 0);
  const write5m = cacheWrite - write1h;

  const prompt = input + cacheRead + cacheWrite;
  const rates: PriceRates = row.longPrompt && prompt > row.longPrompt.aboveTokens ? row.longPrompt : row;
  const perMTok =
    input * rates.inputPerMTok +
    output * rates.outputPerMTok +
    write5m * (rates.cacheWritePerMTok ?? rates.inputPerMTok * 1.25) +
    write1h * (rates.cacheWrite1hPerMTok ?? rates.inputPerMTok * 2) +
    cacheRead * (rates.cacheReadPerMTok ?? rates.inputPerMTok * 0.1);
  return { usd: perMTok / 1_000_000, priced: true, priceModel: row.model };
}
