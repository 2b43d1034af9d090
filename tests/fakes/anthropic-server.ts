// A fake Anthropic Messages API over real HTTP on 127.0.0.1, for tests that must run offline:
// harnesses, proposers, the loop, the proxy. It answers `POST /v1/messages` (JSON, or SSE with
// the real event sequence when `stream: true`) and `POST /v1/messages/count_tokens`, and keeps
// every request it received in `requests`.
//
//   const fake = await startFakeAnthropic({ respond: scripted([{ text: "4" }, { status: 529, error: { type: "overloaded_error", message: "Overloaded" } }]) });
//   const client = new Anthropic({ baseURL: fake.url, apiKey: "test" });

import http, { type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type {
  ContentBlock,
  Message,
  RawMessageStreamEvent,
  StopReason,
  Usage,
} from "@anthropic-ai/sdk/resources/messages";

export interface FakeRequest {
  method: string;
  /** Path without the query, e.g. "/v1/messages". */
  path: string;
  /** The query string, e.g. "?beta=true", or "". */
  search: string;
  headers: Record<string, string>;
  /** Parsed JSON (the raw text when it was not JSON). */
  body: any;
  receivedAt: Date;
}

/** Content as a test writes it; ids, citations and callers are filled in. */
export type FakeContentBlock =
  | { type: "text"; text: string }
  | { type: "tool_use"; id?: string; name: string; input: unknown }
  | { type: "thinking"; thinking: string; signature?: string }
  | { type: "redacted_thinking"; data: string }
  | ContentBlock;

export interface FakeMessageReply {
  text?: string;
  content?: FakeContentBlock[];
  stopReason?: StopReason;
  /** Merged over the estimate (about one token per four characters). */
  usage?: Partial<Usage>;
  model?: string;
  id?: string;
  headers?: Record<string, string>;
  /** Wait this long before answering at all. */
  delayMs?: number;
  /** Streams: wait this long between events. */
  eventDelayMs?: number;
  /** Streams: after this many events, hold until `until` settles (to observe incremental delivery). */
  pause?: { afterEvents: number; until: Promise<unknown> };
  /** Streams: after this many events, send an SSE error event, or drop the connection. */
  interrupt?: { afterEvents: number; with: "error" | "disconnect"; error?: { type: string; message: string } };
}

export interface FakeErrorReply {
  status: number;
  error: { type: string; message: string };
  headers?: Record<string, string>;
}

/** Reset the connection without any answer (a network failure). */
export interface FakeDisconnectReply {
  disconnect: true;
}

export type FakeReply = FakeMessageReply | FakeErrorReply | FakeDisconnectReply;

export type Respond = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

export interface FakeAnthropicOptions {
  respond?: Respond;
  /** Answers count_tokens; a number, or an error reply. Default: the ~chars/4 estimate. */
  countTokens?: (request: FakeRequest) => number | FakeErrorReply | Promise<number | FakeErrorReply>;
  /**
   * When set, a messages request whose prompt (system, tools, messages; about four characters a
   * token) is over this many tokens gets the real API's 400 "prompt is too long", before `respond`.
   */
  maxPromptTokens?: number;
  /** When set, requests without this key (`x-api-key` or `Authorization: Bearer`) get a 401, like the real API. */
  requireApiKey?: string;
}

export interface FakeAnthropic {
  /** http://127.0.0.1:PORT, for `baseURL`. */
  url: string;
  requests: FakeRequest[];
  setRespond(respond: Respond): void;
  close(): Promise<void>;
}

/** About four characters per token: close enough for budgets and costs in tests. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === "string" ? value : JSON.stringify(value ?? "");
  return Math.max(1, Math.ceil(text.length / 4));
}

/** The default reply: echoes the last user message. */
export const echo: Respond = (request) => {
  const messages: any[] = Array.isArray(request.body?.messages) ? request.body.messages : [];
  const last = [...messages].reverse().find((m) => m?.role === "user");
  const content = last?.content;
  const text =
    typeof content === "string"
      ? content
      : Array.isArray(content)
        ? content
            .filter((b: any) => b?.type === "text")
            .map((b: any) => b.text)
            .join(" ")
        : "";
  return { text: `Echo: ${text.slice(0, 500) || "(no text)"}` };
};

/** Replies in order, one per messages request; running out is answered with a clear (non-retryable) 400. */
export function scripted(replies: (FakeReply | Respond)[]): Respond {
  let next = 0;
  return (request) => {
    if (next >= replies.length) {
      throw new Error(`scripted replies exhausted: request #${next + 1} but only ${replies.length} scripted`);
    }
    const reply = replies[next++];
    return typeof reply === "function" ? reply(request) : reply;
  };
}

let idCounter = 0;
const newId = (prefix: string) =>
  `${prefix}_fake${String(++idCounter).padStart(6, "0")}${Math.random().toString(36).slice(2, 8)}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function startFakeAnthropic(options: FakeAnthropicOptions = {}): Promise<FakeAnthropic> {
  let respond = options.respond ?? echo;
  const requests: FakeRequest[] = [];

  const server = http.createServer((req, res) => {
    res.on("error", () => {});
    handle(req, res).catch((err) => {
      if (!res.headersSent) sendError(res, 500, "api_error", `fake-anthropic crashed: ${String(err?.message ?? err)}`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // keep the text
    }
    const url = new URL(req.url ?? "/", "http://fake");
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
    }
    const request: FakeRequest = {
      method: req.method ?? "GET",
      path: url.pathname,
      search: url.search,
      headers,
      body,
      receivedAt: new Date(),
    };
    requests.push(request);

    // The API takes the key as `x-api-key` or as `Authorization: Bearer` (which the SDK sends).
    const presented = headers["x-api-key"] ?? /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1];
    if (options.requireApiKey !== undefined && presented !== options.requireApiKey) {
      return sendError(res, 401, "authentication_error", "invalid x-api-key");
    }
    if (req.method === "POST" && url.pathname === "/v1/messages/count_tokens") {
      const answer = options.countTokens ? await options.countTokens(request) : estimatePromptTokens(body);
      if (typeof answer === "number") return sendJson(res, 200, { input_tokens: answer });
      return sendError(res, answer.status, answer.error.type, answer.error.message, answer.headers);
    }
    if (req.method !== "POST" || url.pathname !== "/v1/messages") {
      return sendError(res, 404, "not_found_error", `fake-anthropic: no route ${req.method} ${url.pathname}`);
    }
    if (typeof body !== "object" || body === null) {
      return sendError(res, 400, "invalid_request_error", "fake-anthropic: body is not JSON");
    }
    if (options.maxPromptTokens !== undefined) {
      const tokens = promptTokens(body);
      if (tokens > options.maxPromptTokens)
        return sendError(
          res,
          400,
          "invalid_request_error",
          `prompt is too long: ${tokens} tokens > ${options.maxPromptTokens} maximum`,
        );
    }

    let reply: FakeReply;
    try {
      reply = await respond(request);
    } catch (err) {
      // A 400, not a 500: a broken script should fail the test at once, not be retried.
      return sendError(res, 400, "invalid_request_error", `fake-anthropic: ${String((err as Error)?.message ?? err)}`);
    }
    if ("disconnect" in reply) {
      req.socket.destroy();
      return;
    }
    if ("error" in reply) return sendError(res, reply.status, reply.error.type, reply.error.message, reply.headers);
    if (reply.delayMs) await sleep(reply.delayMs);
    const message = buildMessage(reply, body);
    if (body.stream === true) return streamMessage(res, message, reply);
    return sendJson(res, 200, message, { "request-id": newId("req"), ...reply.headers });
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setRespond: (next) => {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A request body's prompt tokens as the fake counts them (its usage, count_tokens and maxPromptTokens). */
export function promptTokens(body: any): number {
  return estimatePromptTokens(body);
}

function estimatePromptTokens(body: any): number {
  return estimateTokens({ system: body?.system, messages: body?.messages, tools: body?.tools });
}

/** Fills a reply into a complete Message, as the SDK types it. */
export function buildMessage(reply: FakeMessageReply, requestBody: any): Message {
  const blocks: FakeContentBlock[] = reply.content ?? [{ type: "text", text: reply.text ?? "" }];
  const content = blocks.map(completeBlock);
  const outputTokens = estimateTokens(
    content.map((b: any) => b.text ?? b.thinking ?? (b.input === undefined ? "" : JSON.stringify(b.input))).join(""),
  );
  const usage: Usage = {
    input_tokens: estimatePromptTokens(requestBody),
    output_tokens: outputTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    inference_geo: null,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: "standard",
    speed: null,
    ...reply.usage,
  };
  return {
    id: reply.id ?? newId("msg"),
    type: "message",
    role: "assistant",
    model: reply.model ?? (typeof requestBody?.model === "string" ? requestBody.model : "claude-fake"),
    content,
    stop_reason: reply.stopReason ?? (content.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn"),
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage,
  };
}

function completeBlock(block: FakeContentBlock): ContentBlock {
  switch (block.type) {
    case "text":
      return { citations: null, ...block } as ContentBlock;
    case "tool_use":
      return {
        caller: { type: "direct" },
        ...block,
        id: (block as { id?: string }).id ?? newId("toolu"),
      } as ContentBlock;
    case "thinking":
      return {
        signature: `sig_${Buffer.from((block as { thinking: string }).thinking)
          .toString("base64url")
          .slice(0, 24)}`,
        ...block,
      } as ContentBlock;
    default:
      return block as ContentBlock;
  }
}

/** The event sequence the real API sends for a message. */
export function streamEvents(message: Message): RawMessageStreamEvent[] {
  const events: RawMessageStreamEvent[] = [];
  events.push({
    type: "message_start",
    message: {
      ...message,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...message.usage, output_tokens: 1 },
    },
  });
  message.content.forEach((block, index) => {
    switch (block.type) {
      case "text":
        events.push({ type: "content_block_start", index, content_block: { ...block, text: "" } });
        for (const piece of textPieces(block.text)) {
          events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text: piece } });
        }
        break;
      case "thinking":
        events.push({ type: "content_block_start", index, content_block: { ...block, thinking: "", signature: "" } });
        for (const piece of textPieces(block.thinking)) {
          events.push({ type: "content_block_delta", index, delta: { type: "thinking_delta", thinking: piece } });
        }
        events.push({
          type: "content_block_delta",
          index,
          delta: { type: "signature_delta", signature: block.signature },
        });
        break;
      case "tool_use":
      case "server_tool_use": {
        events.push({ type: "content_block_start", index, content_block: { ...block, input: {} } });
        const json = JSON.stringify(block.input ?? {});
        // The real API opens with an empty fragment, then sends the JSON in arbitrary cuts.
        events.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json: "" } });
        for (let at = 0; at < json.length; at += 12) {
          events.push({
            type: "content_block_delta",
            index,
            delta: { type: "input_json_delta", partial_json: json.slice(at, at + 12) },
          });
        }
        break;
      }
      default:
        events.push({ type: "content_block_start", index, content_block: block });
    }
    events.push({ type: "content_block_stop", index });
  });
  events.push({
    type: "message_delta",
    delta: {
      stop_reason: message.stop_reason,
      stop_sequence: message.stop_sequence,
      stop_details: null,
      container: null,
    },
    usage: {
      input_tokens: message.usage.input_tokens,
      output_tokens: message.usage.output_tokens,
      cache_creation_input_tokens: message.usage.cache_creation_input_tokens,
      cache_read_input_tokens: message.usage.cache_read_input_tokens,
      output_tokens_details: null,
      server_tool_use: null,
    },
  });
  events.push({ type: "message_stop" });
  return events;
}

/** Two words per delta, so even a short answer arrives in several pieces. */
function textPieces(text: string): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? [text];
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += 2) pieces.push(words.slice(i, i + 2).join(""));
  return pieces.length ? pieces : [""];
}

async function streamMessage(res: ServerResponse, message: Message, reply: FakeMessageReply): Promise<void> {
  res.writeHead(200, {
    "content-type": "text/event-stream; charset=utf-8",
    "cache-control": "no-cache",
    "request-id": newId("req"),
    ...reply.headers,
  });
  // Like the real API: the status line goes out at once, events follow as they are generated.
  res.flushHeaders();
  const events = streamEvents(message);
  let sent = 0;
  const send = (name: string, data: unknown) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  for (const event of events) {
    if (res.destroyed) return;
    if (reply.interrupt && sent === reply.interrupt.afterEvents) {
      if (reply.interrupt.with === "disconnect") {
        res.socket?.destroy();
        return;
      }
      const error = reply.interrupt.error ?? { type: "overloaded_error", message: "Overloaded" };
      send("error", { type: "error", error });
      res.end();
      return;
    }
    if (reply.pause && sent === reply.pause.afterEvents) await reply.pause.until;
    send(event.type, event);
    sent++;
    // The real API pings once after the first block opens.
    if (sent === 2) send("ping", { type: "ping" });
    // Yield between events so they leave as separate chunks, as they would from the real API.
    await sleep(reply.eventDelayMs ?? 0);
  }
  res.end();
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...headers, "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendError(
  res: ServerResponse,
  status: number,
  type: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { type: "error", error: { type, message }, request_id: newId("req") }, headers);
}
