// The offline model over real HTTP, spoken to by the official SDK: plain and streamed messages,
// count_tokens, usage by the rules' arithmetic, deterministic ids, cuts and errors in
// Anthropic's shape.
import Anthropic from "@anthropic-ai/sdk";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOfflineModel, type OfflineModel } from "../../../lib/offline/model.ts";

let model: OfflineModel;
let client: Anthropic;

beforeAll(async () => {
  model = await startOfflineModel();
  // maxRetries 0: an error must show up as the error, not as a retry loop.
  client = new Anthropic({ baseURL: model.url, apiKey: "any-key-at-all", maxRetries: 0 });
});
afterAll(async () => {
  await model?.close();
});

const classification =
  "Classify this ticket. Answer with only the label.\nLabels: billing, refund, password_reset\nText: I forgot my password";

describe("POST /v1/messages", () => {
  it("answers by the rules, echoes the model, and reports usage from the characters", async () => {
    const message = await client.messages.create({
      model: "claude-imaginary-9",
      max_tokens: 50,
      system: "You are a helpful triage assistant.",
      messages: [{ role: "user", content: classification }],
    });
    expect(message).toMatchObject({
      type: "message",
      role: "assistant",
      model: "claude-imaginary-9",
      content: [{ type: "text", text: "password_reset" }],
      stop_reason: "end_turn",
      stop_sequence: null,
    });
    const characters = "You are a helpful triage assistant.".length + classification.length;
    expect(message.usage.input_tokens).toBe(Math.ceil(characters / 4));
    expect(message.usage.output_tokens).toBe(Math.ceil("password_reset".length / 4));
    expect(message.id).toMatch(/^msg_offline_/);
  });

  it("gives the same id to the same request, and another to a different one", async () => {
    const request = { model: "m", max_tokens: 20, messages: [{ role: "user" as const, content: "What is 2 plus 2?" }] };
    const [a, b, c] = await Promise.all([
      client.messages.create(request),
      client.messages.create(request),
      client.messages.create({ ...request, max_tokens: 21 }),
    ]);
    expect(a.id).toBe(b.id);
    expect(a.id).not.toBe(c.id);
    expect(a.content).toEqual(b.content);
    const raw = await client.messages.create(request).asResponse();
    expect(raw.headers.get("request-id")).toMatch(/^req_offline_/);
    expect(raw.headers.get("x-offline-model")).toBe("simulated");
  });

  it("counts tool definitions as input and never calls a tool", async () => {
    const tools = [
      { name: "calculator", description: "adds", input_schema: { type: "object" as const, properties: {} } },
    ];
    const question = "What is 2 plus 3?";
    const message = await client.messages.create({
      model: "m",
      max_tokens: 20,
      tools,
      messages: [{ role: "user", content: question }],
    });
    expect(message.content).toEqual([{ type: "text", text: "Let me see. The answer is 5.", citations: null }]);
    expect(message.usage.input_tokens).toBe(Math.ceil((question.length + JSON.stringify(tools).length) / 4));
  });

  it("cuts the answer at a stop sequence, or at max_tokens", async () => {
    const ask = (extra: { max_tokens: number; stop_sequences?: string[] }) =>
      client.messages.create({ model: "m", messages: [{ role: "user", content: "What is 6 times 7?" }], ...extra });
    const stopped = await ask({ max_tokens: 100, stop_sequences: ["answer", "see"] });
    expect(stopped).toMatchObject({
      content: [{ text: "Let me " }],
      stop_reason: "stop_sequence",
      stop_sequence: "see",
    });
    const cut = await ask({ max_tokens: 2 });
    expect(cut).toMatchObject({
      content: [{ text: "Let me s" }],
      stop_reason: "max_tokens",
      usage: { output_tokens: 2 },
    });
  });
});

describe("streaming", () => {
  it("sends the real event sequence with several text deltas, and the SDK assembles the message", async () => {
    const problem =
      "Ann has 12 apples, buys 5 more and then gives away 3. How many apples are left? Think step by step.";
    const stream = client.messages.stream({
      model: "claude-sonnet-5-5",
      max_tokens: 200,
      messages: [{ role: "user", content: problem }],
    });
    const types: string[] = [];
    const deltas: string[] = [];
    stream.on("streamEvent", (event) => {
      types.push(event.type);
      if (event.type === "content_block_delta" && event.delta.type === "text_delta") deltas.push(event.delta.text);
    });
    const message = await stream.finalMessage();
    const expected = "Let me work through it step by step.\n12 + 5 = 17\n17 - 3 = 14\nThe answer is 14.";
    expect(message.content).toEqual([{ type: "text", text: expected, citations: null }]);
    expect(deltas.length).toBeGreaterThan(2);
    expect(deltas.join("")).toBe(expected);
    expect(types[0]).toBe("message_start");
    expect(types[1]).toBe("content_block_start");
    expect(types.slice(-3)).toEqual(["content_block_stop", "message_delta", "message_stop"]);
    expect(new Set(types.slice(2, -3))).toEqual(new Set(["content_block_delta"]));
    expect(message).toMatchObject({ model: "claude-sonnet-5-5", stop_reason: "end_turn" });
    expect(message.usage.input_tokens).toBe(Math.ceil(problem.length / 4));
    expect(message.usage.output_tokens).toBe(Math.ceil(expected.length / 4));
  });

  it("splits even a one-word answer into more than one delta, with a ping like the real API", async () => {
    const response = await fetch(`${model.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "m",
        max_tokens: 10,
        stream: true,
        messages: [{ role: "user", content: classification }],
      }),
    });
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const text = await response.text();
    const events = [...text.matchAll(/^event: (\S+)$/gm)].map((match) => match[1]);
    expect(events).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const pieces = [...text.matchAll(/"text_delta","text":("(?:[^"\\]|\\.)*")/g)].map((match) => JSON.parse(match[1]));
    expect(pieces.join("")).toBe("password_reset");
  });
});

describe("POST /v1/messages/count_tokens", () => {
  it("returns the input figure a message would report", async () => {
    const params = { model: "m", system: "Be brief.", messages: [{ role: "user" as const, content: classification }] };
    const counted = await client.messages.countTokens(params);
    const message = await client.messages.create({ ...params, max_tokens: 20 });
    expect(counted).toEqual({ input_tokens: message.usage.input_tokens });
    expect(counted.input_tokens).toBe(Math.ceil(("Be brief.".length + classification.length) / 4));
  });
});

describe("errors", () => {
  async function post(path: string, body: string) {
    const response = await fetch(`${model.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    return { status: response.status, body: await response.json() };
  }

  it("answers bad requests with Anthropic's error shape, which the SDK raises as typed errors", async () => {
    await expect(
      client.messages.create({ model: "m", messages: [{ role: "user", content: "hi" }] } as never),
    ).rejects.toMatchObject({
      status: 400,
      error: { type: "error", error: { type: "invalid_request_error", message: "max_tokens: Field required" } },
    });
    await expect(client.messages.create({ model: "m", max_tokens: 10, messages: [] })).rejects.toBeInstanceOf(
      Anthropic.BadRequestError,
    );
    await expect(
      client.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "robot", content: "hi" }] } as never),
    ).rejects.toMatchObject({ status: 400 });
  });

  it.each([
    ["not JSON", "{", /not valid JSON/],
    [
      "no model",
      JSON.stringify({ max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
      /^model: Field required$/,
    ],
    [
      "zero max_tokens",
      JSON.stringify({ model: "m", max_tokens: 0, messages: [{ role: "user", content: "hi" }] }),
      /max_tokens/,
    ],
    [
      "a text block without text",
      JSON.stringify({ model: "m", max_tokens: 5, messages: [{ role: "user", content: [{ type: "text" }] }] }),
      /messages\.0\.content\.0\.text/,
    ],
    [
      "a non-boolean stream",
      JSON.stringify({ model: "m", max_tokens: 5, stream: "yes", messages: [{ role: "user", content: "hi" }] }),
      /stream/,
    ],
  ])("400 for %s", async (_, body, message) => {
    const reply = await post("/v1/messages", body);
    expect(reply.status).toBe(400);
    expect(reply.body).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(reply.body.error.message).toMatch(message);
    expect(reply.body.request_id).toMatch(/^req_offline_/);
  });

  it("413 for a body over 32 MiB, still in the error shape", async () => {
    const content = "x".repeat(33 * 1024 * 1024);
    const reply = await post(
      "/v1/messages",
      JSON.stringify({ model: "m", max_tokens: 5, messages: [{ role: "user", content }] }),
    );
    expect(reply).toMatchObject({ status: 413, body: { type: "error", error: { type: "request_too_large" } } });
  });

  it("404 for other routes, and count_tokens needs no max_tokens but still a model", async () => {
    const missing = await post("/v1/complete", "{}");
    expect(missing).toMatchObject({ status: 404, body: { type: "error", error: { type: "not_found_error" } } });
    const get = await fetch(`${model.url}/v1/messages`);
    expect(get.status).toBe(404);
    const noModel = await post(
      "/v1/messages/count_tokens",
      JSON.stringify({ messages: [{ role: "user", content: "hi" }] }),
    );
    expect(noModel).toMatchObject({ status: 400, body: { error: { message: "model: Field required" } } });
  });
});

describe("the process-wide offline model", () => {
  it("does not keep a finished process alive (a CLI eval must exit)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offline-unref-"));
    const script = path.join(dir, "ask.mts");
    const upstream = path.resolve(import.meta.dirname, "../../../lib/offline/upstream.ts");
    fs.writeFileSync(
      script,
      `import { offlineUpstream } from ${JSON.stringify(upstream)};
const response = await fetch((await offlineUpstream()) + "/v1/messages", {
  method: "POST",
  body: JSON.stringify({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "What is 2 plus 2? Just the number." }] }),
});
console.log((await response.json()).content[0].text);
`,
    );
    try {
      const started = Date.now();
      const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
        cwd: path.resolve(import.meta.dirname, "../../.."),
        timeout: 30_000,
      });
      expect(stdout.trim()).toBe("4");
      expect(Date.now() - started).toBeLessThan(30_000);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
