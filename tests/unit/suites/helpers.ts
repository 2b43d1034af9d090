// Builds throwaway suite folders for the loader tests.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll } from "vitest";

export const fixtures = path.resolve(import.meta.dirname, "../../fixtures/suites");

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A temp folder holding `files` (relative path → content). Removed after the test file. */
export function makeSuite(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-suite-"));
  made.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
  return dir;
}

export const validConfig = {
  name: "Tiny",
  description: "Say the number back.",
  mode: "independent",
  grader: { type: "exact" },
};

/** suite.json text for `validConfig` with `overrides` applied. */
export function suiteJson(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...validConfig, ...overrides }, null, 2);
}

/** tasks.jsonl text, one task per line. */
export function tasksJsonl(...tasks: unknown[]): string {
  return tasks.map((t) => JSON.stringify(t)).join("\n") + "\n";
}

export const task = (id: string, split = "search", extra: Record<string, unknown> = {}) => ({
  id,
  input: `input of ${id}`,
  expected: 1,
  split,
  ...extra,
});

/** Creates a sparse file: its size is real to stat, but no disk blocks are written. */
export function sparseFile(file: string, bytes: number): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.closeSync(fs.openSync(file, "w"));
  fs.truncateSync(file, bytes);
}
