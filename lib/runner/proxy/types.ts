// The shapes the recording proxy shares with the runner: who a request belongs to
// (attribution), what it may spend (budgets), and what gets recorded (exchanges); and the ones
// its own modules share (an exchange's context and request), kept here so they import no module
// that imports them back.

import type { IncomingHttpHeaders } from "node:http";
import type { RateGate } from "./rate-gate.ts";
import type { RetryPolicy } from "./retry.ts";
import type { Upstream } from "./upstream.ts";

/** Spending as budgets count it: every token of a call (input, output, cache writes and cache reads), and dollars. */
export interface Spend {
  tokens: number;
  usd: number;
}

/**
 * A limit in tokens, dollars or both, and what has been spent against it. The runner makes it,
 * starting `spent` at what was spent before this run (an iteration's earlier evaluations); the
 * proxy adds every answered call of a credential to each of its budgets, and refuses the next
 * call once one is spent. One budget may be shared by many credentials (an evaluation's).
 */
export interface Budget {
  /** Named in the error the harness sees ("evaluation spent $0.52 of $0.50"). */
  label: string;
  maxTokens?: number;
  maxUsd?: number;
  spent: Spend;
  /**
   * Why dollars cannot be counted for this budget: a call was answered by a model with no price
   * (or earlier spending it starts from was unpriced). A dollar budget then refuses the next
   * call rather than count that call as $0.
   */
  unpriced?: string;
}

/** What the runner knows about the holder of a credential; handed back with every exchange. */
export interface Attribution {
  taskRunId?: string;
  evaluationId?: string;
  iterationId?: string;
  budgets?: Budget[];
  /**
   * The model this holder's calls go to: a request naming another is rewritten to it (and the
   * exchange keeps the name it asked for in `harnessModel`). Absent: the request's own model.
   */
  model?: string;
}

/** Token counts as the Messages API reports them (`usage`). */
export interface TokenUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
  /** Split of cache writes by lifetime; 1-hour writes cost more than 5-minute ones. */
  cache_creation?: { ephemeral_5m_input_tokens?: number; ephemeral_1h_input_tokens?: number };
}

/** One upstream try of an exchange. `status` 0 means no HTTP answer (connection error). */
export interface Attempt {
  status: number;
  durationMs: number;
  error?: string;
  /** How long the proxy waited after this attempt before the next one. */
  retryAfterMs?: number;
}

export type Operation = "messages" | "count_tokens";

/** One model request and its answer, recorded in full for the trace. */
export interface Exchange {
  operation: Operation;
  startedAt: Date;
  durationMs: number;
  /** Streams only: from the start of the exchange to the first content delta. */
  timeToFirstTokenMs?: number;
  /** The client asked for `stream: true`. */
  stream: boolean;
  request: {
    /** Parsed JSON; the raw text when it was not JSON. */
    body: unknown;
    /** The client's headers, without credentials. */
    headers: Record<string, string>;
  };
  response: {
    status: number;
    /** Parsed JSON; for streams the message reassembled whole from the SSE events. */
    body: unknown;
    /** Streams only: the SSE text exactly as received from upstream. */
    rawStream?: string;
    /** Upstream response headers (request-id, rate limits); absent when the proxy answered itself. */
    headers?: Record<string, string>;
  };
  attempts: Attempt[];
  /** The model named in the request as sent upstream. */
  requestModel?: string;
  /** The model the client named, when the proxy pointed the call at its holder's model instead. */
  harnessModel?: string;
  /** The model that answered (falls back to the requested one). */
  model?: string;
  usage?: TokenUsage;
  /** Undefined when the call had no answer, or its model has no price (then `priced` is false). */
  costUsd?: number;
  /** False when the model has no price: the call's cost is unknown, shown as "unpriced", never $0. */
  priced?: boolean;
  stopReason?: string;
  responseId?: string;
  /** Why the exchange failed, in words (budget, upstream error, disconnect…). */
  error?: string;
}

/** What the proxy has counted for one credential. `tokens` is input + output + cache writes + cache reads. */
export interface CredentialUsage {
  tokens: number;
  inputTokens: number;
  outputTokens: number;
  cacheCreationInputTokens: number;
  cacheReadInputTokens: number;
  /** The priced calls' cost: a call whose model has no price adds nothing (budgets say so). */
  costUsd: number;
  requests: number;
}

export type OnExchange = (exchange: Exchange, attribution: Attribution) => void | Promise<void>;

/**
 * Where the proxy writes its answer to a client. `http.ServerResponse` is one; the sandbox's
 * control channel (sandbox/model-channel.ts) is the other, for calls the SDK makes inside a worker.
 * "close" fires when the answer is finished or the client went away (then `writableFinished` is false).
 */
export interface ClientReply {
  readonly headersSent: boolean;
  readonly destroyed: boolean;
  readonly writableEnded: boolean;
  readonly writableFinished: boolean;
  writeHead(status: number, headers: import("node:http").OutgoingHttpHeaders): unknown;
  write(chunk: Buffer | string): boolean;
  end(chunk?: Buffer | string): unknown;
  /** Cuts the answer off mid-way, so the client sees a failure rather than a short body. */
  destroy(): unknown;
  on(event: "close" | "drain", listener: () => void): unknown;
  once(event: "close" | "drain", listener: () => void): unknown;
  off(event: "close" | "drain", listener: () => void): unknown;
}

/** A model request that arrives without HTTP (over a sandbox's control channel). */
export interface ChannelRequest {
  method: string;
  /** Path and query, e.g. "/v1/messages?beta=true". */
  path: string;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: Buffer;
}

/** A registered credential: who holds it (attribution) and what it has used so far. */
export interface RegistryEntry {
  credential: string;
  attribution: Attribution;
  usage: CredentialUsage;
}

/** What an exchange needs of the credential registry: counting an answer against its credential. */
export interface UsageRecorder {
  /** `costUsd` null: the answering model (`model`) has no price. */
  record(entry: RegistryEntry, usage: TokenUsage | undefined, costUsd: number | null, model?: string): void;
}

/** What every exchange of one proxy shares (exchange.ts, stream-relay.ts). */
export interface ExchangeContext {
  upstream: Upstream;
  retry: RetryPolicy;
  registry: UsageRecorder;
  emit: (exchange: Exchange, attribution: Attribution) => void;
  /** Aborts every exchange in flight when the proxy closes. */
  shutdown: AbortSignal;
  /** The API key's rate limit, shared with every other proxy on it (rate-gate.ts); null: none. */
  rateGate: RateGate | null;
}

/** One model request, admitted: its credential looked up, its body read. */
export interface ModelRequest {
  operation: Operation;
  /** Path and query as the client sent them, e.g. "/v1/messages?beta=true". */
  pathAndQuery: string;
  headers: IncomingHttpHeaders;
  rawBody: Buffer;
  entry: RegistryEntry;
}
