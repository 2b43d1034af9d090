/** An error whose message is written for the person at the terminal or in the browser. */
export class StudioError extends Error {
  constructor(message: string, readonly hint?: string) {
    super(message);
    this.name = "StudioError";
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
  const place = problem.line === undefined ? "" : `:${problem.line}${problem.column === undefined ? "" : `:${problem.column}`}`;
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
