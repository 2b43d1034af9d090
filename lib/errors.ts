/**
 * What kind of refusal an error is. The HTTP API answers each kind with one status
 * (lib/server/route.ts); the CLI prints the message whatever the kind.
 */
export type StudioErrorCode =
  /** The input is wrong: an unknown example, a broken suite. */
  | "invalid"
  | "not_found"
  /** The input is fine, but the studio's state refuses it now: one already running, nothing changed, no suite. */
  | "conflict"
  | "too_large"
  /** A harness source that does not compile. */
  | "uncompilable";

export interface StudioErrorOptions {
  hint?: string;
  /** "conflict" unless said: a refusal deep in lib/ is about the state of things, since routes check the input's shape first. */
  code?: StudioErrorCode;
  /** JSON fields the API answers with beside `error` (`problems`, `fields`, …). */
  details?: Record<string, unknown>;
}

/** An error whose message is written for the person at the terminal or in the browser. */
export class StudioError extends Error {
  readonly hint?: string;
  readonly code: StudioErrorCode;
  readonly details?: Record<string, unknown>;

  constructor(message: string, hint?: string);
  constructor(message: string, options: StudioErrorOptions);
  constructor(message: string, options: string | StudioErrorOptions = {}) {
    super(message);
    this.name = "StudioError";
    const { hint, code = "conflict", details } = typeof options === "string" ? { hint: options } : options;
    this.hint = hint;
    this.code = code;
    this.details = details;
  }
}

/** One thing wrong in an input file, placed where a person can find it. */
export interface FileProblem {
  /** Relative to the suite folder, posix ("tasks.jsonl", "env/t1/data.bin", "." for the folder), or the harness's file name. */
  file: string;
  /** 1-based. */
  line?: number;
  /** 1-based, in characters; only with a line. */
  column?: number;
  message: string;
}

/** `tasks.jsonl:7: split must be "search" or "test"`, `harness.ts:3:14: Expected ")"` */
export function formatProblem(problem: FileProblem): string {
  const place =
    problem.line === undefined ? "" : `:${problem.line}${problem.column === undefined ? "" : `:${problem.column}`}`;
  return `${problem.file}${place}: ${problem.message}`;
}

/** "1 problem", "3 problems" */
export function countProblems(problems: readonly FileProblem[]): string {
  return problems.length === 1 ? "1 problem" : `${problems.length} problems`;
}

/** The work was cancelled (a person asked, or the caller aborted): not a failure. */
export class CancelledError extends StudioError {
  constructor() {
    super("cancelled");
    this.name = "CancelledError";
  }
}
