// ctx.model's calls over the worker's control channel: real workers (bubblewrap and the process
// fallback), the real recording proxy and the fake Anthropic server over HTTP. The channel must
// be indistinguishable from the HTTP path for a harness, and the proxy must record the same.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  newCredential,
  startRecordingProxy,
  type Exchange,
  type RecordingProxy,
} from "../../../lib/runner/proxy/index.ts";
import type { ChannelRequest, ClientReply } from "../../../lib/runner/proxy/types.ts";
import { compileHarness } from "../../../lib/runner/sandbox/compile.ts";
import { ModelChannel } from "../../../lib/runner/sandbox/model-channel.ts";
import type { ModelAnswerMessage } from "../../../lib/runner/sandbox/protocol.ts";
import { startFakeAnthropic, type FakeAnthropic, type Respond } from "../../fakes/anthropic-server.ts";
import { makeFolders, modes, worker } from "./helpers.ts";

let fake: FakeAnthropic;
let proxy: RecordingProxy;
const exchanges: Exchange[] = [];
let channelCalls: ChannelRequest[] = [];
const hold = new Promise<never>(() => {});
let respond: Respond = () => ({ text: "ok" });

beforeAll(async () => {
  fake = await startFakeAnthropic({ respond: (request) => respond(request) });
  const { root } = makeFolders();
  proxy = await startRecordingProxy({
    upstreamUrl: fake.url,
    apiKey: "real-key",
    socketPath: path.join(root, "proxy.sock"),
    retryBaseMs: 1,
    onExchange: (exchange) => void exchanges.push(exchange),
  });
});
afterAll(async () => {
  await proxy?.close();
  await fake?.close();
});

/** The proxy as a worker sees it, counting what arrives over the channel. */
function proxyOption() {
  return {
    url: proxy.url,
    socketPath: proxy.socketPath,
    serve: (request: ChannelRequest, reply: ClientReply) => {
      channelCalls.push(request);
      proxy.serve(request, reply);
    },
  };
}

async function harness(source: string): Promise<string> {
  const result = await compileHarness(source, { filename: "channel-harness.ts" });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.code;
}

/** Runs one task with a fresh credential; returns its outcome and the exchanges it made. */
async function runWith(mode: "bubblewrap" | "process", source: string, input: unknown = null, timeoutMs = 10_000) {
  const { worker: w, env } = await worker(mode, { code: await harness(source) }, { proxy: proxyOption() });
  const credential = newCredential();
  proxy.register(credential, { taskRunId: "task-run-1" });
  exchanges.length = 0;
  channelCalls = [];
  const outcome = await w.runTask({ task: { id: "t1", input }, credential, timeoutMs, envDir: env });
  await proxy.whenRecorded(credential);
  proxy.unregister(credential);
  return { outcome, exchanges: [...exchanges], channelCalls: [...channelCalls], worker: w, env };
}

describe.each(modes)("ctx.model over the control channel (%s)", (mode) => {
  it("answers a call over the channel, with the task's credential, recorded in full", async () => {
    respond = () => ({ text: "hello over the channel", usage: { input_tokens: 7, output_tokens: 3 } });
    const { outcome, exchanges, channelCalls } = await runWith(
      mode,
      `export default { async run(task: unknown, ctx: any) {
        const reply = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
        const counted = await ctx.model.messages.countTokens({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "hi" }] });
        const beta = await ctx.model.beta.messages.create({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
        let missing = "";
        try { await ctx.model.models.list(); } catch (error: any) { missing = error.status + " " + /Not found: GET \\/v1\\/models/.test(error.message); }
        return { text: reply.content[0].text, tokens: counted.input_tokens > 0, beta: beta.content[0].text, missing };
      } };`,
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.output).toEqual({
      text: "hello over the channel",
      tokens: true,
      beta: "hello over the channel",
      missing: "404 true",
    });
    expect(channelCalls.map((call) => `${call.method} ${call.path}`)).toEqual([
      "POST /v1/messages",
      "POST /v1/messages/count_tokens",
      "POST /v1/messages",
      "GET /v1/models",
    ]);
    expect(exchanges.map((exchange) => exchange.operation)).toEqual(["messages", "count_tokens", "messages"]);
    expect(exchanges[0].response.status).toBe(200);
    expect(exchanges[0].usage).toMatchObject({ input_tokens: 7, output_tokens: 3 });
    // The real key went upstream; the per-task credential did not, and no secret is in the record.
    expect(fake.requests.at(-1)!.headers["x-api-key"]).toBe("real-key");
    expect(JSON.stringify(exchanges[0].request.headers)).not.toMatch(/real-key|Bearer/);
  });

  it("streams: events arrive as they come, multi-byte text intact, reassembled in the record", async () => {
    const text = "Grüße, 漢字 und 🙂 — ".repeat(40);
    respond = () => ({ text, eventDelayMs: 1 });
    const { outcome, exchanges, channelCalls } = await runWith(
      mode,
      `export default { async run(task: unknown, ctx: any) {
        const stream = ctx.model.messages.stream({ model: "claude-haiku-4-5", max_tokens: 2000, messages: [{ role: "user", content: "hi" }] });
        let deltas = 0;
        stream.on("text", () => deltas++);
        const message = await stream.finalMessage();
        return { text: message.content[0].text, deltas };
      } };`,
    );
    expect(outcome.error).toBeUndefined();
    const output = outcome.output as { text: string; deltas: number };
    expect(output.text).toBe(text);
    expect(output.deltas).toBeGreaterThan(1);
    expect(channelCalls).toHaveLength(1);
    expect(exchanges[0].stream).toBe(true);
    expect((exchanges[0].response.body as { content: { text: string }[] }).content[0].text).toBe(text);
    expect(exchanges[0].response.rawStream).toContain("message_stop");
  });

  it("an SDK abort mid-stream stops the upstream call, and the record says so", async () => {
    respond = () => ({ text: "one two three four five six", pause: { afterEvents: 3, until: hold } });
    const started = performance.now();
    const { outcome, exchanges } = await runWith(
      mode,
      `export default { async run(task: unknown, ctx: any) {
        const stream = ctx.model.messages.stream({ model: "claude-haiku-4-5", max_tokens: 64, messages: [{ role: "user", content: "hi" }] });
        await new Promise((resolve) => stream.on("text", resolve));
        stream.abort();
        try { await stream.finalMessage(); return "not aborted"; } catch (error: any) { return error.name; }
      } };`,
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.output).toBe("APIUserAbortError");
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].error).toMatch(/Aborted.*client disconnected/);
  });

  it("a worker killed at its time limit during a call ends that call, recorded as aborted", async () => {
    respond = async () => {
      await new Promise((resolve) => setTimeout(resolve, 5_000));
      return { text: "too late" };
    };
    const { outcome, exchanges } = await runWith(
      mode,
      `export default { async run(task: unknown, ctx: any) {
        await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] }, { signal: undefined });
        return "answered";
      } };`,
      null,
      300,
    );
    expect(outcome.error?.kind).toBe("timeout");
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0].error).toMatch(/Aborted/);
  });

  it("long requests, and raw HTTP to ctx.model.baseURL, still reach the proxy over HTTP", async () => {
    respond = (request) => ({ text: `got ${JSON.stringify(request.body).length} chars` });
    const { outcome, exchanges, channelCalls } = await runWith(
      mode,
      `export default { async run(task: unknown, ctx: any) {
        const long = "x".repeat(3 * 1024 * 1024);
        const big = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: long }] });
        const raw = await fetch(ctx.model.baseURL + "/v1/messages/count_tokens", {
          method: "POST",
          headers: { "content-type": "application/json", "x-api-key": ctx.model.apiKey, "anthropic-version": "2023-06-01" },
          body: JSON.stringify({ model: "claude-haiku-4-5", messages: [{ role: "user", content: "count me" }] }),
        });
        return { big: big.content[0].text, raw: raw.status, tokens: (await raw.json()).input_tokens };
      } };`,
    );
    expect(outcome.error).toBeUndefined();
    const output = outcome.output as { big: string; raw: number; tokens: number };
    expect(output.big).toMatch(/^got \d{7} chars$/);
    expect(output.raw).toBe(200);
    expect(output.tokens).toBeGreaterThan(0);
    expect(channelCalls).toHaveLength(0);
    expect(exchanges.map((exchange) => exchange.operation).sort()).toEqual(["count_tokens", "messages"]);
  });

  it("ctx.model and the errors it throws are the very SDK classes the harness imports", async () => {
    respond = () => ({ status: 400, error: { type: "invalid_request_error", message: "messages: too short" } });
    const { outcome } = await runWith(
      mode,
      `import Anthropic, { BadRequestError } from "@anthropic-ai/sdk";
      export default { async run(task: unknown, ctx: any) {
        try {
          await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
          return "no error";
        } catch (error) {
          return {
            client: ctx.model instanceof Anthropic,
            apiError: error instanceof Anthropic.APIError,
            badRequest: error instanceof BadRequestError,
            status: (error as { status?: number }).status,
          };
        }
      } };`,
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.output).toEqual({ client: true, apiError: true, badRequest: true, status: 400 });
  });

  it("forged channel messages are noted in the trace and the worker keeps serving", async () => {
    respond = () => ({ text: "still fine" });
    const { outcome, exchanges } = await runWith(
      mode,
      `import fs from "node:fs";
      export default { async run(task: unknown, ctx: any) {
        fs.writeSync(3, JSON.stringify({ t: "model", id: "not a number", method: "POST", path: "/v1/messages", headers: {}, body: "" }) + "\\n");
        fs.writeSync(3, JSON.stringify({ t: "model", id: 9e9, method: "POST", path: "/v1/messages", headers: { "x-api-key": "stolen?" }, body: "{}" }) + "\\n");
        await new Promise((resolve) => setTimeout(resolve, 100));
        const reply = await ctx.model.messages.create({ model: "claude-haiku-4-5", max_tokens: 16, messages: [{ role: "user", content: "hi" }] });
        return reply.content[0].text;
      } };`,
    );
    expect(outcome.error).toBeUndefined();
    expect(outcome.output).toBe("still fine");
    const notes = outcome.events
      .filter((event) => event.kind === "sandbox")
      .map((event) => (event as { message: string }).message);
    expect(notes.some((note) => note.includes("unexpected control message"))).toBe(true);
    // The forged call with an unknown key was refused by the proxy (401) and recorded nowhere.
    expect(exchanges).toHaveLength(1);
  });
});

describe("ModelChannel", () => {
  it("keeps a character split across two chunks whole, and sends a whole answer as one message", () => {
    const sent: ModelAnswerMessage[] = [];
    const replies: ClientReply[] = [];
    const channel = new ModelChannel(
      (_request, reply) => replies.push(reply),
      (message) => sent.push(message),
    );
    const call = { t: "model" as const, method: "POST", path: "/v1/messages", headers: {}, body: "{}" };
    expect(channel.receive({ ...call, id: 1 })).toBe(true);
    expect(channel.receive({ ...call, id: 2 })).toBe(true);
    expect(channel.receive({ ...call, id: 2 })).toBe(false); // the same id twice
    expect(channel.receive({ ...call, id: 3, path: "http://elsewhere/" })).toBe(false);

    const bytes = Buffer.from("🙂", "utf8");
    replies[0].writeHead(200, { "content-type": "text/event-stream", "content-length": 4 });
    replies[0].write(bytes.subarray(0, 1));
    replies[0].write(bytes.subarray(1));
    replies[0].end();
    replies[1].writeHead(200, { "content-type": "application/json" });
    replies[1].end('{"ok":true}');

    expect(sent).toEqual([
      { t: "model-head", id: 1, status: 200, headers: { "content-type": "text/event-stream" } },
      { t: "model-data", id: 1, data: "🙂" },
      { t: "model-end", id: 1 },
      { t: "model-reply", id: 2, status: 200, headers: { "content-type": "application/json" }, body: '{"ok":true}' },
    ]);
  });

  it("tells the proxy the client is gone when the worker dies", () => {
    const replies: ClientReply[] = [];
    const channel = new ModelChannel(
      (_request, reply) => replies.push(reply),
      () => {},
    );
    channel.receive({ t: "model", id: 1, method: "POST", path: "/v1/messages", headers: {}, body: "{}" });
    let closed = false;
    replies[0].on("close", () => (closed = true));
    channel.closeAll();
    expect(closed).toBe(true);
    expect(replies[0].destroyed).toBe(true);
    expect(replies[0].writableFinished).toBe(false);
  });
});
