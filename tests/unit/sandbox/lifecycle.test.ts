// The worker's life around the tasks: modules that fail to load, workers that die, limits on what
// the control channel may carry, and errors that happen outside any task.
import { describe, expect, it } from "vitest";
import { compileHarness } from "../../../lib/runner/sandbox/compile.ts";
import { modes, worker } from "./helpers.ts";

async function code(source: string): Promise<string> {
  const result = await compileHarness(source, { filename: "inline.ts" });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.code;
}

const task = (input: unknown = null) => ({ task: { id: "t", input }, timeoutMs: 5_000 });

describe.each(modes)("worker lifecycle (%s)", (mode) => {
  it("a module that throws while loading fails every task with kind throw", async () => {
    const { worker: w, env } = await worker(mode, {
      code: await code('throw new Error("no config");\nexport default { run: () => 1 };'),
    });
    for (let i = 0; i < 2; i++) {
      const outcome = await w.runTask({ ...task(), envDir: env });
      expect(outcome.error?.kind).toBe("throw");
      expect(outcome.error?.message).toBe("loading the harness failed: no config");
      expect(outcome.error?.stack).toMatch(/inline\.ts:1:\d+/);
    }
  });

  it("a module that never finishes loading is stopped at the start limit", async () => {
    const { worker: w, env } = await worker(
      mode,
      { code: await code("for (;;) {}\nexport default { run: () => 1 };") },
      { startTimeoutMs: 1_000 },
    );
    expect(w.alive).toBe(false);
    const outcome = await w.runTask({ ...task(), envDir: env });
    expect(outcome.error).toEqual({
      kind: "timeout",
      message: "the harness module did not finish loading within 1000 ms",
    });
  });

  it("a worker that cannot start reports kind spawn, with the reason", async () => {
    const saved = process.env.STUDIO_SANDBOX_NODE;
    process.env.STUDIO_SANDBOX_NODE = "/etc/hostname"; // exists, is not a program
    try {
      const { worker: w, env } = await worker(mode, { code: await code("export default { run: () => 1 };") });
      const outcome = await w.runTask({ ...task(), envDir: env });
      expect(outcome.error?.kind).toBe("spawn");
      expect(outcome.error?.message).toMatch(/\/etc\/hostname|Permission denied|EACCES/);
    } finally {
      if (saved === undefined) delete process.env.STUDIO_SANDBOX_NODE;
      else process.env.STUDIO_SANDBOX_NODE = saved;
    }
  });

  it("a harness that ends its own process is kind killed, and the next task is told why", async () => {
    const { worker: w, env } = await worker(mode, {
      code: await code('export default { run: () => { console.error("bye"); process.exit(7); } };'),
    });
    const outcome = await w.runTask({ ...task(), envDir: env });
    expect(outcome.error?.kind).toBe("killed");
    expect(outcome.error?.message).toMatch(/exited with code 7; its last words: bye/);
    expect(outcome.stderr.text).toBe("bye\n");
    expect(outcome.workerAlive).toBe(false);
    const next = await w.runTask({ ...task(), envDir: env });
    expect(next.error?.message).toMatch(/not running \(.*code 7.*\); restart it/);
  });

  it("a worker killed between tasks (memory held by a timer) reports it on the next task", async () => {
    const source = `export default { run: () => {
      const hoard = [];
      const grow = () => { hoard.push(Buffer.alloc(8 * 1024 * 1024, 1)); setTimeout(grow, 1); };
      setTimeout(grow, 50);
      return "returned";
    } };`;
    const { worker: w, env } = await worker(mode, { code: await code(source) }, { memoryMb: 200 });
    const first = await w.runTask({ ...task(), envDir: env });
    expect(first.output).toBe("returned");
    const deadline = Date.now() + 10_000;
    while (w.alive && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    const next = await w.runTask({ ...task(), envDir: env });
    expect(next.error?.kind).toBe("memory");
    expect(next.events).toContainEqual(
      expect.objectContaining({ kind: "sandbox", message: expect.stringMatching(/killed the worker/) }),
    );
  });

  it("an output over the size limit is kind output_limit, without killing the worker", async () => {
    const { worker: w, env } = await worker(mode, {
      code: await code('export default { run: () => "x".repeat(9 * 1024 * 1024) };'),
    });
    const outcome = await w.runTask({ ...task(), envDir: env });
    expect(outcome.error?.kind).toBe("output_limit");
    expect(outcome.workerAlive).toBe(true);
  });

  it("logs past the event budget are counted, not kept", async () => {
    const source =
      'export default { run: (task, ctx) => { for (let i = 0; i < 2000; i++) ctx.log("y".repeat(1000)); return "ok"; } };';
    const { worker: w, env } = await worker(
      mode,
      { code: await code(source) },
      { limits: { eventBudgetBytes: 100 * 1024 } },
    );
    const outcome = await w.runTask({ ...task(), envDir: env });
    expect(outcome.output).toBe("ok");
    const logs = outcome.events.filter((e) => e.kind === "log");
    expect(logs.length).toBeGreaterThan(50);
    expect(logs.length).toBeLessThan(110);
    expect(outcome.events.at(-1)).toMatchObject({ kind: "sandbox", message: expect.stringMatching(/^\d+ events cut/) });
  });

  it("a flood of events past the control ceiling kills the worker with kind output_limit", async () => {
    const source =
      'export default { run: async (task, ctx) => { for (;;) { ctx.log("z".repeat(60000)); await new Promise((r) => setImmediate(r)); } } };';
    const { worker: w, env } = await worker(
      mode,
      { code: await code(source) },
      { limits: { controlCeilingBytes: 8 * 1024 * 1024 } },
    );
    const outcome = await w.runTask({ ...task(), envDir: env });
    expect(outcome.error?.kind).toBe("output_limit");
    expect(outcome.workerAlive).toBe(false);
  });

  it("records exceptions thrown outside the task's promise, and logs values JSON cannot hold", async () => {
    const source = `export default { run: async (task, ctx) => {
      setTimeout(() => { throw new Error("late failure"); }, 0);
      Promise.reject(new Error("nobody waits for me"));
      const loop = { big: 10n, fn() {} }; loop.self = loop;
      ctx.log(loop);
      await new Promise((resolve) => setTimeout(resolve, 30));
      return "survived";
    } };`;
    const { worker: w, env } = await worker(mode, { code: await code(source) });
    const outcome = await w.runTask({ ...task(), envDir: env });
    expect(outcome.output).toBe("survived");
    const exceptions = outcome.events.filter((e) => e.kind === "exception");
    expect(exceptions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ origin: "uncaught", message: "late failure" }),
        expect.objectContaining({ origin: "unhandledRejection", message: "nobody waits for me" }),
      ]),
    );
    expect(outcome.events).toContainEqual(
      expect.objectContaining({ kind: "log", value: { big: "10n", fn: "[Function fn]", self: "[Circular]" } }),
    );
  });
});
