// Built-in graders: score a harness output against a task's expected answer.
// Every grade says why in a sentence the trace viewer shows and the proposer reads, so the
// explanation names the first difference, not just "wrong". Outputs are whatever a
// (possibly broken) harness returned: grading never throws on them, and explanations quote
// values only up to PREVIEW_CHARS so a 10 MB output does not become a 10 MB explanation.
import {
  describeIssues,
  graderConfigSchema,
  regexError,
  type BuiltinGraderConfig,
  type GraderConfig,
  type GraderConfigInput,
} from "./format.ts";
import { parseJson } from "./json-syntax.ts";

export interface Grade {
  /** 0..1; the runner compares it to the suite's passThreshold. */
  score: number;
  explanation: string;
}

export const PREVIEW_CHARS = 200;
/** Outputs nested deeper than this are not compared (and the grade says so). */
const MAX_COMPARE_DEPTH = 500;

/**
 * Grades `output` with a built-in grader. Throws only for a grader config that is invalid or of
 * type "module" (module graders run in the runner's sandbox); any output gets a grade.
 */
export function gradeBuiltin(grader: GraderConfig | GraderConfigInput, expected: unknown, output: unknown): Grade {
  const config = parseGraderConfig(grader);
  if (output === undefined) return fail("no output: the harness returned undefined");
  try {
    switch (config.type) {
      case "exact":
        return gradeExact(expected, output);
      case "normalized":
        return gradeNormalized(expected, output);
      case "regex":
        return gradeRegex(config, expected, output);
      case "numeric":
        return gradeNumeric(config, expected, output);
      case "json":
        return gradeJson(expected, output);
    }
  } catch (err) {
    // Pathological outputs (cycles, absurd nesting) end up here rather than crashing an evaluation.
    return fail(`could not grade this output: ${clip(err instanceof Error ? err.message : String(err))}`);
  }
}

function parseGraderConfig(grader: GraderConfigInput): BuiltinGraderConfig {
  const parsed = graderConfigSchema.safeParse(grader);
  if (!parsed.success) throw new Error(`invalid grader config: ${describeIssues(parsed.error, grader).join("; ")}`);
  if (parsed.data.type === "module") {
    throw new Error('gradeBuiltin cannot run a "module" grader: module graders run in the sandbox through the runner');
  }
  if (parsed.data.type === "verifier") {
    throw new Error('gradeBuiltin cannot run a "verifier" grader: the task\'s tests run in its container');
  }
  return parsed.data;
}

/**
 * Why `expected` cannot work with this grader, or null when it can. The loader runs this for every
 * task so a suite with a non-numeric expected answer fails at import, not at grading time.
 */
export function checkExpected(grader: GraderConfig, expected: unknown): string | null {
  if (grader.type === "regex" && grader.pattern === undefined) {
    if (typeof expected !== "string") {
      return `expected must be a regex pattern string for the regex grader (or set grader.pattern), got ${preview(expected)}`;
    }
    const problem = regexError(expected, grader.flags);
    if (problem) return `expected is not a valid regular expression: ${problem}`;
  }
  if (grader.type === "numeric" && expectedNumber(expected) === null) {
    return `expected must be a number (or a string holding one) for the numeric grader, got ${preview(expected)}`;
  }
  return null;
}

// ── exact and json: one walker, two notions of "matches" ─────────────────────────────────

function gradeExact(expected: unknown, output: unknown): Grade {
  const diff = findDifference(expected, output, "equal");
  return diff ? fail(diff) : pass(`exact match: ${preview(output)}`);
}

function gradeJson(expected: unknown, output: unknown): Grade {
  let value = output;
  // A harness often returns JSON as text. When the expected answer is itself a string, the
  // output string is the answer, not JSON to decode.
  if (typeof output === "string" && typeof expected !== "string") {
    const parsed = parseJson(output);
    if (!parsed.ok) {
      const { line, column, message } = parsed.error;
      return fail(`output is not valid JSON (line ${line}, column ${column}: ${message}): ${preview(output)}`);
    }
    value = parsed.value;
  }
  const diff = findDifference(expected, value, "subset");
  return diff ? fail(diff) : pass(`output contains the expected JSON ${preview(expected)}`);
}

/**
 * The first place where `actual` does not match `expected`, as a sentence, or null.
 * "equal": deep JSON equality. "subset": every expected object key is present and matches
 * recursively (extra keys allowed); arrays have equal length and match element by element.
 */
function findDifference(
  expected: unknown,
  actual: unknown,
  mode: "equal" | "subset",
  at = "",
  depth = 0,
): string | null {
  if (depth > MAX_COMPARE_DEPTH) throw new Error(`values are nested more than ${MAX_COMPARE_DEPTH} levels deep`);
  const where = (message: string) => (at ? `at ${clip(at)}: ${message}` : message);

  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return where(`expected an array, got ${kind(actual)} ${preview(actual)}`);
    if (actual.length !== expected.length) return where(`expected ${expected.length} items, got ${actual.length}`);
    for (let i = 0; i < expected.length; i++) {
      const diff = findDifference(expected[i], actual[i], mode, `${at}[${i}]`, depth + 1);
      if (diff) return diff;
    }
    return null;
  }

  if (isPlainObject(expected)) {
    if (!isPlainObject(actual)) return where(`expected an object, got ${kind(actual)} ${preview(actual)}`);
    for (const key of Object.keys(expected)) {
      if (!Object.hasOwn(actual, key)) return where(`missing key ${preview(key)}`);
    }
    if (mode === "equal") {
      for (const key of Object.keys(actual)) {
        if (!Object.hasOwn(expected, key)) return where(`unexpected key ${preview(key)}`);
      }
    }
    for (const [key, value] of Object.entries(expected)) {
      const diff = findDifference(value, actual[key], mode, joinKey(at, key), depth + 1);
      if (diff) return diff;
    }
    return null;
  }

  return expected === actual ? null : where(`expected ${preview(expected)}, got ${preview(actual)}`);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function joinKey(at: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? (at ? `${at}.${key}` : key) : `${at}[${JSON.stringify(key)}]`;
}

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (value === undefined) return "nothing";
  return `a ${typeof value}`;
}

// ── normalized ───────────────────────────────────────────────────────────────────────────

/** Unicode punctuation plus the ASCII symbols Python's string.punctuation counts as punctuation. */
const IGNORED = /[\p{P}$+<=>^`|~\s]+/gu;

/** Case, whitespace and punctuation ignored: "New York!" and "new-york" both become "newyork". */
function normalize(text: string): string {
  return text.normalize("NFKC").toLowerCase().replace(IGNORED, "");
}

function gradeNormalized(expected: unknown, output: unknown): Grade {
  const want = normalize(stringForm(expected));
  const got = normalize(stringForm(output));
  if (want === got) return pass(`matches after ignoring case, whitespace and punctuation: ${preview(want)}`);
  return fail(
    `expected ${preview(expected)}, got ${preview(output)} (normalized: ${preview(want)} vs ${preview(got)})`,
  );
}

// ── regex ────────────────────────────────────────────────────────────────────────────────

function gradeRegex(
  config: Extract<BuiltinGraderConfig, { type: "regex" }>,
  expected: unknown,
  output: unknown,
): Grade {
  const pattern = config.pattern ?? expected;
  if (typeof pattern !== "string") {
    return fail(
      `the regex grader has no pattern: grader.pattern is unset and expected is ${preview(expected)}, not a string`,
    );
  }
  const flags = config.flags ?? "";
  const problem = regexError(pattern, flags);
  if (problem) return fail(`the pattern is not a valid regular expression: ${clip(problem)}`);

  const shown = `/${clip(pattern)}/${flags}`;
  const text = stringForm(output);
  const match = new RegExp(pattern, flags).exec(text);
  if (match) return pass(`matched ${shown}: ${preview(match[0])}`);
  return fail(`no match for ${shown} in ${preview(text)}`);
}

// ── numeric ──────────────────────────────────────────────────────────────────────────────

/**
 * A number as people and models write it: optional sign, thousands commas, decimals, exponent.
 * Not preceded by a letter, digit or dot, so "v2", "H2O" and the "3" of "1.2.3" are not numbers,
 * and the "-" of "3-4" is a dash, not a minus.
 */
const NUMBER = /(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+)(?:[eE][-+]?\d+)?/g;

/** The last number in `text` ("The answer is 42." → 42): models state the answer at the end. */
function extractLastNumber(text: string): number | null {
  let last: string | null = null;
  for (const match of text.replace(/\u2212/g, "-").matchAll(NUMBER)) last = match[0];
  return last === null ? null : Number(last.replace(/,/g, ""));
}

function expectedNumber(expected: unknown): number | null {
  if (typeof expected === "number") return Number.isFinite(expected) ? expected : null;
  if (typeof expected === "string" && expected.trim() !== "") {
    const n = Number(expected.trim());
    return Number.isFinite(n) ? n : null;
  }
  return null;
}

function gradeNumeric(
  config: Extract<BuiltinGraderConfig, { type: "numeric" }>,
  expected: unknown,
  output: unknown,
): Grade {
  const want = expectedNumber(expected);
  if (want === null) return fail(`the numeric grader needs a number as expected, got ${preview(expected)}`);

  let got: number | null;
  let source = "";
  if (typeof output === "number") {
    got = output;
  } else {
    const text = stringForm(output);
    got = extractLastNumber(text);
    if (got === null) return fail(`expected ${want}, but found no number in the output ${preview(output)}`);
    source = ` (last number in ${preview(text)})`;
  }
  if (!Number.isFinite(got)) return fail(`expected ${want}, got ${got}, which is not a finite number`);

  const diff = Math.abs(got - want);
  const { tolerance, relative } = config;
  const allowed = relative ? tolerance * Math.abs(want) : tolerance;
  const ok = diff <= allowed;
  const rule = relative
    ? `tolerance ${short(tolerance)} × |${want}| = ${short(allowed)}`
    : `tolerance ${short(tolerance)}`;
  const explanation = `expected ${want}, got ${got}${source} (|diff| ${short(diff)} ${ok ? "<=" : ">"} ${rule})`;
  return ok ? pass(explanation) : fail(explanation);
}

/** Compact numbers for diffs and tolerances: 1e-6, 5.551e-17, 0.25. */
function short(n: number): string {
  const rounded = Number(n.toPrecision(4));
  return rounded !== 0 && (Math.abs(rounded) < 1e-3 || Math.abs(rounded) >= 1e15)
    ? rounded.toExponential()
    : String(rounded);
}

// ── Shared helpers ───────────────────────────────────────────────────────────────────────

const pass = (explanation: string): Grade => ({ score: 1, explanation });
const fail = (explanation: string): Grade => ({ score: 0, explanation });

/** Strings as they are; everything else as JSON (numbers, booleans and null read the same either way). */
function stringForm(value: unknown): string {
  return typeof value === "string" ? value : safeStringify(value);
}

function safeStringify(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    try {
      return String(value);
    } catch {
      return "[unprintable value]";
    }
  }
}

function clip(text: string, limit = PREVIEW_CHARS): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}…`;
}

/** A value as it appears in an explanation: JSON (strings quoted), cut to PREVIEW_CHARS with its full length. */
export function preview(value: unknown): string {
  if (value === undefined) return "undefined";
  // Slice long strings before quoting so a huge output is never copied whole.
  const full = typeof value === "string" ? value.length : null;
  const shown = typeof value === "string" ? JSON.stringify(value.slice(0, PREVIEW_CHARS * 2)) : safeStringify(value);
  if (shown.length <= PREVIEW_CHARS) return shown;
  return `${shown.slice(0, PREVIEW_CHARS)}… (${full ?? shown.length} chars)`;
}
