// Rebuilds the whole Message from a Messages API event stream, the way the SDK's MessageStream
// does, so a streamed exchange is recorded in the same shape as a non-streamed one.
// The raw SSE text is kept beside it; this is the readable form, not the only record.

import type { SseEvent } from "./sse.ts";
import type { TokenUsage } from "./types.ts";

type Json = Record<string, unknown>;

export interface StreamError {
  type: string;
  message: string;
}

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export class MessageAssembler {
  /** The message so far; undefined until `message_start`. */
  message: Json | undefined;
  /** An `event: error` the stream carried (e.g. overloaded_error mid-stream). */
  error: StreamError | undefined;
  /** `message_stop` arrived: the stream is complete. */
  complete = false;
  /** Events whose data was not JSON; kept so nothing is silently dropped. */
  unparsed: SseEvent[] = [];
  /** Set on the first text/thinking/tool-input delta. */
  firstDeltaAt: number | undefined;

  /** Tool input arrives as JSON fragments; they are joined here and parsed at block stop. */
  #toolJson = new Map<number, string>();

  /** Applies one SSE event. Returns the event's parsed data (or undefined for ping/unparseable). */
  apply(sse: SseEvent): Json | undefined {
    if (sse.event === "ping" || (sse.event === null && !sse.data)) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(sse.data);
    } catch {
      this.unparsed.push(sse);
      return undefined;
    }
    if (!isObject(data)) return undefined;

    if (sse.event === "error" || data.type === "error") {
      const err = isObject(data.error) ? data.error : {};
      this.error = { type: String(err.type ?? "error"), message: String(err.message ?? sse.data) };
      return data;
    }

    switch (data.type) {
      case "message_start":
        if (isObject(data.message)) {
          this.message = structuredClone(data.message);
          if (!Array.isArray(this.message.content)) this.message.content = [];
        }
        break;
      case "content_block_start":
        this.#startBlock(data);
        break;
      case "content_block_delta":
        this.#applyDelta(data);
        break;
      case "content_block_stop":
        this.#finishBlock(Number(data.index));
        break;
      case "message_delta":
        this.#applyMessageDelta(data);
        break;
      case "message_stop":
        this.#finishAllBlocks();
        this.complete = true;
        break;
    }
    return data;
  }

  /** The reassembled message (partial if the stream broke off), tool inputs parsed. */
  result(): Json | undefined {
    this.#finishAllBlocks();
    return this.message;
  }

  get usage(): TokenUsage | undefined {
    const usage = this.message?.usage;
    return isObject(usage) ? (usage as unknown as TokenUsage) : undefined;
  }

  #content(): unknown[] | undefined {
    const content = this.message?.content;
    return Array.isArray(content) ? content : undefined;
  }

  #startBlock(data: Json): void {
    const content = this.#content();
    if (!content || !isObject(data.content_block)) return;
    const index = Number(data.index);
    content[index] = { ...data.content_block };
  }

  #applyDelta(data: Json): void {
    const index = Number(data.index);
    const block = this.#content()?.[index];
    const delta = data.delta;
    if (!isObject(block) || !isObject(delta)) return;
    switch (delta.type) {
      case "text_delta":
        block.text = String(block.text ?? "") + String(delta.text ?? "");
        this.firstDeltaAt ??= Date.now();
        break;
      case "thinking_delta":
        block.thinking = String(block.thinking ?? "") + String(delta.thinking ?? "");
        this.firstDeltaAt ??= Date.now();
        break;
      case "signature_delta":
        block.signature = delta.signature;
        break;
      case "input_json_delta":
        this.#toolJson.set(index, (this.#toolJson.get(index) ?? "") + String(delta.partial_json ?? ""));
        this.firstDeltaAt ??= Date.now();
        break;
      case "citations_delta":
        block.citations = [...(Array.isArray(block.citations) ? block.citations : []), delta.citation];
        break;
    }
  }

  #finishBlock(index: number): void {
    const json = this.#toolJson.get(index);
    if (json === undefined) return;
    this.#toolJson.delete(index);
    const block = this.#content()?.[index];
    if (!isObject(block) || json === "") return; // no fragments: the start event's input stands
    try {
      block.input = JSON.parse(json);
    } catch {
      // A truncated stream leaves half a JSON document; keep the text rather than lose it.
      block.input = json;
    }
  }

  #finishAllBlocks(): void {
    for (const index of [...this.#toolJson.keys()]) this.#finishBlock(index);
  }

  #applyMessageDelta(data: Json): void {
    const message = this.message;
    if (!message) return;
    const delta = isObject(data.delta) ? data.delta : {};
    for (const key of ["stop_reason", "stop_sequence", "stop_details"]) {
      if (key in delta) message[key] = delta[key];
    }
    if (delta.container != null) message.container = delta.container;
    const usage = isObject(data.usage) ? data.usage : undefined;
    if (!usage) return;
    const target: Json = isObject(message.usage) ? message.usage : (message.usage = {});
    // Counters in message_delta are cumulative totals: overwrite, never add. Null means "not reported".
    for (const [key, value] of Object.entries(usage)) {
      if (value !== null && value !== undefined) target[key] = value;
    }
  }
}
