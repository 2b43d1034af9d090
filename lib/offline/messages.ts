// The Messages API shapes around the offline model's answer: request validation (errors worded
// like the real API's, so a harness's error handling is exercised honestly), the Message with
// usage and stop reason, and the SSE event sequence of a streamed message.
import { createHash } from "node:crypto";
import type { Message, RawMessageStreamEvent, StopReason, Usage } from "@anthropic-ai/sdk/resources/messages";
import { characters, promptCharacters, tokensFor, type OfflineRequest } from "./prompt.ts";

export interface ApiError {
  status: number;
  type: "invalid_request_error" | "not_found_error" | "request_too_large" | "api_error";
  message: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; error: ApiError };

const invalid = (message: string): { ok: false; error: ApiError } => ({
  ok: false,
  error: { status: 400, type: "invalid_request_error", message },
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/** Blocks need a string `type`; text blocks a string `text`. Other block kinds pass through unread. */
function checkContent(content: unknown, where: string): string | null {
  if (typeof content === "string") return null;
  if (!Array.isArray(content)) return `${where}: Input should be a valid string or a list of content blocks`;
  for (let i = 0; i < content.length; i++) {
    const block = content[i];
    if (!isObject(block) || typeof block.type !== "string") return `${where}.${i}.type: Field required`;
    if (block.type === "text" && typeof block.text !== "string") return `${where}.${i}.text: Field required`;
  }
  return null;
}

/**
 * Checks a `/v1/messages` body (or, with `countOnly`, a `/v1/messages/count_tokens` body, which
 * has no max_tokens) and returns it typed for the rules.
 */
export function checkRequest(body: unknown, options: { countOnly?: boolean } = {}): Checked<OfflineRequest> {
  if (!isObject(body)) return invalid("The request body must be a JSON object.");
  if (typeof body.model !== "string" || body.model === "") return invalid("model: Field required");
  if (!options.countOnly) {
    if (body.max_tokens === undefined) return invalid("max_tokens: Field required");
    if (typeof body.max_tokens !== "number" || !Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
      return invalid("max_tokens: Input should be an integer greater than or equal to 1");
    }
  }
  if (!Array.isArray(body.messages)) return invalid("messages: Field required");
  if (body.messages.length === 0) return invalid("messages: at least one message is required");
  for (let i = 0; i < body.messages.length; i++) {
    const message = body.messages[i];
    if (!isObject(message)) return invalid(`messages.${i}: Input should be a valid dictionary`);
    if (message.role !== "user" && message.role !== "assistant" && message.role !== "system") {
      return invalid(`messages.${i}.role: Input should be 'user' or 'assistant'`);
    }
    const problem = checkContent(message.content, `messages.${i}.content`);
    if (problem) return invalid(problem);
  }
  if (body.system !== undefined) {
    const problem = checkContent(body.system, "system");
    if (problem) return invalid(problem);
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) return invalid("tools: Input should be a valid list");
  if (
    body.stop_sequences !== undefined &&
    !(Array.isArray(body.stop_sequences) && body.stop_sequences.every((s) => typeof s === "string"))
  ) {
    return invalid("stop_sequences: Input should be a valid list of strings");
  }
  if (body.stream !== undefined && typeof body.stream !== "boolean")
    return invalid("stream: Input should be a valid boolean");
  return { ok: true, value: body as unknown as OfflineRequest };
}

/** A deterministic id: the same request body always gets the same one. */
export function requestHash(body: unknown): string {
  return createHash("sha256").update(JSON.stringify(body)).digest("hex");
}

export function idFor(prefix: "msg" | "req", body: unknown): string {
  // Base64url of the hash, like the real API's opaque ids; the prefix keeps a message id from a request id apart.
  return `${prefix}_offline_${Buffer.from(requestHash([prefix, body]), "hex")
    .toString("base64url")
    .slice(0, 24)}`;
}

/** Cuts the answer where the API would stop: at the first stop sequence, else at max_tokens. */
export function finishAnswer(
  text: string,
  request: OfflineRequest,
): { text: string; stopReason: StopReason; stopSequence: string | null } {
  let cut = text;
  let stopReason: StopReason = "end_turn";
  let stopSequence: string | null = null;
  for (const sequence of request.stop_sequences ?? []) {
    const at = sequence === "" ? -1 : cut.indexOf(sequence);
    if (at >= 0) {
      cut = cut.slice(0, at);
      stopReason = "stop_sequence";
      stopSequence = sequence;
    }
  }
  const limit = request.max_tokens;
  if (limit !== undefined && tokensFor(characters(cut)) > limit) {
    cut = Array.from(cut)
      .slice(0, limit * 4)
      .join("");
    stopReason = "max_tokens";
    stopSequence = null;
  }
  return { text: cut, stopReason, stopSequence };
}

export function inputTokens(request: OfflineRequest): number {
  return tokensFor(promptCharacters(request));
}

/** The complete Message for an answer, with usage by the rules' token arithmetic. */
export function buildMessage(request: OfflineRequest, answerText: string, body: unknown = request): Message {
  const { text, stopReason, stopSequence } = finishAnswer(answerText, request);
  const usage: Usage = {
    input_tokens: inputTokens(request),
    output_tokens: tokensFor(characters(text)),
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    inference_geo: null,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: "standard",
    speed: null,
  };
  return {
    id: idFor("msg", body),
    type: "message",
    role: "assistant",
    model: request.model,
    content: [{ type: "text", text, citations: null }],
    stop_reason: stopReason,
    stop_sequence: stopSequence,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage,
  };
}

/**
 * The pieces a text arrives in: two words each, like the real API's small deltas; a one-word
 * answer is still split in two so every stream has several deltas.
 */
export function textPieces(text: string): string[] {
  const words = text.match(/\s*\S+\s*/g) ?? [];
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += 2) pieces.push(words.slice(i, i + 2).join(""));
  if (pieces.length >= 2) return pieces;
  const chars = Array.from(text);
  if (chars.length < 2) return [text];
  const half = Math.ceil(chars.length / 2);
  return [chars.slice(0, half).join(""), chars.slice(half).join("")];
}

/** The event sequence the real API sends for a one-text-block message. */
export function streamEvents(message: Message): RawMessageStreamEvent[] {
  const events: RawMessageStreamEvent[] = [
    {
      type: "message_start",
      message: {
        ...message,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...message.usage, output_tokens: 1 },
      },
    },
  ];
  message.content.forEach((block, index) => {
    if (block.type !== "text") return; // the offline model only writes text
    events.push({ type: "content_block_start", index, content_block: { ...block, text: "" } });
    for (const piece of textPieces(block.text)) {
      events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text: piece } });
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
