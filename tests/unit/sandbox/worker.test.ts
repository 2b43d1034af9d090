// Happy paths of the sandbox worker, under bubblewrap (where it works here) and the fallback.
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileGrader, compileHarness } from "../../../lib/runner/sandbox/compile.ts";
import { SANDBOX_DEFAULTS } from "../../../lib/runner/sandbox/limits.ts";
import { detectIsolation, probeIsolation } from "../../../lib/runner/sandbox/sandbox.ts";
import { makeFolders, modes, worker } from "./helpers.ts";
import { sandboxModes } from "./modes.ts";

describe("isolation probe", () => {
  it("names the isolation, and says why when it fell back", async () => {
    const probe = await probeIsolation();
    expect(await detectIsolation()).toBe(probe.isolation);
    if (probe.isolation === "process") expect(probe.fallbackReason).toMatch(/\w/);
    else expect(probe.fallbackReason).toBeUndefined();
  });

  it("under CI, a bubblewrap that cannot run fails the sandbox tests with the probe's reason", async () => {
    const probe = await probeIsolation();
    const reason =
      "bubblewrap is installed but cannot start a sandbox here: bwrap: setting up uid map: Permission denied";
    const broken = { ...probe, isolation: "process" as const, fallbackReason: reason };
    expect(() => sandboxModes(broken, { CI: "true" })).toThrow(`does not work here: ${reason}.`);
    expect(sandboxModes(broken, {})).toEqual(["process"]); // a person's machine: the fallback alone
    expect(sandboxModes(broken, { CI: "true", STUDIO_SANDBOX: "process" })).toEqual(["process"]);
    expect(sandboxModes({ ...probe, isolation: "bubblewrap" }, { CI: "true" })).toEqual(["bubblewrap", "process"]);
    // This run: CI=true here means the bubblewrap assertions ran.
    if (process.env.CI === "true" && process.env.STUDIO_SANDBOX !== "process") expect(modes).toContain("bubblewrap");
  });
});

describe.each(modes)("sandbox worker (%s)", (mode) => {
  it("runs a task: output, ctx.log events in order, the task as given", async () => {
    const { worker: w, env } = await worker(mode, { fixture: "echo.ts" });
    expect(w.isolation).toBe(mode);
    const outcome = await w.runTask({ task: { id: "t1", input: { q: 1 } }, timeoutMs: 5_000, envDir: env });
    expect(outcome.error).toBeUndefined();
    expect(outcome.output).toEqual({ echo: { q: 1 }, id: "t1" });
    const logs = outcome.events.filter((e) => e.kind === "log").map((e) => (e as { value: unknown }).value);
    expect(logs).toEqual(["first", { second: { q: 1 } }, "third"]);
    // stdout/stderr arrive on their own pipes, so they may land after the output event.
    expect(outcome.events.filter((e) => e.kind !== "stdout" && e.kind !== "stderr").at(-1)).toMatchObject({
      kind: "output",
      value: { echo: { q: 1 }, id: "t1" },
    });
    const stamps = outcome.events.map((e) => e.ts);
    expect([...stamps].sort((a, b) => a - b)).toEqual(stamps);
    expect(outcome.workerAlive).toBe(true);
  });

  it("attributes stdout and stderr to the right task across many tasks on one worker", async () => {
    const { worker: w, env } = await worker(mode, { fixture: "echo.ts" });
    for (const id of ["a", "b", "c", "d", "e"]) {
      const outcome = await w.runTask({ task: { id, input: id }, timeoutMs: 5_000, envDir: env });
      const text = `out:${id}\npartial:${id}`;
      expect(outcome.stdout).toEqual({ text, bytes: text.length, truncatedBytes: 0 });
      expect(outcome.stderr.text).toBe(`err:${id}\n`);
      const streamed = outcome.events.filter((e) => e.kind === "stdout").map((e) => (e as { text: string }).text);
      expect(streamed.join("")).toBe(`out:${id}\npartial:${id}`);
    }
  });

  it("runs ctx.exec in the task's environment folder and records it", async () => {
    const { worker: w, env } = await worker(mode, { fixture: "exec.ts" });
    const outcome = await w.runTask({
      task: { id: "x", input: { text: "forty-two" } },
      timeoutMs: 10_000,
      envDir: env,
    });
    expect(outcome.error).toBeUndefined();
    const output = outcome.output as {
      write: { stdout: string; stderr: string; exitCode: number };
      read: string;
      slow: { timedOut: boolean; exitCode: number | null };
    };
    expect(output.write).toMatchObject({ stdout: `${env}\n`, stderr: "to-stderr\n", exitCode: 3 });
    expect(output.read).toBe("forty-two");
    expect(output.slow).toEqual({ timedOut: true, exitCode: null });
    expect(fs.readFileSync(path.join(env, "answer.txt"), "utf8")).toBe("forty-two");
    const execs = outcome.events.filter((e) => e.kind === "exec");
    expect(execs).toHaveLength(3);
    expect(execs[0]).toMatchObject({ cwd: env, exitCode: 3, stdout: `${env}\n`, timedOut: false });
    expect((execs[0] as { durationMs: number }).durationMs).toBeGreaterThan(0);
    expect((execs[0] as { command: string }).command).toContain("answer.txt");
  });

  it("keeps ctx.state across sequential tasks and calls learn with the feedback", async () => {
    const { worker: w, env } = await worker(mode, { fixture: "stateful.ts" });
    const first = await w.runTask({ task: { id: "t1", input: 1 }, timeoutMs: 5_000, envDir: env });
    expect(first.output).toEqual({ seen: ["t1"], lessons: [] });
    const learned = await w.learn({
      task: { id: "t1", input: 1 },
      feedback: { expected: 2, output: first.output, score: 0 },
      timeoutMs: 5_000,
      envDir: env,
    });
    expect(learned.error).toBeUndefined();
    expect(learned.events.filter((e) => e.kind === "log")).toMatchObject([{ value: { learned: "t1" } }]);
    const second = await w.runTask({ task: { id: "t2", input: 2 }, timeoutMs: 5_000, envDir: env });
    expect(second.output).toEqual({
      seen: ["t1", "t2"],
      lessons: [{ id: "t1", expected: 2, output: first.output, score: 0 }],
    });
    // A fresh worker (a new evaluation) starts with empty state.
    await w.restart();
    const fresh = await w.runTask({ task: { id: "t3", input: 3 }, timeoutMs: 5_000, envDir: env });
    expect(fresh.output).toEqual({ seen: ["t3"], lessons: [] });
  });

  it("finishes learn at once for a harness without one", async () => {
    const { worker: w, env } = await worker(mode, { fixture: "echo.ts" });
    const learned = await w.learn({
      task: { id: "t", input: 1 },
      feedback: { expected: 1, output: 1, score: 1 },
      timeoutMs: 1_000,
      envDir: env,
    });
    expect(learned.error).toBeUndefined();
    expect(learned.events).toEqual([]);
  });

  it("gives ctx.model, an Anthropic client that reaches the proxy with the task's credential", async () => {
    const seen: { key?: string; auth?: string; path?: string; body?: unknown }[] = [];
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => (body += chunk));
      req.on("end", () => {
        const { "x-api-key": key, authorization: auth } = req.headers as Record<string, string>;
        seen.push({ key, auth, path: req.url, body: JSON.parse(body) });
        res.writeHead(200, { "content-type": "application/json" });
        res.end(
          JSON.stringify({
            id: "msg_test",
            type: "message",
            role: "assistant",
            model: "claude-test",
            content: [{ type: "text", text: "hello from the proxy" }],
            stop_reason: "end_turn",
            stop_sequence: null,
            usage: { input_tokens: 3, output_tokens: 4 },
          }),
        );
      });
    });
    // Under bubblewrap the proxy is a unix socket mounted into the sandbox; otherwise a TCP URL.
    const { root } = makeFolders();
    const socketPath = path.join(root, "proxy.sock");
    let proxy: { url?: string; socketPath?: string };
    if (mode === "bubblewrap") {
      await new Promise<void>((resolve) => server.listen(socketPath, resolve));
      fs.chmodSync(socketPath, 0o666); // the sandbox uid must be allowed to connect
      proxy = { socketPath, url: "http://proxy.invalid/v0" };
    } else {
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      proxy = { url: `http://127.0.0.1:${(server.address() as { port: number }).port}/v0` };
    }
    try {
      const { worker: w, env } = await worker(mode, { fixture: "model.ts" }, { proxy });
      for (const credential of ["cred-task-1", "cred-task-2"]) {
        const outcome = await w.runTask({
          task: { id: credential, input: "hi" },
          credential,
          timeoutMs: 10_000,
          envDir: env,
        });
        expect(outcome.error).toBeUndefined();
        expect(outcome.output).toEqual({ text: "hello from the proxy", isClient: true });
      }
      expect(seen.map((s) => s.key)).toEqual(["cred-task-1", "cred-task-2"]);
      expect(seen.map((s) => s.auth)).toEqual(["Bearer cred-task-1", "Bearer cred-task-2"]);
      expect(seen[0].path).toBe("/v0/v1/messages");
      expect(seen[0].body).toMatchObject({ model: "claude-test", messages: [{ role: "user", content: "hi" }] });
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it("runs a grader in the environment folder the harness left", async () => {
    const { worker: w, env } = await worker(mode, { fixture: "grader.ts" }, { role: "grader" });
    fs.writeFileSync(path.join(env, "answer.txt"), "42");
    const pass = await w.grade({ args: { input: "q", expected: "42", output: "42" }, timeoutMs: 5_000, envDir: env });
    expect(pass.output).toEqual({ score: 1, explanation: "matches" });
    expect(pass.events.filter((e) => e.kind === "log")).toMatchObject([{ value: { file: "42" } }]);
    const fail = await w.grade({ args: { input: "q", expected: "42", output: "41" }, timeoutMs: 5_000, envDir: env });
    expect(fail.output).toEqual({ score: 0, explanation: "expected 42" });
  });

  it("reports a grader that breaks its contract", async () => {
    const broken = await compileGrader('export default async () => ({ score: 7, explanation: "too generous" })');
    if (!broken.ok) throw new Error("did not compile");
    const { worker: w, env } = await worker(mode, { code: broken.code }, { role: "grader" });
    const outcome = await w.grade({ args: { input: 1, expected: 1, output: 1 }, timeoutMs: 5_000, envDir: env });
    expect(outcome.error?.kind).toBe("contract");
    expect(outcome.error?.message).toMatch(/score: number from 0 to 1/);
  });

  it("reports a module without a run function as a contract error on each task", async () => {
    for (const source of ["export const run = () => 1;", "export default { answer: () => 1 };"]) {
      const result = await compileHarness(source);
      if (!result.ok) throw new Error("did not compile");
      const { worker: w, env } = await worker(mode, { code: result.code });
      const outcome = await w.runTask({ task: { id: "t", input: 1 }, timeoutMs: 5_000, envDir: env });
      expect(outcome.error?.kind).toBe("contract");
      expect(outcome.error?.message).toMatch(/export default \{ async run\(task, ctx\)/);
    }
  });

  it("runs the harness, and what it starts, below the studio's CPU priority", async () => {
    const result = await compileHarness(`import os from "node:os";
      export default { async run(task: unknown, ctx: any) {
        const child = await ctx.exec("cut -d' ' -f19 /proc/self/stat");
        return { harness: os.getPriority(), command: Number(child.stdout.trim()) };
      } };`);
    if (!result.ok) throw new Error("did not compile");
    const { worker: w, env } = await worker(mode, { code: result.code });
    const outcome = await w.runTask({ task: { id: "t", input: 1 }, timeoutMs: 5_000, envDir: env });
    const studio = os.getPriority();
    expect(outcome.output).toEqual({
      harness: Math.min(19, studio + SANDBOX_DEFAULTS.niceness),
      command: Math.min(19, studio + SANDBOX_DEFAULTS.niceness),
    });
  });
});
