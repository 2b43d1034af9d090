// Relays a streamed (SSE) answer to the client as it arrives, while reassembling it for the record.

import type { IncomingMessage } from "node:http";
import { errorBody, errorText, recordedResponseHeaders } from "./http.ts";
import { MessageAssembler } from "./reassemble.ts";
import { isRetryableStreamError } from "./retry.ts";
import { chargeAnswer } from "./charge.ts";
import { SseParser } from "./sse.ts";
import type { Attempt, ClientReply, Exchange, ExchangeContext, ModelRequest } from "./types.ts";
import { clientResponseHeaders } from "./upstream.ts";

/** Why a stream attempt ended: relayed to the client, or failed before the client saw a byte. */
export type StreamOutcome = { kind: "relayed" } | { kind: "retryable"; attempt: Attempt };

/**
 * Relays an SSE answer to the client chunk by chunk while reassembling it. Bytes are held back
 * only until the first event is complete: an error or a broken connection before that point
 * can still be retried, because the client has seen nothing yet.
 */
export async function relayStream(
  ctx: ExchangeContext,
  exchange: Exchange,
  request: ModelRequest,
  upstreamRes: IncomingMessage,
  res: ClientReply,
  controller: AbortController,
  t0: number,
  a0: number,
): Promise<StreamOutcome> {
  const parser = new SseParser();
  const assembler = new MessageAssembler();
  const raw: Buffer[] = [];
  let held: Buffer[] = [];
  let relaying = false;
  let failure: string | undefined;

  const startRelaying = () => {
    res.writeHead(200, clientResponseHeaders(upstreamRes.headers));
    relaying = true;
  };

  try {
    for await (const chunk of upstreamRes as AsyncIterable<Buffer>) {
      raw.push(chunk);
      const events = parser.push(chunk);
      for (const event of events) assembler.apply(event);
      if (relaying) {
        await write(res, chunk);
        continue;
      }
      held.push(chunk);
      if (events.length === 0) continue;
      if (assembler.error && !assembler.message && isRetryableStreamError(assembler.error.type)) {
        upstreamRes.destroy();
        return {
          kind: "retryable",
          attempt: {
            status: 200,
            durationMs: Date.now() - a0,
            error: `Stream error before any data: ${assembler.error.type}: ${assembler.error.message}`,
          },
        };
      }
      startRelaying();
      for (const part of held) await write(res, part);
      held = [];
    }
    for (const event of parser.end()) assembler.apply(event);
  } catch (err) {
    if (!relaying) {
      // Nothing reached the client yet: the caller retries, or answers the abort itself.
      return {
        kind: "retryable",
        attempt: {
          status: 200,
          durationMs: Date.now() - a0,
          error: `Connection lost before any data: ${errorText(err)}`,
        },
      };
    } else if (controller.signal.aborted) {
      failure = `Aborted mid-stream: ${errorText(controller.signal.reason)}`;
    } else {
      failure = `Connection to the model API lost mid-stream: ${errorText(err)}`;
    }
  }

  if (!relaying && !failure) {
    if (held.length === 0) {
      return {
        kind: "retryable",
        attempt: { status: 200, durationMs: Date.now() - a0, error: "The stream ended before any data" },
      };
    }
    // A short stream whose only event was completed by the end of input (no trailing blank line).
    startRelaying();
    for (const part of held) await write(res, part);
  }

  if (!res.writableEnded && !res.destroyed) {
    if (failure && relaying && !controller.signal.aborted) {
      // Tell the SDK in words rather than leave it with a truncated stream.
      const event = errorBody("api_error", failure);
      res.write(`event: error\ndata: ${JSON.stringify(event)}\n\n`);
    }
    res.end();
  }

  const attempt: Attempt = { status: 200, durationMs: Date.now() - a0 };
  if (failure) attempt.error = failure;
  exchange.attempts.push(attempt);

  const message = assembler.result();
  exchange.response = {
    status: 200,
    body: message,
    rawStream: Buffer.concat(raw).toString("utf8"),
    headers: recordedResponseHeaders(upstreamRes.headers),
  };
  if (assembler.firstDeltaAt !== undefined) exchange.timeToFirstTokenMs = assembler.firstDeltaAt - t0;
  if (message) chargeAnswer(ctx.registry, exchange, request.entry, message);
  else ctx.registry.record(request.entry, undefined, 0);

  if (assembler.error) exchange.error = `Stream error: ${assembler.error.type}: ${assembler.error.message}`;
  else if (failure) exchange.error = failure;
  else if (!assembler.complete) exchange.error = "The stream ended without message_stop";
  return { kind: "relayed" };
}

/** Writes with backpressure; resolves early if the client goes away. */
function write(res: ClientReply, chunk: Buffer): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  if (res.write(chunk)) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      res.off("drain", done);
      res.off("close", done);
      resolve();
    };
    res.once("drain", done);
    res.once("close", done);
  });
}
