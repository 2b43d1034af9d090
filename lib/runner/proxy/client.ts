// The sandbox side: how harness code reaches the proxy. Kept free of the rest of the proxy (and of
// any secret) because it runs inside the sandbox. With a network, the SDK's baseURL is the proxy's
// loopback URL; without one, requests go through the bind-mounted unix socket via `unixSocketFetch`.

import http from "node:http";
import { Readable } from "node:stream";

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** A `fetch` that sends every request over a unix socket, whatever host the URL names. */
export function unixSocketFetch(socketPath: string): Fetch {
  return async (input, init) => {
    const request = new Request(input, init);
    const body = request.body ? Buffer.from(await request.arrayBuffer()) : undefined;
    const url = new URL(request.url);
    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      if (name !== "content-length") headers[name] = value;
    });
    headers.host = url.host;

    return new Promise<Response>((resolve, reject) => {
      const req = http.request({
        socketPath,
        method: request.method,
        path: url.pathname + url.search,
        headers,
        signal: init?.signal ?? (input instanceof Request ? input.signal : undefined),
      });
      req.once("error", reject);
      req.once("response", (res) => {
        const responseHeaders = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2)
          responseHeaders.append(res.rawHeaders[i], res.rawHeaders[i + 1]);
        const status = res.statusCode ?? 502;
        const hasBody = status !== 204 && status !== 304 && request.method !== "HEAD";
        if (!hasBody) res.resume();
        resolve(
          new Response(hasBody ? (Readable.toWeb(res) as ReadableStream<Uint8Array>) : null, {
            status,
            statusText: res.statusMessage,
            headers: responseHeaders,
          }),
        );
      });
      req.end(body);
    });
  };
}

/**
 * Options for `new Anthropic(...)` inside the sandbox: the credential as the key, and either the
 * proxy's URL or its socket. The proxy retries upstream itself and marks its final errors
 * `x-should-retry: false`, so the SDK's own retries only cover reaching the proxy.
 */
export function proxyClientOptions(target: { credential: string; url?: string; socketPath?: string }): {
  apiKey: string;
  baseURL: string;
  fetch?: Fetch;
} {
  if (target.socketPath) {
    // The host is never dialled; it only has to make a valid URL.
    return { apiKey: target.credential, baseURL: "http://model-proxy", fetch: unixSocketFetch(target.socketPath) };
  }
  if (!target.url) throw new Error("proxyClientOptions needs the proxy's url or socketPath");
  return { apiKey: target.credential, baseURL: target.url };
}
