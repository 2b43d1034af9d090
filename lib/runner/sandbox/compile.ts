// Turns a harness (or grader) source into one ES module for the sandbox. `@anthropic-ai/sdk`
// stays an import: the sandbox provides the same copy ctx.model is made from, so `instanceof`
// works across the two. Its subpaths are bundled in; Node built-ins stay imports; anything else is
// refused at its line and column, before any task runs.
// Bundling takes up to a few hundred milliseconds (an SDK subpath pulls in much of the SDK), so
// results are cached by the source's hash, in memory and, when given, in a cache folder.
import * as esbuild from "esbuild";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire, isBuiltin } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

export interface CompileError {
  /** 1-based; 0 when the error has no place in the source. */
  line: number;
  /** 1-based, in characters. */
  column: number;
  message: string;
}

export type CompileResult = { ok: true; code: string; sha256: string } | { ok: false; errors: CompileError[] };

export interface CompileOptions {
  /** The name stack traces and errors use for the source. */
  filename?: string;
  /** A folder for compiled bundles, kept across processes. */
  cacheDir?: string;
}

export const FORBIDDEN_IMPORT = "a harness may import only Node built-ins and @anthropic-ai/sdk";

const here = path.dirname(fileURLToPath(import.meta.url));
const SDK = "@anthropic-ai/sdk";

/** Changes whenever the same source could compile differently, so stale disk caches are never used. */
export const compilerVersion = `harness-bundle-2 esbuild-${esbuild.version} sdk-${sdkVersion()}`;

const MEMORY_CACHE_ENTRIES = 32; // up to ~2 MB each when an SDK subpath is bundled in
const memoryCache = new Map<string, Promise<CompileResult>>();

export function compileHarness(source: string, options: CompileOptions = {}): Promise<CompileResult> {
  return compileModule("harness", source, options.filename ?? "harness.ts", options.cacheDir);
}

/** Graders follow the same import rules; their default export is `async (args, ctx) => ({ score, explanation })`. */
export function compileGrader(source: string, options: CompileOptions = {}): Promise<CompileResult> {
  return compileModule("grader", source, options.filename ?? "grader.ts", options.cacheDir);
}

/** Drops the in-memory cache; the disk cache stays. */
export function clearCompileCache(): void {
  memoryCache.clear();
}

export function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

function compileModule(role: string, source: string, filename: string, cacheDir?: string): Promise<CompileResult> {
  const key = sha256(`${compilerVersion}\0${role}\0${filename}\0${source}`);
  const cached = memoryCache.get(key);
  if (cached) {
    memoryCache.delete(key); // re-insert: the Map's order is the eviction order
    memoryCache.set(key, cached);
    return cached;
  }
  const pending = compileUncached(source, filename, key, cacheDir);
  memoryCache.set(key, pending);
  if (memoryCache.size > MEMORY_CACHE_ENTRIES) memoryCache.delete(memoryCache.keys().next().value!);
  pending.catch(() => memoryCache.delete(key));
  return pending;
}

async function compileUncached(
  source: string,
  filename: string,
  key: string,
  cacheDir?: string,
): Promise<CompileResult> {
  const hash = sha256(source);
  const cacheFile = cacheDir ? path.join(cacheDir, `${key}.mjs`) : null;
  if (cacheFile) {
    try {
      return { ok: true, code: await fs.promises.readFile(cacheFile, "utf8"), sha256: hash };
    } catch {
      // not cached yet
    }
  }
  let output: string;
  try {
    const result = await esbuild.build({
      stdin: { contents: source, loader: "ts", sourcefile: filename, resolveDir: here },
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node20",
      write: false,
      outfile: path.join(here, "harness.mjs"), // source-map paths are relative to it: frames read "harness.ts:LINE"
      sourcemap: "inline",
      sourcesContent: false, // traces map to lines; the source itself is stored with the candidate
      legalComments: "none",
      logLevel: "silent",
      // Keep every import that is not marked `import type`, so a forbidden import fails here
      // even when TypeScript would have dropped it as unused.
      tsconfigRaw: { compilerOptions: { verbatimModuleSyntax: true } },
      plugins: [importGuard(path.resolve(here, filename))],
    });
    output = result.outputFiles[0].text;
  } catch (error) {
    const failure = error as esbuild.BuildFailure;
    if (!Array.isArray(failure.errors)) throw error;
    return { ok: false, errors: failure.errors.map(toCompileError) };
  }
  if (cacheFile) await writeAtomically(cacheFile, output);
  return { ok: true, code: output, sha256: hash };
}

/**
 * Imports written in the harness itself are checked; the SDK's own imports are left to esbuild.
 * esbuild names the stdin module `resolveDir/sourcefile`, which is how the harness is recognised.
 */
function importGuard(entryPath: string): esbuild.Plugin {
  return {
    name: "harness-import-guard",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (args.path.startsWith("node:") || isBuiltin(args.path)) return { path: args.path, external: true };
        if (args.importer !== entryPath) return undefined;
        // The sandbox provides the SDK itself, the very copy ctx.model comes from (host-bundle.ts).
        if (args.path === SDK) return { path: SDK, external: true };
        if (args.path.startsWith(`${SDK}/`)) return undefined;
        return { errors: [{ text: `${FORBIDDEN_IMPORT} (found "${args.path}")` }] };
      });
    },
  };
}

function toCompileError(message: esbuild.Message): CompileError {
  const loc = message.location;
  if (!loc) return { line: 0, column: 0, message: message.text };
  // esbuild counts columns in UTF-8 bytes from 0; editors count characters from 1.
  const column = Buffer.from(loc.lineText, "utf8").subarray(0, loc.column).toString("utf8").length + 1;
  return { line: loc.line, column, message: message.text };
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.promises.writeFile(temp, text);
  await fs.promises.rename(temp, file);
}

function sdkVersion(): string {
  try {
    let dir = path.dirname(createRequire(import.meta.url).resolve(SDK));
    for (;;) {
      const manifest = path.join(dir, "package.json");
      if (fs.existsSync(manifest)) {
        const pkg = JSON.parse(fs.readFileSync(manifest, "utf8")) as { name?: string; version?: string };
        if (pkg.name === SDK) return pkg.version ?? "unknown";
      }
      const parent = path.dirname(dir);
      if (parent === dir) return "unknown";
      dir = parent;
    }
  } catch {
    return "missing";
  }
}
