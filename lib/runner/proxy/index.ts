// The recording model proxy's public surface. The runner starts one proxy, registers a fresh
// credential per task run, and stores each recorded exchange as a trace event.
export {
  startRecordingProxy,
  DEFAULT_MAX_BODY_BYTES,
  type RecordingProxy,
  type RecordingProxyOptions,
} from "./server.ts";
export { newCredential } from "./credentials.ts";
export { budgetSpent, chargeBudgets, isBudgetRefusal, newBudget, tokensOf } from "./budget.ts";
export {
  costUsd,
  priceFor,
  setPriceOverrides,
  BUILT_IN_PRICES,
  type Cost,
  type PriceOverride,
  type PriceRow,
  type PriceRates,
} from "./prices.ts";
export { proxyClientOptions, unixSocketFetch } from "./client.ts";
export { MessageAssembler } from "./reassemble.ts";
export { accountRefusal, modelErrorInWords } from "./api-errors.ts";
export { SseParser, type SseEvent } from "./sse.ts";
export type {
  Attempt,
  Attribution,
  Budget,
  CredentialUsage,
  Exchange,
  Spend,
  OnExchange,
  Operation,
  TokenUsage,
} from "./types.ts";
