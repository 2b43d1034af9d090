// Small HTTP helpers shared by the proxy: Anthropic-shaped errors, header copying, bounded body reads.

import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { ClientReply } from "./types.ts";

/** The error types the Messages API uses, so the SDK raises its matching error class. */
export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "permission_error"
  | "not_found_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "overloaded_error";

export function errorBody(type: AnthropicErrorType, message: string) {
  return { type: "error" as const, error: { type, message } };
}

export function sendJson(res: ClientReply, status: number, body: unknown, headers: OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
  });
  res.end(text);
}

/**
 * Answers with an error the proxy made itself. `x-should-retry: false` because the proxy has
 * already done whatever retrying made sense.
 */
export function sendError(res: ClientReply, status: number, type: AnthropicErrorType, message: string): void {
  sendJson(res, status, errorBody(type, message), { "x-should-retry": "false" });
}

/** Node gives repeated headers as arrays; traces want one string per name. */
export function flattenHeaders(
  headers: IncomingHttpHeaders,
  omit: ReadonlySet<string> = new Set(),
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || omit.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

const NO_COOKIES = new Set(["set-cookie"]);

/** Upstream response headers for the trace: everything but cookies. */
export function recordedResponseHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  return flattenHeaders(headers, NO_COOKIES);
}

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body is larger than the proxy's limit of ${limit} bytes`);
  }
}

/** Reads a whole request body, refusing (without reading further) past `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw new BodyTooLargeError(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Reads a whole upstream response body (answers are bounded by the API; no limit here). */
export async function readAll(stream: AsyncIterable<unknown>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** JSON if it parses, else the text itself: the record keeps whatever arrived. */
export function parseJsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** "429 rate_limit_error: Number of requests has exceeded your rate limit" from an error body. */
export function describeErrorBody(status: number, body: unknown): string {
  const err = (body as { error?: { type?: unknown; message?: unknown } } | null)?.error;
  if (err && typeof err === "object") return `${status} ${String(err.type)}: ${String(err.message)}`;
  const text = typeof body === "string" ? body : JSON.stringify(body);
  return `${status}: ${(text ?? "").slice(0, 500)}`;
}

/** An error in words, with its code (ECONNREFUSED, ECONNRESET) when the message lacks it. */
export const errorText = (err: unknown): string => {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    return code && !err.message.includes(code) ? `${code}: ${err.message}` : err.message;
  }
  return String(err);
};
