// Inside the sandbox: a `fetch` for ctx.model that sends each call over the control channel to the
// studio's recording proxy (see model-channel.ts for the other end) instead of over loopback HTTP.
// Anything that is not a plain text body (a Request object, a stream, a form) or is very long goes
// to `fallback`, the ordinary fetch through the proxy's HTTP endpoint. Bundled into the host: no Node-only imports.
import { OUTPUT_LIMITS } from "./limits.ts";
import type { ModelAnswerMessage, ModelCallMessage } from "./protocol.ts";

interface Pending {
  resolve: (response: Response) => void;
  reject: (error: unknown) => void;
  stream: ReadableStreamDefaultController<Uint8Array> | null;
  signal?: AbortSignal | null;
  onAbort: () => void;
}

export function channelFetch(send: (message: ModelCallMessage) => void, fallback: typeof fetch) {
  const pending = new Map<number, Pending>();
  const encoder = new TextEncoder();
  let nextId = 1;

  const forget = (id: number) => {
    const call = pending.get(id);
    pending.delete(id);
    call?.signal?.removeEventListener("abort", call.onAbort);
    return call;
  };

  const fetchOverChannel = (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    if (typeof input !== "string" && !(input instanceof URL)) return fallback(input, init);
    const body = init.body ?? "";
    if (typeof body !== "string" || body.length > OUTPUT_LIMITS.channelBodyChars) return fallback(input, init);
    const url = new URL(String(input));
    const headers: Record<string, string> = {};
    // The SDK passes a Headers already; copying it through undici's validation again costs per call.
    (init.headers instanceof Headers ? init.headers : new Headers(init.headers)).forEach(
      (value, name) => (headers[name] = value),
    );
    const id = nextId++;
    const signal = init.signal;
    return new Promise<Response>((resolve, reject) => {
      if (signal?.aborted) return reject(abortError(signal));
      const call: Pending = {
        resolve,
        reject,
        stream: null,
        signal,
        onAbort: () => {
          forget(id);
          send({ t: "model-abort", id });
          const error = abortError(signal!);
          if (call.stream) call.stream.error(error);
          else reject(error);
        },
      };
      signal?.addEventListener("abort", call.onAbort, { once: true });
      pending.set(id, call);
      send({
        t: "model",
        id,
        method: (init.method ?? "GET").toUpperCase(),
        path: url.pathname + url.search,
        headers,
        body,
      });
    });
  };

  /** A model-* message from the studio. */
  const receive = (message: ModelAnswerMessage): void => {
    const call = pending.get(message.id);
    if (!call) return; // aborted already
    try {
      deliver(call, message);
    } catch (error) {
      // e.g. a header value Response refuses: fail this call, never the host's message loop
      forget(message.id);
      if (call.stream) call.stream.error(error);
      else call.reject(error);
    }
  };

  const deliver = (call: Pending, message: ModelAnswerMessage): void => {
    switch (message.t) {
      case "model-reply":
        forget(message.id);
        call.resolve(
          new Response(nullBodyStatus(message.status) ? null : message.body, {
            status: message.status,
            headers: message.headers,
          }),
        );
        return;
      case "model-head": {
        let controller!: ReadableStreamDefaultController<Uint8Array>;
        const body = new ReadableStream<Uint8Array>({ start: (started) => void (controller = started) });
        const response = new Response(body, { status: message.status, headers: message.headers });
        call.stream = controller;
        call.resolve(response);
        return;
      }
      case "model-data":
        call.stream?.enqueue(encoder.encode(message.data));
        return;
      case "model-end":
        forget(message.id);
        if (message.error) {
          const error = new TypeError(`fetch failed: ${message.error}`);
          if (call.stream) call.stream.error(error);
          else call.reject(error);
        } else call.stream?.close();
        return;
    }
  };

  return { fetch: fetchOverChannel as typeof fetch, receive };
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException("This operation was aborted", "AbortError");
}

function nullBodyStatus(status: number): boolean {
  return status === 101 || status === 204 || status === 205 || status === 304;
}
