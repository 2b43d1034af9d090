// What a task costs on a warm worker, against calling the same harness in-process.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { compileHarness } from "../../../lib/runner/sandbox/compile.ts";
import { makeFolders, modes, worker } from "./helpers.ts";

const TASKS = 500;
const TRIVIAL = `export default { async run(task, ctx) { ctx.log(task.id); return { answer: task.input * 2 }; } };`;

describe.each(modes)("per-task overhead (%s)", (mode) => {
  it(`runs ${TASKS} trivial tasks on one warm worker at about a millisecond each`, async () => {
    const compiled = await compileHarness(TRIVIAL);
    if (!compiled.ok) throw new Error("did not compile");

    // In-process baseline: the same module, a minimal ctx, no isolation.
    const { root } = makeFolders();
    const file = path.join(root, "trivial.mjs");
    fs.writeFileSync(file, compiled.code.replace(/^\/\/# sourceMappingURL=.*$/m, "")); // its sources are not on disk
    const harness = (await import(file)).default as { run: (task: unknown, ctx: unknown) => Promise<unknown> };
    const logs: unknown[] = [];
    const inProcessStart = performance.now();
    for (let i = 0; i < TASKS; i++) {
      await harness.run(
        { id: `t${i}`, input: i },
        { log: (v: unknown) => logs.push(v), state: {}, signal: new AbortController().signal },
      );
    }
    const inProcessMs = (performance.now() - inProcessStart) / TASKS;

    const started = performance.now();
    const { worker: w, env } = await worker(mode, { code: compiled.code });
    const startMs = performance.now() - started;
    for (let i = 0; i < 20; i++) await w.runTask({ task: { id: `warm${i}`, input: i }, timeoutMs: 5_000, envDir: env });

    const sandboxStart = performance.now();
    for (let i = 0; i < TASKS; i++) {
      const outcome = await w.runTask({ task: { id: `t${i}`, input: i }, timeoutMs: 5_000, envDir: env });
      if (outcome.error || (outcome.output as { answer: number }).answer !== i * 2) throw new Error(`task ${i} failed`);
    }
    const sandboxMs = (performance.now() - sandboxStart) / TASKS;

    console.log(
      `[sandbox ${mode}] worker start ${startMs.toFixed(0)} ms (module loaded after ${w.startMs.toFixed(0)} ms); ` +
        `per task ${sandboxMs.toFixed(3)} ms on a warm worker vs ${inProcessMs.toFixed(4)} ms in-process ` +
        `(overhead ${(sandboxMs - inProcessMs).toFixed(3)} ms)`,
    );
    expect(sandboxMs).toBeLessThan(5); // about 1 ms here; a slow CI machine gets room, tens of ms would fail
  });
});
