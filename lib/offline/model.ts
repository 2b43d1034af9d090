// The offline model: a local HTTP server that speaks the Anthropic Messages API and answers by the
// documented rules of RULES.md (rules.ts), so the whole studio loop works with no API key and a
// better harness really scores better. Runs made with it are simulated; say so wherever they show.
//
//   const model = await startOfflineModel();
//   const client = new Anthropic({ baseURL: model.url, apiKey: "any" });   // any key is accepted
//   ...
//   await model.close();
//
// Routes: POST /v1/messages (JSON, or SSE when `stream: true`), POST /v1/messages/count_tokens.
// Loopback only: it is a stand-in for a remote API, never a service for other machines.
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { buildMessage, checkRequest, idFor, inputTokens, streamEvents, type ApiError } from "./messages.ts";
import { answer } from "./rules.ts";

export interface OfflineModelOptions {
  /** Default 0: any free port. */
  port?: number;
  /**
   * Let the process exit while the model is idle: for a model started once per process and
   * never closed (a CLI command would otherwise never end). Requests in flight still hold it.
   */
  unref?: boolean;
}

export interface OfflineModel {
  /** http://127.0.0.1:PORT, for `baseURL` or an evaluation's `upstreamUrl`. */
  url: string;
  close(): Promise<void>;
}

/** Requests above this are refused like the real API refuses oversized requests (413). */
export const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/** Marks every response, so a recorded exchange says where it came from. */
const SIMULATED_HEADER = { "x-offline-model": "simulated" };

export async function startOfflineModel(options: OfflineModelOptions = {}): Promise<OfflineModel> {
  const server = http.createServer((req, res) => {
    res.on("error", () => {}); // a client that hangs up mid-stream is not our failure
    handle(req, res).catch((error) => {
      if (!res.headersSent)
        sendError(res, {
          status: 500,
          type: "api_error",
          message: `offline model failed: ${String(error?.message ?? error)}`,
        });
      else res.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => resolve());
  });
  if (options.unref) server.unref();
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? "/", "http://offline").pathname;
  const route =
    req.method === "POST" && (path === "/v1/messages" || path === "/v1/messages/count_tokens") ? path : null;
  if (!route) {
    req.resume(); // drain the body so the connection can be reused
    return sendError(res, {
      status: 404,
      type: "not_found_error",
      message: `The offline model has no route ${req.method} ${path}.`,
    });
  }

  const read = await readBody(req);
  if (!read.ok) return sendError(res, read.error);
  let body: unknown;
  try {
    body = JSON.parse(read.text);
  } catch {
    return sendError(res, {
      status: 400,
      type: "invalid_request_error",
      message: "There was an error parsing the body of your request: it is not valid JSON.",
    });
  }

  if (route === "/v1/messages/count_tokens") {
    const checked = checkRequest(body, { countOnly: true });
    if (!checked.ok) return sendError(res, checked.error, body);
    return sendJson(res, 200, { input_tokens: inputTokens(checked.value) }, body);
  }

  const checked = checkRequest(body);
  if (!checked.ok) return sendError(res, checked.error, body);
  const message = buildMessage(checked.value, answer(checked.value), body);
  if (checked.value.stream !== true) return sendJson(res, 200, message, body);

  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "request-id": idFor("req", body),
    ...SIMULATED_HEADER,
  });
  res.flushHeaders();
  const events = streamEvents(message);
  for (let i = 0; i < events.length; i++) {
    if (res.destroyed) return;
    res.write(`event: ${events[i].type}\ndata: ${JSON.stringify(events[i])}\n\n`);
    // The real API sends one ping once the first block has opened.
    if (i === 1) res.write(`event: ping\ndata: ${JSON.stringify({ type: "ping" })}\n\n`);
    // Let each event leave as its own chunk, as from the real API, so clients see a real stream.
    await new Promise((resolve) => setImmediate(resolve));
  }
  res.end();
}

/** The body as text; an oversized one is drained (not kept) so the 413 can still be sent. */
function readBody(req: IncomingMessage): Promise<{ ok: true; text: string } | { ok: false; error: ApiError }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_REQUEST_BYTES) chunks.push(chunk);
      else chunks.length = 0;
    });
    req.on("error", reject);
    req.on("end", () => {
      if (size > MAX_REQUEST_BYTES) {
        resolve({
          ok: false,
          error: {
            status: 413,
            type: "request_too_large",
            message: `Request exceeds the maximum size of ${MAX_REQUEST_BYTES} bytes.`,
          },
        });
      } else {
        resolve({ ok: true, text: Buffer.concat(chunks).toString("utf8") });
      }
    });
  });
}

function sendJson(res: ServerResponse, status: number, value: unknown, requestBody: unknown): void {
  const text = JSON.stringify(value);
  res.writeHead(status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "request-id": idFor("req", requestBody ?? null),
    ...SIMULATED_HEADER,
  });
  res.end(text);
}

/** Anthropic's error shape: `{ type: "error", error: { type, message }, request_id }`. */
function sendError(res: ServerResponse, error: ApiError, requestBody: unknown = null): void {
  const requestId = idFor("req", [error.status, error.message, requestBody]);
  const text = JSON.stringify({
    type: "error",
    error: { type: error.type, message: error.message },
    request_id: requestId,
  });
  res.writeHead(error.status, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(text),
    "request-id": requestId,
    ...SIMULATED_HEADER,
  });
  res.end(text);
}
