// One attempt at the real API: which headers travel, where the request goes, and the raw send.
// Only an allow-list of client headers is forwarded, so the per-run credential (and anything
// else the sandbox sends) never leaves the machine; the real key is added here and nowhere else.

import http, { type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders } from "node:http";
import https from "node:https";

export interface Upstream {
  base: URL;
  apiKey?: string;
  httpAgent: http.Agent;
  httpsAgent: https.Agent;
}

export function createUpstream(baseUrl: string, apiKey: string | undefined): Upstream {
  const base = new URL(baseUrl);
  if (base.protocol !== "http:" && base.protocol !== "https:") {
    throw new Error(`Upstream URL must be http(s), got ${baseUrl}`);
  }
  return {
    base,
    apiKey: apiKey || undefined,
    // Keep-alive: a harness makes many calls in a row; reusing TLS connections saves a round trip each.
    httpAgent: new http.Agent({ keepAlive: true }),
    httpsAgent: new https.Agent({ keepAlive: true }),
  };
}

export function destroyUpstream(upstream: Upstream): void {
  upstream.httpAgent.destroy();
  upstream.httpsAgent.destroy();
}

/** The upstream URL for a client path, keeping any path prefix of the base (e.g. a gateway's /anthropic). */
export function upstreamUrl(upstream: Upstream, pathAndQuery: string): URL {
  const prefix = upstream.base.pathname.replace(/\/+$/, "");
  return new URL(prefix + pathAndQuery, upstream.base);
}

/** Headers for the upstream request: API version and beta flags, content type, and the real key. */
export function upstreamHeaders(
  incoming: IncomingHttpHeaders,
  apiKey: string | undefined,
  bodyLength: number,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined) continue;
    if (name === "content-type" || name === "accept" || name.startsWith("anthropic-")) out[name] = value;
  }
  out["content-length"] = bodyLength;
  // Uncompressed answers, so the recorded body is the text itself.
  out["accept-encoding"] = "identity";
  if (apiKey) out["x-api-key"] = apiKey;
  return out;
}

/** Sends one request; resolves when the response headers arrive. Aborting `signal` destroys it. */
export function sendUpstream(
  upstream: Upstream,
  url: URL,
  headers: OutgoingHttpHeaders,
  body: Buffer,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const isHttps = url.protocol === "https:";
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const req = (isHttps ? https : http).request(url, {
      method: "POST",
      headers,
      agent: isHttps ? upstream.httpsAgent : upstream.httpAgent,
      signal,
    });
    req.once("response", resolve);
    req.once("error", reject);
    req.end(body);
  });
}

/** Response headers worth passing back to the client (not hop-by-hop ones, not cookies). */
export function clientResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name)) continue;
    out[name] = value;
  }
  return out;
}

const DROPPED_RESPONSE_HEADERS = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "set-cookie",
  "x-should-retry",
]);
