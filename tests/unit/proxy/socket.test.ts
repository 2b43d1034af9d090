// The unix socket: how a sandbox without a network reaches the proxy (bind-mounted into it).
import fs from "node:fs";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { afterEach, describe, expect, it } from "vitest";
import { proxyClientOptions, startRecordingProxy } from "../../../lib/runner/proxy/index.ts";
import { scripted } from "../../fakes/anthropic-server.ts";
import { startRig, type Rig } from "./rig.ts";

let rig: Rig | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function socketPath(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "proxy-sock-"));
  dirs.push(dir);
  return path.join(dir, "model.sock");
}

function post(socket: string, pathname: string, headers: Record<string, string>, body: string) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = http.request(
      {
        socketPath: socket,
        path: pathname,
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe("recording proxy: unix socket", () => {
  it("serves the same API over its socket as over TCP", async () => {
    const sock = socketPath();
    rig = await startRig({ proxy: { socketPath: sock }, fake: { respond: scripted([{ text: "over the socket" }]) } });
    expect(rig.proxy.socketPath).toBe(sock);
    expect(fs.lstatSync(sock).isSocket()).toBe(true);

    const res = await post(
      sock,
      "/v1/messages",
      { "x-api-key": rig.credential, "anthropic-version": "2023-06-01" },
      JSON.stringify({ model: "claude-haiku-4-5", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    );
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body).content[0].text).toBe("over the socket");
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.response.status).toBe(200);

    const denied = await post(sock, "/v1/messages", { "x-api-key": "sk-wrong-credential-0000000000" }, "{}");
    expect(denied.status).toBe(401);
  });

  it("lets the SDK stream through the socket with proxyClientOptions", async () => {
    const sock = socketPath();
    rig = await startRig({
      proxy: { socketPath: sock },
      fake: { respond: scripted([{ text: "streamed through a unix socket" }]) },
    });
    const client = new Anthropic(proxyClientOptions({ credential: rig.credential, socketPath: sock }));
    const deltas: string[] = [];
    const final = await client.messages
      .stream({ model: "claude-haiku-4-5", max_tokens: 50, messages: [{ role: "user", content: "hi" }] })
      .on("text", (t) => deltas.push(t))
      .finalMessage();
    expect(final.content[0]).toMatchObject({ text: "streamed through a unix socket" });
    expect(deltas.length).toBeGreaterThan(1);
    const [exchange] = await rig.waitForExchanges(1);
    expect(exchange.stream).toBe(true);
  });

  it("carries an abort through the socket, so the proxy stops the upstream call and records it", async () => {
    const sock = socketPath();
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    rig = await startRig({
      proxy: { socketPath: sock },
      fake: { respond: scripted([{ text: "one two three four", pause: { afterEvents: 3, until: held } }]) },
    });
    const client = new Anthropic(proxyClientOptions({ credential: rig.credential, socketPath: sock }));
    const stream = client.messages.stream({
      model: "claude-haiku-4-5",
      max_tokens: 50,
      messages: [{ role: "user", content: "hi" }],
    });
    const outcome = stream.finalMessage().catch((e) => e);
    try {
      await new Promise((resolve) => stream.once("text", resolve));
      stream.abort();
      expect(await outcome).toBeInstanceOf(Error);
      const [exchange] = await rig.waitForExchanges(1);
      expect(exchange.error).toMatch(/the client disconnected/);
    } finally {
      release();
    }
  });

  it("replaces a stale socket, refuses to replace a regular file, and removes its socket on close", async () => {
    const sock = socketPath();
    const notASocket = sock + ".txt";
    fs.writeFileSync(notASocket, "keep me");
    await expect(
      startRecordingProxy({ onExchange: () => {}, socketPath: notASocket, upstreamUrl: "http://127.0.0.1:9" }),
    ).rejects.toThrow(/not a socket/);
    expect(fs.readFileSync(notASocket, "utf8")).toBe("keep me");

    // A socket file left behind by a crashed run: a hard link outlives the server that made it.
    const other = sock + ".old";
    const server = net.createServer().listen(other);
    await new Promise((resolve) => server.once("listening", resolve));
    fs.linkSync(other, sock);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    expect(fs.lstatSync(sock).isSocket()).toBe(true);

    const proxy = await startRecordingProxy({
      onExchange: () => {},
      socketPath: sock,
      upstreamUrl: "http://127.0.0.1:9",
    });
    const res = await post(sock, "/v1/nothing", {}, "{}");
    expect(res.status).toBe(404);
    await proxy.close();
    expect(fs.existsSync(sock)).toBe(false);
  });
});
