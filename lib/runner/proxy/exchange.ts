// One model request, start to finish: budget check, upstream attempts with retries, relaying the
// answer (streams go through stream-relay.ts), and the full record handed to `onExchange`.

import type { IncomingMessage } from "node:http";
import { admitCall, tokensOf } from "./budget.ts";
import {
  describeErrorBody,
  errorBody,
  errorText,
  flattenHeaders,
  parseJsonOrText,
  readAll,
  recordedResponseHeaders,
  sendError,
  type AnthropicErrorType,
} from "./http.ts";
import { backoffMs, isRetryableStatus, retryAfterFromHeaders, sleep } from "./retry.ts";
import { chargeAnswer } from "./charge.ts";
import { relayStream } from "./stream-relay.ts";
import type { Attempt, ClientReply, Exchange, ExchangeContext, ModelRequest } from "./types.ts";
import { clientResponseHeaders, sendUpstream, upstreamHeaders, upstreamUrl } from "./upstream.ts";

/** Headers never written to a trace. */
const SECRET_HEADERS = new Set(["x-api-key", "authorization", "proxy-authorization", "cookie"]);

export async function handleExchange(ctx: ExchangeContext, request: ModelRequest, res: ClientReply): Promise<void> {
  const t0 = Date.now();
  const { operation, entry } = request;
  const text = request.rawBody.toString("utf8");
  const parsed = parseJsonOrText(text);
  const asked =
    typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  // A harness stays model-agnostic: whatever model it names, its call goes to its holder's model.
  const pointAt = entry.attribution.model;
  const rewrite = asked !== undefined && pointAt !== undefined && asked.model !== pointAt;
  const fields = rewrite ? { ...asked, model: pointAt } : asked;
  const body = rewrite ? fields : parsed;
  const rawBody = rewrite ? Buffer.from(JSON.stringify(fields)) : request.rawBody;
  const stream = operation === "messages" && fields?.stream === true;
  const exchange: Exchange = {
    operation,
    startedAt: new Date(t0),
    durationMs: 0,
    stream,
    request: { body, headers: flattenHeaders(request.headers, SECRET_HEADERS) },
    response: { status: 0, body: undefined },
    attempts: [],
    requestModel: typeof fields?.model === "string" ? fields.model : undefined,
    ...(rewrite && typeof asked.model === "string" ? { harnessModel: asked.model } : {}),
  };
  const finish = () => {
    exchange.durationMs = Date.now() - t0;
    ctx.emit(exchange, entry.attribution);
  };
  /** The proxy answers with an error of its own: a refusal, or giving up on upstream. */
  const answerError = (status: number, type: AnthropicErrorType, message: string) => {
    sendError(res, status, type, message);
    exchange.response = { status, body: errorBody(type, message) };
    exchange.error = message;
    finish();
  };

  if (!fields) return answerError(400, "invalid_request_error", "The request body must be a JSON object");

  // The client hanging up (harness killed at its time limit) or the proxy closing stops the upstream call.
  const controller = new AbortController();
  const onClientGone = () => {
    if (!res.writableFinished) controller.abort(new Error("the client disconnected"));
  };
  const onShutdown = () => controller.abort(new Error("the model proxy was closed"));
  res.on("close", onClientGone);
  ctx.shutdown.addEventListener("abort", onShutdown, { once: true });
  const aborted = () => {
    exchange.error = `Aborted: ${errorText(controller.signal.reason)}`;
    // The client rarely sees this (it is usually the one that left), but a closing proxy answers in words.
    if (!res.headersSent && !res.destroyed) sendError(res, 503, "api_error", exchange.error);
    else if (!res.writableEnded) res.end();
    finish();
  };

  // Released once the call is over, after its answer was charged to its budgets.
  let release: ((spend: { tokens: number; usd: number }) => void) | undefined;
  try {
    if (operation === "messages") {
      // count_tokens is free, so only real generations are held to the budgets.
      const admission = await admitCall(entry.attribution, controller.signal).catch(() => null);
      if (!admission) return aborted();
      if ("refusal" in admission) return answerError(400, "invalid_request_error", admission.refusal);
      release = admission.release;
    }
    const url = upstreamUrl(ctx.upstream, request.pathAndQuery);
    const headers = upstreamHeaders(request.headers, ctx.upstream.apiKey, rawBody.length);
    const { maxRetries } = ctx.retry;

    /** Waits before the next attempt; false when the wait was cut short by an abort. */
    const waitBeforeRetry = async (attempt: Attempt, index: number, retryAfter?: number): Promise<boolean> => {
      attempt.retryAfterMs = retryAfter ?? backoffMs(index, ctx.retry);
      try {
        await sleep(attempt.retryAfterMs, controller.signal);
        return true;
      } catch {
        return false;
      }
    };

    for (let index = 0; ; index++) {
      const canRetry = index < maxRetries;
      let upstreamRes: IncomingMessage;
      try {
        // Another worker's 429 on this key holds this attempt too (a wait, not an attempt).
        await ctx.rateGate?.admit(controller.signal);
      } catch {
        return aborted();
      }
      const a0 = Date.now();
      try {
        upstreamRes = await sendUpstream(ctx.upstream, url, headers, rawBody, controller.signal);
      } catch (err) {
        if (controller.signal.aborted) return aborted();
        const attempt: Attempt = { status: 0, durationMs: Date.now() - a0, error: errorText(err) };
        exchange.attempts.push(attempt);
        if (canRetry) {
          if (await waitBeforeRetry(attempt, index)) continue;
          return aborted();
        }
        return answerError(
          502,
          "api_error",
          `Could not reach the model API at ${url.origin} after ${index + 1} attempts: ${attempt.error}`,
        );
      }

      const status = upstreamRes.statusCode ?? 0;
      const isEventStream = String(upstreamRes.headers["content-type"] ?? "").includes("text/event-stream");
      if (stream && status === 200 && isEventStream) {
        const outcome = await relayStream(ctx, exchange, request, upstreamRes, res, controller, t0, a0);
        if (outcome.kind === "relayed") return finish();
        exchange.attempts.push(outcome.attempt);
        if (controller.signal.aborted) return aborted();
        if (canRetry && (await waitBeforeRetry(outcome.attempt, index))) continue;
        if (controller.signal.aborted) return aborted();
        return answerError(
          502,
          "api_error",
          `The model API stream failed before any data, ${index + 1} attempts: ${outcome.attempt.error}`,
        );
      }

      let raw: Buffer;
      try {
        raw = await readAll(upstreamRes);
      } catch (err) {
        if (controller.signal.aborted) return aborted();
        const attempt: Attempt = {
          status,
          durationMs: Date.now() - a0,
          error: `Connection lost while reading the answer: ${errorText(err)}`,
        };
        exchange.attempts.push(attempt);
        if (canRetry && (await waitBeforeRetry(attempt, index))) continue;
        if (controller.signal.aborted) return aborted();
        return answerError(502, "api_error", `${attempt.error} (${index + 1} attempts)`);
      }

      const answer = parseJsonOrText(raw.toString("utf8"));
      const attempt: Attempt = { status, durationMs: Date.now() - a0 };
      if (status >= 400) attempt.error = describeErrorBody(status, answer);
      exchange.attempts.push(attempt);

      const retryAfter = status >= 400 ? retryAfterFromHeaders(upstreamRes.headers) : undefined;
      // The key's limit, for every proxy on it (a failing store only loses the sharing).
      if (status === 429) await ctx.rateGate?.limited(retryAfter).catch(() => {});
      if (status >= 400 && canRetry && isRetryableStatus(status, upstreamRes.headers)) {
        // A server asking for a long wait gets its answer passed on instead (see RetryPolicy).
        if (retryAfter === undefined || retryAfter <= ctx.retry.maxRetryAfterMs) {
          if (await waitBeforeRetry(attempt, index, retryAfter)) continue;
          return aborted();
        }
      }

      const outHeaders = clientResponseHeaders(upstreamRes.headers);
      if (status >= 400) outHeaders["x-should-retry"] = "false";
      outHeaders["content-length"] = raw.length;
      res.writeHead(status, outHeaders);
      res.end(raw);

      exchange.response = { status, body: answer, headers: recordedResponseHeaders(upstreamRes.headers) };
      if (status >= 400) exchange.error = attempt.error;
      else if (operation === "messages") chargeAnswer(ctx.registry, exchange, entry, answer);
      if (status < 400 && operation !== "messages") ctx.registry.record(entry, undefined, 0);
      return finish();
    }
  } finally {
    release?.({ tokens: tokensOf(exchange.usage), usd: exchange.costUsd ?? 0 });
    res.off("close", onClientGone);
    ctx.shutdown.removeEventListener("abort", onShutdown);
  }
}
