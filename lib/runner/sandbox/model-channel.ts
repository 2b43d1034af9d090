// The studio's end of ctx.model's calls over the control channel: each `model` message from the
// worker becomes a ChannelRequest for the recording proxy, and the proxy's answer goes back as
// model-* messages. Cheaper than the loopback HTTP hop it replaces (no HTTP client or server on
// either side, no forwarder), and the proxy checks, forwards and records exactly as over HTTP.
import { EventEmitter } from "node:events";
import type { OutgoingHttpHeaders } from "node:http";
import { StringDecoder } from "node:string_decoder";
import type { ChannelRequest, ClientReply } from "../proxy/types.ts";
import type { ModelAnswerMessage, ModelCallMessage } from "./protocol.ts";

export type ServeModelCall = (request: ChannelRequest, reply: ClientReply) => void;

/** The calls of one worker process; answers go to that process only, never to a restarted one. */
export class ModelChannel {
  private readonly open = new Map<number, ChannelReply>();

  constructor(
    private readonly serve: ServeModelCall,
    private readonly send: (message: ModelAnswerMessage) => void,
  ) {}

  /** A model-* message from the worker; false when its shape is wrong. */
  receive(message: ModelCallMessage): boolean {
    if (!Number.isSafeInteger(message.id)) return false;
    if (message.t === "model-abort") {
      this.open.get(message.id)?.clientGone();
      return true;
    }
    const { id, method, path, headers, body } = message;
    if (typeof method !== "string" || typeof path !== "string" || !path.startsWith("/") || typeof body !== "string")
      return false;
    if (
      typeof headers !== "object" ||
      headers === null ||
      Object.values(headers).some((value) => typeof value !== "string")
    )
      return false;
    if (this.open.has(id)) return false;
    const reply = new ChannelReply(id, this.send);
    this.open.set(id, reply);
    reply.once("close", () => this.open.delete(id));
    const lowered: Record<string, string> = {};
    for (const [name, value] of Object.entries(headers)) lowered[name.toLowerCase()] = value;
    this.serve({ method, path, headers: lowered, body: Buffer.from(body, "utf8") }, reply);
    return true;
  }

  /** The worker died or was restarted: every call still open lost its client. */
  closeAll(): void {
    for (const reply of [...this.open.values()]) reply.clientGone();
  }
}

/** ClientReply over the channel. A whole answer travels as one message; a stream as head, data, end. */
class ChannelReply extends EventEmitter implements ClientReply {
  headersSent = false;
  destroyed = false;
  writableEnded = false;
  writableFinished = false;
  private head: { status: number; headers: Record<string, string> } | null = null;
  private streaming = false;
  // SSE arrives in arbitrary byte chunks; a character split between two must not become U+FFFD.
  private readonly decoder = new StringDecoder("utf8");

  constructor(
    private readonly id: number,
    private readonly send: (message: ModelAnswerMessage) => void,
  ) {
    super();
  }

  writeHead(status: number, headers: OutgoingHttpHeaders): this {
    this.head = { status, headers: answerHeaders(headers) };
    this.headersSent = true;
    return this;
  }

  write(chunk: Buffer | string): boolean {
    if (this.destroyed || this.writableEnded) return false;
    this.startStream();
    const data = typeof chunk === "string" ? chunk : this.decoder.write(chunk);
    if (data) this.send({ t: "model-data", id: this.id, data });
    return true;
  }

  end(chunk?: Buffer | string): this {
    if (this.destroyed || this.writableEnded) return this;
    this.writableEnded = true;
    if (!this.streaming) {
      const body = chunk === undefined ? "" : typeof chunk === "string" ? chunk : chunk.toString("utf8");
      const { status, headers } = this.head ?? { status: 200, headers: {} };
      this.send({ t: "model-reply", id: this.id, status, headers, body });
    } else {
      const rest =
        (chunk === undefined ? "" : typeof chunk === "string" ? chunk : this.decoder.write(chunk)) + this.decoder.end();
      if (rest) this.send({ t: "model-data", id: this.id, data: rest });
      this.send({ t: "model-end", id: this.id });
    }
    this.writableFinished = true;
    this.emit("close");
    return this;
  }

  destroy(): this {
    if (this.destroyed || this.writableEnded) return this;
    this.destroyed = true;
    if (this.streaming) this.send({ t: "model-end", id: this.id, error: "the model proxy cut the answer off" });
    else this.send({ t: "model-end", id: this.id, error: "the model proxy failed to answer" });
    this.emit("close");
    return this;
  }

  /** The SDK aborted the call, or the worker went away. */
  clientGone(): void {
    if (this.destroyed || this.writableFinished) return;
    this.destroyed = true;
    this.emit("close");
  }

  private startStream(): void {
    if (this.streaming) return;
    this.streaming = true;
    const { status, headers } = this.head ?? { status: 200, headers: {} };
    this.headersSent = true;
    this.send({ t: "model-head", id: this.id, status, headers });
  }
}

/** One string per header, without the ones that describe an HTTP connection rather than the answer. */
function answerHeaders(headers: OutgoingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (
      value === undefined ||
      key === "content-length" ||
      key === "connection" ||
      key === "transfer-encoding" ||
      key === "keep-alive"
    )
      continue;
    out[key] = Array.isArray(value) ? value.join(", ") : String(value);
  }
  return out;
}
