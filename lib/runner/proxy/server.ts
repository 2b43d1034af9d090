// The recording model proxy: a loopback HTTP server (and optionally a unix socket, for sandboxes
// without a network) that speaks the Messages API, swaps a per-run credential for the real key,
// and records every exchange. See exchange.ts for what happens to one request.

import fs from "node:fs";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { CredentialRegistry, presentedCredential } from "./credentials.ts";
import { handleExchange } from "./exchange.ts";
import { rateGateFor } from "./rate-gate.ts";
import { BodyTooLargeError, readBody, sendError } from "./http.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./retry.ts";
import type {
  Attribution,
  ChannelRequest,
  ClientReply,
  CredentialUsage,
  Exchange,
  ExchangeContext,
  OnExchange,
  Operation,
} from "./types.ts";
import { createUpstream, destroyUpstream } from "./upstream.ts";

export interface RecordingProxyOptions {
  /** Called once per exchange, after the client has its answer. Errors are logged, never thrown. */
  onExchange: OnExchange;
  /** Default: `ANTHROPIC_BASE_URL`, else https://api.anthropic.com. */
  upstreamUrl?: string;
  /** The real key. Default: `ANTHROPIC_API_KEY`; `null` sends no key (e.g. a gateway that adds its own). */
  apiKey?: string | null;
  /** Retries after the first attempt (default 3). */
  maxRetries?: number;
  /** First backoff delay in ms (default 500); doubles per retry. */
  retryBaseMs?: number;
  /** Backoff ceiling in ms (default 8000). */
  retryMaxMs?: number;
  /** Longest `retry-after` the proxy waits through (default 60000). */
  maxRetryAfterMs?: number;
  /** Also listen on this unix socket, for a network-isolated sandbox with the socket bind-mounted in. */
  socketPath?: string;
  /** Loopback only. */
  host?: "127.0.0.1";
  /** TCP port (default 0: any free port). */
  port?: number;
  /** Largest request body accepted (default 32 MiB). */
  maxBodyBytes?: number;
  /** How long close() lets exchanges in flight finish before cutting them off (default 10 s). */
  closeGraceMs?: number;
}

export interface RecordingProxy {
  /** http://127.0.0.1:PORT — the SDK's `baseURL`. */
  url: string;
  socketPath?: string;
  register(credential: string, attribution: Attribution): void;
  /** Forgets a credential and returns what it used. */
  unregister(credential: string): CredentialUsage | undefined;
  /** Tokens and cost counted so far for a registered credential. */
  usage(credential: string): CredentialUsage | undefined;
  /**
   * Serves a request that arrived without HTTP: a sandbox's SDK calls come over the worker's
   * control channel, which costs far less than a loopback HTTP hop. Same checks, same record.
   */
  serve(request: ChannelRequest, reply: ClientReply): void;
  /** Resolves when every request made with this credential so far has been answered and recorded. */
  whenRecorded(credential: string): Promise<void>;
  /** Stops listening, lets exchanges in flight finish (up to closeGraceMs), waits for their recording. */
  close(): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

const ROUTES: Record<string, Operation> = {
  "/v1/messages": "messages",
  "/v1/messages/count_tokens": "count_tokens",
};

export async function startRecordingProxy(options: RecordingProxyOptions): Promise<RecordingProxy> {
  const host = options.host ?? "127.0.0.1";
  if (host !== "127.0.0.1") throw new Error("The model proxy listens on loopback (127.0.0.1) only");
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const apiKey = options.apiKey === undefined ? process.env.ANTHROPIC_API_KEY : (options.apiKey ?? undefined);
  const upstream = createUpstream(
    options.upstreamUrl ?? process.env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com",
    apiKey,
  );
  const retry: RetryPolicy = {
    maxRetries: options.maxRetries ?? DEFAULT_RETRY_POLICY.maxRetries,
    baseDelayMs: options.retryBaseMs ?? DEFAULT_RETRY_POLICY.baseDelayMs,
    maxDelayMs: options.retryMaxMs ?? DEFAULT_RETRY_POLICY.maxDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs ?? DEFAULT_RETRY_POLICY.maxRetryAfterMs,
  };
  const registry = new CredentialRegistry();
  const shutdown = new AbortController();
  const inFlight = new Set<Promise<void>>();
  const recording = new Set<Promise<void>>();

  const emit = (exchange: Exchange, attribution: Attribution) => {
    const done = (async () => {
      try {
        await options.onExchange(exchange, attribution);
      } catch (err) {
        // Never the request or its headers: those could carry secrets.
        console.error(`[model-proxy] onExchange failed: ${err instanceof Error ? err.message : String(err)}`);
      }
    })();
    recording.add(done);
    void done.finally(() => recording.delete(done));
  };

  const ctx: ExchangeContext = {
    upstream,
    retry,
    registry,
    emit,
    shutdown: shutdown.signal,
    rateGate: rateGateFor(upstream.base.origin, apiKey),
  };

  /** Route and credential, common to both ways in; null when `res` has been answered already. */
  const admit = (method: string | undefined, path: string, headers: IncomingHttpHeaders, res: ClientReply) => {
    const url = new URL(path || "/", "http://proxy");
    const operation = method === "POST" ? ROUTES[url.pathname.replace(/\/+$/, "")] : undefined;
    if (!operation) {
      sendError(
        res,
        404,
        "not_found_error",
        `Not found: ${method} ${url.pathname}. The model proxy serves POST /v1/messages and POST /v1/messages/count_tokens.`,
      );
      return null;
    }
    const entry = registry.lookup(presentedCredential(headers));
    if (!entry) {
      sendError(
        res,
        401,
        "authentication_error",
        "invalid x-api-key: this credential is not registered with the studio's model proxy (has its task run ended?)",
      );
      return null;
    }
    return { operation, entry, pathAndQuery: url.pathname + url.search };
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const admitted = admit(req.method, req.url ?? "/", req.headers, res);
    if (!admitted) return;
    let rawBody: Buffer;
    try {
      rawBody = await readBody(req, maxBodyBytes);
    } catch (err) {
      if (err instanceof BodyTooLargeError) {
        // Close the connection: the rest of the oversized body is not worth reading.
        res.setHeader("connection", "close");
        return sendError(
          res,
          413,
          "request_too_large",
          `${err.message} (${Math.round(maxBodyBytes / 1024 / 1024)} MiB).`,
        );
      }
      return; // the client went away mid-upload; nothing to answer or record
    }
    await handleExchange(ctx, { ...admitted, headers: req.headers, rawBody }, res);
  };

  const serveChannel = async (request: ChannelRequest, res: ClientReply): Promise<void> => {
    const admitted = admit(request.method, request.path, request.headers, res);
    if (!admitted) return;
    if (request.body.length > maxBodyBytes) {
      const message = new BodyTooLargeError(maxBodyBytes).message;
      return sendError(res, 413, "request_too_large", `${message} (${Math.round(maxBodyBytes / 1024 / 1024)} MiB).`);
    }
    await handleExchange(ctx, { ...admitted, headers: request.headers, rawBody: request.body }, res);
  };

  /** Runs one request, tracked so close() and whenRecorded() can wait for it. */
  const track = (credential: string, res: ClientReply, run: () => Promise<void>) => {
    const job = run().catch((err) => {
      console.error(`[model-proxy] request failed: ${err instanceof Error ? err.message : String(err)}`);
      if (!res.headersSent && !res.destroyed)
        sendError(res, 500, "api_error", "The model proxy failed to handle this request");
      else if (!res.writableEnded) res.destroy();
    });
    inFlight.add(job);
    const mine = byCredential.get(credential) ?? new Set<Promise<void>>();
    byCredential.set(credential, mine.add(job));
    void job.finally(() => {
      inFlight.delete(job);
      mine.delete(job);
      if (mine.size === 0) byCredential.delete(credential);
    });
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    // A client that vanishes makes writes fail; that is handled where it matters, not thrown here.
    res.on("error", () => {});
    track(presentedCredential(req.headers) ?? "", res, () => handle(req, res));
  };

  /** Requests in flight per credential, so a task run can wait for its own calls to be recorded. */
  const byCredential = new Map<string, Set<Promise<void>>>();
  const whenRecorded = async (credential: string) => {
    await Promise.allSettled([...(byCredential.get(credential) ?? [])]);
    await Promise.allSettled([...recording]); // recordings are emitted before a request's job ends
  };

  const servers: http.Server[] = [];
  const tcp = http.createServer(onRequest);
  await listen(tcp, () => tcp.listen(options.port ?? 0, host));
  servers.push(tcp);
  const { port } = tcp.address() as AddressInfo;

  let socketPath: string | undefined;
  if (options.socketPath) {
    removeStaleSocket(options.socketPath);
    const unix = http.createServer(onRequest);
    try {
      await listen(unix, () => unix.listen(options.socketPath));
      // Sandboxes run as other uids; connecting needs write permission. Credentials still gate every request.
      fs.chmodSync(options.socketPath, 0o666);
    } catch (err) {
      await closeServer(tcp);
      throw err;
    }
    servers.push(unix);
    socketPath = options.socketPath;
  }

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      const stopped = Promise.all(servers.map(closeServer));
      const grace = setTimeout(() => shutdown.abort(), options.closeGraceMs ?? 10_000);
      await Promise.allSettled([...inFlight]);
      clearTimeout(grace);
      for (const server of servers) server.closeAllConnections();
      await stopped;
      await Promise.allSettled([...recording]);
      destroyUpstream(upstream);
      if (socketPath) fs.rmSync(socketPath, { force: true });
    })());

  return {
    url: `http://${host}:${port}`,
    socketPath,
    register: (credential, attribution) => registry.register(credential, attribution),
    unregister: (credential) => registry.unregister(credential),
    usage: (credential) => registry.usage(credential),
    serve: (request, reply) => {
      if (closing) return sendError(reply, 503, "api_error", "The model proxy was closed");
      track(presentedCredential(request.headers) ?? "", reply, () => serveChannel(request, reply));
    },
    whenRecorded,
    close,
  };
}

function listen(server: http.Server, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.once("listening", () => {
      server.off("error", reject);
      resolve();
    });
    start();
  });
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}

/** Removes a socket file left by an earlier run; refuses to delete anything that is not a socket. */
function removeStaleSocket(socketPath: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(socketPath);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`${socketPath} exists and is not a socket; not replacing it`);
  fs.unlinkSync(socketPath);
}
