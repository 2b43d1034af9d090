import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  FORBIDDEN_IMPORT,
  clearCompileCache,
  compileGrader,
  compileHarness,
  sha256,
} from "../../../lib/runner/sandbox/compile.ts";
import { hostBundle, writeProgram } from "../../../lib/runner/sandbox/host-bundle.ts";

describe("compileHarness", () => {
  it("reports a syntax error at its line and column, before any task runs", async () => {
    const source = "export default {\n  async run(task) {\n    return task.input +;\n  },\n};\n";
    const result = await compileHarness(source);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ line: 3, column: 24 });
    expect(result.errors[0].message).toMatch(/Unexpected/);
  });

  it("refuses a package that is not the SDK, at the import's line and column", async () => {
    const source =
      'import fs from "node:fs";\nimport path from "path";\n  import pad from "left-pad";\nexport default { run: () => pad };\n';
    const result = await compileHarness(source, { filename: "candidate.ts" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([{ line: 3, column: 19, message: `${FORBIDDEN_IMPORT} (found "left-pad")` }]);
  });

  it("refuses relative imports and unused forbidden imports alike", async () => {
    const source = 'import "./helpers.ts";\nimport { z } from "zod";\nexport default { run: () => 1 };\n';
    const result = await compileHarness(source);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.line)).toEqual([1, 2]);
    expect(result.errors.every((e) => e.message.startsWith(FORBIDDEN_IMPORT))).toBe(true);
  });

  it("keeps the SDK and Node built-ins as imports, bundles SDK subpaths, and runs as the sandbox lays it out", async () => {
    const source = [
      'import Anthropic from "@anthropic-ai/sdk";',
      'import { APIError } from "@anthropic-ai/sdk/error";',
      'import { readFileSync } from "node:fs";',
      'import os from "os";',
      "export default { run: () => [typeof Anthropic, typeof APIError, typeof readFileSync, os.EOL] };",
    ].join("\n");
    const result = await compileHarness(source);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.sha256).toBe(sha256(source));
    expect(result.code).toMatch(/from\s*"@anthropic-ai\/sdk"/);
    expect(result.code).not.toMatch(/from\s*"@anthropic-ai\/sdk\/error"/);
    expect(result.code).toMatch(/from\s*"node:fs"/);
    expect(result.code).toMatch(/from\s*"os"/);
    // Runs with only what the sandbox lays out beside it: sdk.mjs and its package.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "compile-test-"));
    try {
      await writeProgram(dir, result.code, await hostBundle());
      const loaded = await import(path.join(dir, "module.mjs"));
      expect(loaded.default.run()).toEqual(["function", "function", "function", os.EOL]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("serves a repeated source from its cache, in memory and on disk", async () => {
    const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "compile-cache-"));
    try {
      const source = `import Anthropic from "@anthropic-ai/sdk";\nexport default { run: () => ${Date.now()} + typeof Anthropic };`;
      const first = await compileHarness(source, { cacheDir });
      const files = fs.readdirSync(cacheDir);
      expect(files).toHaveLength(1);
      const started = performance.now();
      const second = await compileHarness(source, { cacheDir });
      expect(performance.now() - started).toBeLessThan(50);
      expect(second).toEqual(first);
      // With the memory cache gone (as in a new process) the bundle comes from the disk:
      // a marker appended to the file shows it was read rather than rebuilt.
      fs.appendFileSync(path.join(cacheDir, files[0]), "// from disk\n");
      clearCompileCache();
      const fromDisk = await compileHarness(source, { cacheDir });
      expect(fromDisk.ok && fromDisk.code.endsWith("// from disk\n")).toBe(true);
    } finally {
      fs.rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it("compiles graders by the same rules", async () => {
    const bad = await compileGrader(
      'import lodash from "lodash";\nexport default async () => ({ score: 1, explanation: lodash })',
    );
    expect(bad.ok).toBe(false);
    const good = await compileGrader('export default async () => ({ score: 1, explanation: "ok" })');
    expect(good.ok).toBe(true);
  });
});
