// The task-suite format: what people write by hand in suite.json and tasks.jsonl.
// This format is stable: suites in the wild and in tests depend on it, so add, never rename.
//
// Objects are strict: a misspelt field ("tolerence") is reported instead of silently ignored,
// because a silently ignored grader setting turns into wrong scores nobody notices.
import path from "node:path";
import { z } from "zod";

// ── File names and limits ────────────────────────────────────────────────────────────────

export const SUITE_FILE = "suite.json";
export const TASKS_FILE = "tasks.jsonl";
export const ENV_DIR = "env";
export const DEFAULT_GRADER_PATH = "grader.ts";

/** Matches the TaskSuite.timeoutMs default in prisma/schema.prisma. */
export const DEFAULT_TIMEOUT_MS = 60_000;
/** A task run passes when score >= passThreshold; by default only a perfect score passes. */
export const DEFAULT_PASS_THRESHOLD = 1;
export const DEFAULT_NUMERIC_TOLERANCE = 1e-6;

const MiB = 1024 * 1024;
/** Env files are stored base64 in the Task row and copied into each sandbox: keep them small. */
export const ENV_FILE_LIMIT_BYTES = 5 * MiB;
export const ENV_TOTAL_LIMIT_BYTES = 50 * MiB;
/** Task ids name folders (env/<id>/ here, and per-task folders in the proposer's workspace). */
export const TASK_ID_MAX_LENGTH = 200;
/** Postgres int4, the column type of TaskSuite.timeoutMs. */
const MAX_INT4 = 2 ** 31 - 1;

// ── Small schema helpers with messages written for people ────────────────────────────────
// Messages read as predicates after the field name: "split must be ...", "name must not be empty".

const text = () =>
  z.string({ error: "must be a string" }).refine((s) => s.trim() !== "", { error: "must not be empty" });

/** Any JSON value, but present: a missing "expected" is a mistake, `null` says "none". */
const presentJson = () => z.unknown().refine((v) => v !== undefined, { error: "is required" });

function containsNul(value: unknown, depth = 0): boolean {
  if (depth > 200) return false;
  if (typeof value === "string") return value.includes("\u0000");
  if (Array.isArray(value)) return value.some((v) => containsNul(v, depth + 1));
  if (value !== null && typeof value === "object") {
    return Object.entries(value).some(([k, v]) => k.includes("\u0000") || containsNul(v, depth + 1));
  }
  return false;
}

/** Why `new RegExp(pattern, flags)` throws, or null when it compiles. */
export function regexError(pattern: string, flags: string | undefined): string | null {
  try {
    new RegExp(pattern, flags);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

// ── Enums ────────────────────────────────────────────────────────────────────────────────

export const splitSchema = z.enum(["search", "test"], { error: 'must be "search" or "test"' });
export type Split = z.infer<typeof splitSchema>;

export const suiteModeSchema = z.enum(["independent", "sequential"], {
  error: 'must be "independent" or "sequential"',
});
export type SuiteMode = z.infer<typeof suiteModeSchema>;

// ── Graders ──────────────────────────────────────────────────────────────────────────────

const exactGrader = z.strictObject({ type: z.literal("exact") });

const normalizedGrader = z.strictObject({ type: z.literal("normalized") });

const regexGrader = z
  .strictObject({
    type: z.literal("regex"),
    /** When absent, each task's `expected` is the pattern. */
    pattern: z.string({ error: "must be a string" }).optional(),
    flags: z.string({ error: "must be a string" }).optional(),
  })
  .superRefine((g, ctx) => {
    if (g.flags !== undefined && regexError("", g.flags) !== null) {
      ctx.addIssue({
        code: "custom",
        path: ["flags"],
        message: `must be valid regex flags (from "dgimsuvy"), got ${JSON.stringify(g.flags)}`,
      });
      return;
    }
    const problem = g.pattern === undefined ? null : regexError(g.pattern, g.flags);
    if (problem)
      ctx.addIssue({ code: "custom", path: ["pattern"], message: `is not a valid regular expression: ${problem}` });
  });

const numericGrader = z.strictObject({
  type: z.literal("numeric"),
  tolerance: z
    .number({ error: "must be a number" })
    .min(0, { error: "must be >= 0" })
    .default(DEFAULT_NUMERIC_TOLERANCE),
  /** Compare |diff| / |expected| instead of |diff|. */
  relative: z.boolean({ error: "must be true or false" }).default(false),
});

const jsonGrader = z.strictObject({ type: z.literal("json") });

/** Harbor suites (harbor.ts): the task's own tests/test.sh, run in its container, writes the reward. */
const verifierGrader = z.strictObject({ type: z.literal("verifier") });

const moduleGrader = z.strictObject({
  type: z.literal("module"),
  path: z
    .string({ error: "must be a string" })
    .refine((p) => isInsideSuite(p), { error: 'must be a relative path inside the suite folder, such as "grader.ts"' })
    .default(DEFAULT_GRADER_PATH),
});

/** A relative posix path that stays inside the suite folder once normalized. */
function isInsideSuite(p: string): boolean {
  if (p === "" || p.includes("\\") || p.includes("\u0000") || path.posix.isAbsolute(p)) return false;
  const normal = path.posix.normalize(p);
  return normal !== "." && normal !== ".." && !normal.startsWith("../");
}

export const GRADER_TYPES = ["exact", "normalized", "regex", "numeric", "json", "module"] as const;
export type GraderType = (typeof GRADER_TYPES)[number];

/** The graders a suite.json may name. */
const suiteGraderSchema = z.discriminatedUnion("type", [
  exactGrader,
  normalizedGrader,
  regexGrader,
  numericGrader,
  jsonGrader,
  moduleGrader,
]);

/** Every grader a stored suite may have: suite.json's, and Harbor's verifier. */
export const graderConfigSchema = z.discriminatedUnion("type", [
  exactGrader,
  normalizedGrader,
  regexGrader,
  numericGrader,
  jsonGrader,
  moduleGrader,
  verifierGrader,
]);
/** A grader with its defaults filled in (tolerance, relative, path). */
export type GraderConfig = z.output<typeof graderConfigSchema>;
/** A grader as written in suite.json: defaults may be left out. */
export type GraderConfigInput = z.input<typeof graderConfigSchema>;
export type BuiltinGraderConfig = Exclude<GraderConfig, { type: "module" | "verifier" }>;

// ── suite.json ───────────────────────────────────────────────────────────────────────────

export const SUITE_FIELDS = ["name", "description", "mode", "grader", "timeoutMs", "passThreshold"] as const;

export const suiteConfigSchema = z
  .strictObject({
    name: text(),
    /** What a proposer reads to understand the job. */
    description: text(),
    mode: suiteModeSchema,
    grader: suiteGraderSchema,
    timeoutMs: z
      .number({ error: "must be a number" })
      .int({ error: "must be a whole number of milliseconds" })
      .min(1, { error: "must be at least 1" })
      .max(MAX_INT4, { error: `must be at most ${MAX_INT4}` })
      .default(DEFAULT_TIMEOUT_MS),
    passThreshold: z
      .number({ error: "must be a number" })
      .min(0, { error: "must be between 0 and 1" })
      .max(1, { error: "must be between 0 and 1" })
      .default(DEFAULT_PASS_THRESHOLD),
  })
  .superRefine((c, ctx) => {
    for (const key of ["name", "description"] as const) {
      if (containsNul(c[key]))
        ctx.addIssue({ code: "custom", path: [key], message: "must not contain a NUL character (\\u0000)" });
    }
  });
/** A suite's settings; Harbor imports (harbor.ts) have the verifier as their grader. */
export type SuiteConfig = Omit<z.output<typeof suiteConfigSchema>, "grader"> & { grader: GraderConfig };

// ── tasks.jsonl ──────────────────────────────────────────────────────────────────────────

const taskIdSchema = z
  .string({ error: "must be a string" })
  .min(1, { error: "must not be empty" })
  .max(TASK_ID_MAX_LENGTH, { error: `must be at most ${TASK_ID_MAX_LENGTH} characters` })
  .refine((id) => id !== "." && id !== ".." && !/[/\\\u0000-\u001f\u007f]/.test(id), {
    error: 'must be usable as a folder name (env/<id>/): no "/", "\\", control characters, and not "." or ".."',
  });

export const TASK_FIELDS = ["id", "input", "expected", "split", "meta"] as const;

export const taskLineSchema = z
  .strictObject({
    id: taskIdSchema,
    input: presentJson(),
    expected: presentJson(),
    split: splitSchema,
    /** Free-form notes about the task (source, difficulty…); null means none. */
    meta: z.record(z.string(), z.unknown(), { error: "must be an object" }).nullable().optional(),
  })
  .superRefine((t, ctx) => {
    // Postgres jsonb cannot hold \u0000; saying so here beats a failed import later.
    for (const key of ["input", "expected", "meta"] as const) {
      if (containsNul(t[key])) {
        ctx.addIssue({
          code: "custom",
          path: [key],
          message: "contains a NUL character (\\u0000), which the database cannot store",
        });
      }
    }
  });
export type TaskLine = z.output<typeof taskLineSchema>;

// ── Turning zod issues into sentences ────────────────────────────────────────────────────

function formatPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const s of segments) {
    if (typeof s === "number") out += `[${s}]`;
    else out += out === "" ? String(s) : `.${String(s)}`;
  }
  return out;
}

function valueAt(root: unknown, segments: readonly PropertyKey[]): unknown {
  let value = root;
  for (const s of segments) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<PropertyKey, unknown>)[s];
  }
  return value;
}

const quoteList = (items: readonly unknown[]) => items.map((i) => JSON.stringify(i)).join(", ");

/**
 * One sentence per zod issue, e.g. `split must be "search" or "test"`, `grader: unknown field "tolerence"`,
 * `grader.type is required (one of "exact", …)`. `root` is the value that was parsed, used to tell
 * "missing" from "wrong".
 */
export function describeIssue(issue: z.core.$ZodIssue, root: unknown): string {
  const where = formatPath(issue.path);
  const missing = valueAt(root, issue.path) === undefined;

  if (issue.code === "unrecognized_keys") {
    const noun = issue.keys.length === 1 ? "unknown field" : "unknown fields";
    return `${where ? `${where}: ` : ""}${noun} ${quoteList(issue.keys)}`;
  }
  if (issue.code === "invalid_union" && "options" in issue && Array.isArray(issue.options)) {
    // A discriminated union whose "type" matched no member.
    const options = quoteList(issue.options);
    if (missing) return `${where} is required (one of ${options})`;
    return `${where} must be one of ${options}, got ${JSON.stringify(valueAt(root, issue.path))}`;
  }
  if (missing && issue.code === "invalid_type") return `${where} is required`;
  return where ? `${where} ${issue.message}` : issue.message;
}

export function describeIssues(error: z.ZodError, root: unknown): string[] {
  return error.issues.map((issue) => describeIssue(issue, root));
}
