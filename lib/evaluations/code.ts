// An evaluation's harness and grader, compiled: by the worker that holds the evaluation, and by
// every job worker that takes a share of its task runs (task-jobs.ts). Compiles are cached on disk
// by source, so each process pays for one once.
import { compileGrader, compileHarness } from "../runner/sandbox/compile.ts";
import { compileCacheDir } from "../runner/engine.ts";
import type { readStoredGrader } from "../suites/store.ts";

export type EvaluationCode =
  | { ok: true; harnessCode: string; graderCode: string | null }
  /** `errorKind` is what each task run records: "compile" (the harness) or "grader". */
  | { ok: false; errorKind: "compile" | "grader"; message: string; error: string };

export async function compileEvaluationCode(
  harnessSource: string,
  grader: ReturnType<typeof readStoredGrader>["grader"],
  graderSource: string | null,
): Promise<EvaluationCode> {
  const harness = await compileHarness(harnessSource, { cacheDir: compileCacheDir() });
  if (!harness.ok) {
    const message = harness.errors
      .map((error) => `harness.ts:${error.line}:${error.column}: ${error.message}`)
      .join("\n");
    return { ok: false, errorKind: "compile", message, error: `The harness does not compile:\n${message}` };
  }
  if (grader.type !== "module") return { ok: true, harnessCode: harness.code, graderCode: null };
  const compiled = await compileGrader(graderSource ?? "", { cacheDir: compileCacheDir() });
  if (!compiled.ok) {
    const message = compiled.errors
      .map((error) => `${grader.path}:${error.line}:${error.column}: ${error.message}`)
      .join("\n");
    return { ok: false, errorKind: "grader", message, error: `The grader does not compile:\n${message}` };
  }
  return { ok: true, harnessCode: harness.code, graderCode: compiled.code };
}
