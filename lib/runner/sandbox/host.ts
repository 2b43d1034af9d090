// The sandbox host: the program that runs inside the sandbox, in the same process as the harness.
// It loads the compiled harness (or grader) once, then serves requests from the studio over fd 3,
// one at a time, so one worker can run many tasks without a process start per task.
// Bundled into a standalone .mjs by host-bundle.ts (with the SDK inside, for ctx.model), with
// ctx.exec (host-exec.ts) and the description of values (host-values.ts).
//
// Nothing here is a security boundary: the harness shares this process and can rewrite any of it.
// The studio enforces every limit from outside (sandbox.ts); this file only makes honest harnesses
// easy to trace.
import Anthropic from "@anthropic-ai/sdk";
import type { ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import { pathToFileURL } from "node:url";
import { channelFetch } from "./channel-fetch.ts";
import { killGroup, makeContainerExec, makeExec, receiveExecAnswer } from "./host-exec.ts";
import { describeError, kindOf, preview, toLogValue, unserializable } from "./host-values.ts";
import { OUTPUT_LIMITS } from "./limits.ts";
import {
  LineSplitter,
  type ChildEvent,
  type ChildMessage,
  type ExecAnswerMessage,
  type ExceptionOrigin,
  type HostConfig,
  type ModelAnswerMessage,
  type ParentMessage,
  type TaskError,
} from "./protocol.ts";

const config = JSON.parse(process.argv[2] ?? "{}") as HostConfig;
const control = new net.Socket({ fd: 3, readable: true, writable: true });

// Blocking stdio: a flooding harness waits for the studio to drain the pipe instead of buffering
// gigabytes here, and the end-of-task sentinels land after everything the task wrote.
for (const stream of [process.stdout, process.stderr]) {
  (stream as unknown as { _handle?: { setBlocking?: (on: boolean) => void } })._handle?.setBlocking?.(true);
}
const writeStdout = process.stdout.write.bind(process.stdout);
const writeStderr = process.stderr.write.bind(process.stderr);

function send(message: ChildMessage): void {
  control.write(JSON.stringify(message) + "\n");
}
function sendEvent(event: ChildEvent): void {
  send({ t: "event", event });
}

// The studio closing the channel means the worker is done.
control.on("close", () => process.exit(0));
control.on("error", () => process.exit(0));

process.on("uncaughtException", (error) =>
  sendEvent({ kind: "exception", origin: "uncaught", ...describeError(error) }),
);
process.on("unhandledRejection", (reason) =>
  sendEvent({ kind: "exception", origin: "unhandledRejection", ...describeError(reason) }),
);

// ---------------------------------------------------------------------------------------------
// Loading

type Harness = {
  run: (task: unknown, ctx: unknown) => unknown;
  learn?: (task: unknown, feedback: unknown, ctx: unknown) => unknown;
};
type Grader = (args: unknown, ctx: unknown) => unknown;

let harness: Harness | null = null;
let grader: Grader | null = null;
const state: Record<string, unknown> = {}; // ctx.state: lives as long as this worker
const model = await modelEndpoint();
// ctx.model's calls go over the control channel; raw HTTP to its baseURL still reaches the proxy.
const channel = config.model?.channel ? channelFetch(send, globalThis.fetch.bind(globalThis)) : null;

await load();

async function load(): Promise<void> {
  // Bundled CommonJS code calls `require` for built-ins; ESM has none, so provide it globally.
  (globalThis as { require?: NodeJS.Require }).require = createRequire(import.meta.url);
  let exported: unknown;
  try {
    exported = ((await import(pathToFileURL(config.modulePath).href)) as { default?: unknown }).default;
  } catch (error) {
    const described = describeError(error);
    sendEvent({ kind: "exception", origin: "load", ...described });
    return send({
      t: "ready",
      ok: false,
      error: { kind: "throw", ...described, message: `loading the ${config.role} failed: ${described.message}` },
    });
  }
  const problem = config.role === "harness" ? harnessProblem(exported) : graderProblem(exported);
  if (problem) return send({ t: "ready", ok: false, error: { kind: "contract", message: problem } });
  if (config.role === "harness") harness = exported as Harness;
  else grader = exported as Grader;
  send({ t: "ready", ok: true, hasLearn: typeof harness?.learn === "function" });
}

function harnessProblem(exported: unknown): string | null {
  const shape = "a harness module must `export default { async run(task, ctx) { return answer } }`";
  if (exported === undefined) return `${shape}; it has no default export`;
  if (typeof exported !== "object" || exported === null) return `${shape}; its default export is ${kindOf(exported)}`;
  const { run, learn } = exported as Record<string, unknown>;
  if (typeof run !== "function") return `${shape}; its default export has no run function (run is ${kindOf(run)})`;
  if (learn !== undefined && typeof learn !== "function")
    return `learn, when present, must be a function; it is ${kindOf(learn)}`;
  return null;
}

function graderProblem(exported: unknown): string | null {
  if (typeof exported === "function") return null;
  return `a grader module must \`export default async (args, ctx) => ({ score, explanation })\`; its default export is ${kindOf(exported)}`;
}

/** Inside bubblewrap there is no network: reach the proxy's unix socket through a loopback listener. */
async function modelEndpoint(): Promise<string | null> {
  if (!config.model) return null;
  const { url, socketPath } = config.model;
  if (!socketPath) return url ?? null;
  const server = net.createServer((client) => {
    const upstream = net.connect(socketPath);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  const basePath = url ? new URL(url).pathname.replace(/\/$/, "") : "";
  return `http://127.0.0.1:${port}${basePath}`;
}

// ---------------------------------------------------------------------------------------------
// Requests

const queue: ParentMessage[] = [];
let busy = false;
const lines = new LineSplitter((line) => {
  const message = JSON.parse(line) as ParentMessage | ModelAnswerMessage | ExecAnswerMessage;
  if (message.t.startsWith("model-")) return channel?.receive(message as ModelAnswerMessage);
  if (message.t === "exec-reply") return receiveExecAnswer(message);
  queue.push(message as ParentMessage);
  if (!busy) void drain();
});
control.on("data", (chunk: Buffer) => lines.push(chunk));

async function drain(): Promise<void> {
  busy = true;
  while (queue.length) await handle(queue.shift()!);
  busy = false;
}

// The parent records the `output` event itself when this arrives, so the value crosses the channel once.
type Done = { ok: true; json: string } | { ok: false; error: TaskError };

async function handle(request: ParentMessage): Promise<void> {
  const controller = new AbortController();
  const deadline = performance.now() + request.timeoutMs;
  const timer = setTimeout(
    () => controller.abort(new Error(`time limit of ${request.timeoutMs} ms reached`)),
    request.timeoutMs,
  );
  const execs = new Set<ChildProcess>();
  let done: Done;
  try {
    process.chdir(request.envDir);
    const value = await invoke(request, controller.signal, deadline, execs);
    done = controller.signal.aborted ? timedOut(request) : checkResult(request, value);
  } catch (error) {
    if (controller.signal.aborted) done = timedOut(request);
    else {
      const described = describeError(error);
      sendEvent({ kind: "exception", origin: request.t as ExceptionOrigin, ...described });
      done = { ok: false, error: refusedAllocation(described) ?? { kind: "throw", ...described } };
    }
  } finally {
    clearTimeout(timer);
  }
  for (const child of execs) killGroup(child); // commands the harness started and never awaited
  writeStdout(request.sentinel);
  writeStderr(request.sentinel);
  // The output is already serialised once (to check its size); splice it in rather than redo it.
  if (done.ok) control.write(`{"t":"done","id":${request.id},"ok":true,"output":${done.json}}\n`);
  else send({ t: "done", id: request.id, ok: false, error: done.error });
}

/** An allocation the kernel's limit refused (RLIMIT_DATA) reaches the harness as this RangeError. */
function refusedAllocation(described: { name?: string; message: string }): TaskError | null {
  if (described.name !== "RangeError" || !/allocation failed/i.test(described.message)) return null;
  return {
    kind: "memory",
    message: `the harness could not allocate memory (${described.message}); the worker's limit is ${config.memoryMb} MiB`,
  };
}

function invoke(request: ParentMessage, signal: AbortSignal, deadline: number, execs: Set<ChildProcess>): unknown {
  const exec =
    request.t === "run" && request.container
      ? makeContainerExec(send, signal, deadline)
      : makeExec(request.envDir, signal, deadline, execs, sendEvent);
  const log = (value: unknown) => sendEvent({ kind: "log", value: toLogValue(value) });
  if (request.t === "grade") return grader!(request.args, { log, exec, signal });
  const ctx = { log, exec, signal, state } as Record<string, unknown>;
  let client: Anthropic | null = null;
  Object.defineProperty(ctx, "model", {
    enumerable: true,
    get() {
      if (!model) throw new Error("this sandbox has no model endpoint (the studio started it without a proxy)");
      // Built on first use: most of a harness's ctx is free, and the credential is per task.
      // SDK 1.x sends apiKey as "Authorization: Bearer"; x-api-key carries it too, so the proxy
      // finds the credential under either name.
      const apiKey = request.credential ?? "none";
      return (client ??= new Anthropic({
        baseURL: model,
        apiKey,
        defaultHeaders: { "x-api-key": apiKey },
        ...(channel ? { fetch: channel.fetch } : {}),
      }));
    },
  });
  if (request.t === "run") return harness!.run(request.task, ctx);
  return harness!.learn?.(request.task, request.feedback, ctx);
}

function timedOut(request: ParentMessage): Done {
  const what = request.t === "grade" ? "grader" : `harness's ${request.t}`;
  return {
    ok: false,
    error: { kind: "timeout", message: `the ${what} did not finish within ${request.timeoutMs} ms` },
  };
}

function checkResult(request: ParentMessage, value: unknown): Done {
  if (request.t === "learn") return { ok: true, json: "null" };
  const name = request.t === "run" ? "the harness's output" : "the grade";
  if (value === undefined) {
    const hint =
      request.t === "run"
        ? "run returned undefined; return the answer as a JSON value"
        : "the grader returned undefined";
    return { ok: false, error: { kind: "not_serializable", message: hint } };
  }
  const problem = unserializable(value, request.t === "run" ? "output" : "grade");
  if (problem)
    return { ok: false, error: { kind: "not_serializable", message: `${name} must be JSON-serialisable: ${problem}` } };
  if (request.t === "grade") {
    const { score, explanation } = value as { score?: unknown; explanation?: unknown };
    if (typeof score !== "number" || !(score >= 0 && score <= 1) || typeof explanation !== "string") {
      const message = `a grader must return { score: number from 0 to 1, explanation: string }; it returned ${preview(value)}`;
      return { ok: false, error: { kind: "contract", message } };
    }
  }
  const json = JSON.stringify(value);
  if (Buffer.byteLength(json) > OUTPUT_LIMITS.outputBytes) {
    const message = `${name} is ${Buffer.byteLength(json)} bytes of JSON; the limit is ${OUTPUT_LIMITS.outputBytes}`;
    return { ok: false, error: { kind: "output_limit", message } };
  }
  return { ok: true, json };
}
