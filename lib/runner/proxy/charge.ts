// Turns a model's answer into the exchange's summary fields (model, ids, usage, cost) and
// counts its tokens against the credential.

import { costUsd } from "./prices.ts";
import type { Exchange, RegistryEntry, TokenUsage, UsageRecorder } from "./types.ts";

/** Copies the answer's model, usage, cost and ids into the exchange, and counts the tokens. */
export function chargeAnswer(
  registry: UsageRecorder,
  exchange: Exchange,
  entry: RegistryEntry,
  message: unknown,
): void {
  const m = (typeof message === "object" && message !== null ? message : {}) as Record<string, unknown>;
  exchange.model = typeof m.model === "string" ? m.model : exchange.requestModel;
  exchange.responseId = typeof m.id === "string" ? m.id : undefined;
  exchange.stopReason = typeof m.stop_reason === "string" ? m.stop_reason : undefined;
  exchange.usage = normalizeUsage(m.usage);
  const cost = costUsd(exchange.model, exchange.usage);
  // An unpriced call has no cost, not a cost of 0: the trace, the task run and budgets say so.
  exchange.costUsd = cost.priced ? cost.usd : undefined;
  exchange.priced = cost.priced;
  registry.record(entry, exchange.usage, cost.priced ? cost.usd : null, exchange.model);
}

function normalizeUsage(value: unknown): TokenUsage | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const u = value as Record<string, unknown>;
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);
  const usage: TokenUsage = { input_tokens: num(u.input_tokens) ?? 0, output_tokens: num(u.output_tokens) ?? 0 };
  const cacheWrite = num(u.cache_creation_input_tokens);
  const cacheRead = num(u.cache_read_input_tokens);
  if (cacheWrite !== undefined) usage.cache_creation_input_tokens = cacheWrite;
  if (cacheRead !== undefined) usage.cache_read_input_tokens = cacheRead;
  if (typeof u.cache_creation === "object" && u.cache_creation !== null) {
    const c = u.cache_creation as Record<string, unknown>;
    usage.cache_creation = {
      ephemeral_5m_input_tokens: num(c.ephemeral_5m_input_tokens),
      ephemeral_1h_input_tokens: num(c.ephemeral_1h_input_tokens),
    };
  }
  return usage;
}
