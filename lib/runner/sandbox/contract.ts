// The harness contract, checked before a harness is stored: the compiled module is loaded in a
// sandbox worker, exactly as an evaluation loads it, and host.ts says whether its default export
// has a `run` function (or a grader's is a function). A static look at the source cannot tell:
// `export default makeHarness()` or a re-exported object only shows its shape once it runs.
// Loading runs the module's top level, which is why it happens in the sandbox.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startWorker } from "./sandbox.ts";
import type { TaskError } from "./protocol.ts";

/** Loading a harness should take well under a second; a module still loading after this never will in time. */
const LOAD_TIMEOUT_MS = 15_000;

/**
 * Why the module breaks the contract (no `run`, a default export of the wrong kind) or cannot
 * load (it throws at its top level, or never finishes loading); null when it loads and honours
 * it. A sandbox that cannot start at all is the machine's problem, not the module's: it is thrown.
 */
export async function contractProblem(
  code: string,
  role: "harness" | "grader",
  cacheDir?: string,
): Promise<TaskError | null> {
  const scratchDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "studio-contract-"));
  await fs.promises.chmod(scratchDir, 0o755); // the worker may run as its own uid
  try {
    const worker = await startWorker({
      code,
      role,
      scratchDir,
      proxy: null,
      cacheDir,
      startTimeoutMs: LOAD_TIMEOUT_MS,
    });
    const problem = worker.loadError;
    await worker.close();
    if (problem?.kind === "spawn") throw new Error(problem.message);
    return problem;
  } finally {
    await fs.promises.rm(scratchDir, { recursive: true, force: true });
  }
}
