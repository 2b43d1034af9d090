// Reads a suite (suite.json, tasks.jsonl, grader.ts, env/<task id>/) into memory, from a folder
// or from an upload's files. People write suites by hand, so a load reports every problem at
// once, each with its file and line, instead of making them fix one mistake per attempt.
// Loading only reads: it never writes.
import path from "node:path";
import type { z } from "zod";
import { StudioError, countProblems, formatProblem, type FileProblem } from "../errors.ts";
import { folderFiles, type SuiteFiles } from "./files.ts";
import {
  ENV_DIR,
  ENV_FILE_LIMIT_BYTES,
  ENV_TOTAL_LIMIT_BYTES,
  SUITE_FIELDS,
  SUITE_FILE,
  TASK_FIELDS,
  TASKS_FILE,
  describeIssue,
  suiteConfigSchema,
  taskLineSchema,
  type GraderConfig,
  type Split,
  type SuiteConfig,
} from "./format.ts";
import type { ContainerSpec } from "./container-spec.ts";
import { checkExpected } from "./graders.ts";
import { parseJson } from "./json-syntax.ts";
import { formatBytes } from "../format.ts";

export interface LoadedTask {
  /** The task's id from tasks.jsonl. */
  key: string;
  input: unknown;
  expected: unknown;
  split: Split;
  meta: Record<string, unknown> | null;
  /** 0-based order in tasks.jsonl (blank lines not counted): the stream order of sequential suites. */
  position: number;
  /** Starting files from env/<key>/: relative posix path → base64 content; null when the task has no env folder. */
  envFiles: Record<string, string> | null;
  /** Harbor tasks (harbor.ts): the container the task runs in; absent for suite folders. */
  container?: ContainerSpec | null;
}

export interface LoadedSuite {
  /** Absolute path of the suite folder, or "the upload". */
  dir: string;
  config: SuiteConfig;
  tasks: LoadedTask[];
  /** Source of the module grader when grader.type is "module", else null. */
  graderSource: string | null;
}

/** Suite problems never carry a column: JSON syntax errors name theirs in the message. */
export type SuiteProblem = Omit<FileProblem, "column">;

export class SuiteLoadError extends StudioError {
  constructor(
    readonly dir: string,
    readonly problems: SuiteProblem[],
  ) {
    super(
      `Cannot load the suite in ${dir} (${countProblems(problems)}):\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`,
      { code: "invalid" },
    );
    this.name = "SuiteLoadError";
  }
}

export function loadSuiteFolder(dir: string): Promise<LoadedSuite> {
  return loadSuite(folderFiles(dir));
}

export async function loadSuite(files: SuiteFiles): Promise<LoadedSuite> {
  const root = await files.stat("").catch(() => null);
  if (root?.kind !== "folder") {
    throw new SuiteLoadError(files.where, [{ file: ".", message: root ? "is not a folder" : "folder not found" }]);
  }

  const problems: SuiteProblem[] = [];
  const config = await readConfig(files, problems);
  const graderSource =
    config?.grader.type === "module" ? await readGraderSource(files, config.grader.path, problems) : null;
  const { tasks, ids } = await readTasks(files, config?.grader ?? null, problems);
  const envs = await readEnvs(files, ids, problems);

  if (problems.length > 0 || !config) throw new SuiteLoadError(files.where, problems);
  return {
    dir: files.where,
    config,
    graderSource,
    tasks: tasks.map((task) => ({ ...task, envFiles: envs.get(task.key) ?? null })),
  };
}

// ── Files ────────────────────────────────────────────────────────────────────────────────

/** A text file of the suite, or null (with a problem recorded) when it cannot be read. */
async function readText(
  files: SuiteFiles,
  file: string,
  whyNeeded: string,
  problems: SuiteProblem[],
): Promise<string | null> {
  try {
    const entry = await files.stat(file);
    if (!entry) problems.push({ file, message: `missing: ${whyNeeded}` });
    else if (entry.kind === "folder") problems.push({ file, message: "is a folder, not a file" });
    else return (await files.read(file)).toString("utf8").replace(/^\uFEFF/, ""); // editors on Windows like to add a byte-order mark
  } catch (err) {
    problems.push({ file, message: `cannot be read: ${(err as Error).message}` });
  }
  return null;
}

function syntaxProblem(
  file: string,
  error: { line: number; column: number; message: string },
  line = error.line,
): SuiteProblem {
  return { file, line, message: `not valid JSON: ${error.message} (column ${error.column})` };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

function describeJsonKind(value: unknown): string {
  return value === null ? "null" : Array.isArray(value) ? "an array" : `a ${typeof value}`;
}

/** describeIssue, plus the list of valid fields when a top-level field is unknown (usually a typo). */
function issueMessage(issue: z.core.$ZodIssue, root: unknown, fields: readonly string[]): string {
  const message = describeIssue(issue, root);
  return issue.code === "unrecognized_keys" && issue.path.length === 0
    ? `${message} (fields are ${fields.join(", ")})`
    : message;
}

// ── suite.json ───────────────────────────────────────────────────────────────────────────

async function readConfig(files: SuiteFiles, problems: SuiteProblem[]): Promise<SuiteConfig | null> {
  const text = await readText(files, SUITE_FILE, "every suite needs a suite.json", problems);
  if (text === null) return null;
  const parsed = parseJson(text);
  if (!parsed.ok) {
    problems.push(syntaxProblem(SUITE_FILE, parsed.error));
    return null;
  }
  if (!isPlainObject(parsed.value)) {
    problems.push({ file: SUITE_FILE, message: `must hold a JSON object, not ${describeJsonKind(parsed.value)}` });
    return null;
  }
  const result = suiteConfigSchema.safeParse(parsed.value);
  if (!result.success) {
    for (const issue of result.error.issues) {
      problems.push({ file: SUITE_FILE, message: issueMessage(issue, parsed.value, SUITE_FIELDS) });
    }
    return null;
  }
  return result.data;
}

async function readGraderSource(
  files: SuiteFiles,
  graderPath: string,
  problems: SuiteProblem[],
): Promise<string | null> {
  const file = path.posix.normalize(graderPath);
  const source = await readText(files, file, 'grader.type is "module", so the suite needs its grader module', problems);
  if (source !== null && source.trim() === "")
    problems.push({ file, message: "is empty: a module grader must export a grading function" });
  return source;
}

// ── tasks.jsonl ──────────────────────────────────────────────────────────────────────────

type TaskWithoutEnv = Omit<LoadedTask, "envFiles" | "container">;

/**
 * Validates every line. `ids` holds every id seen, even on otherwise invalid lines, so that the
 * env folder check does not also blame env/<id> for a task whose only fault is elsewhere.
 */
async function readTasks(
  files: SuiteFiles,
  grader: GraderConfig | null,
  problems: SuiteProblem[],
): Promise<{ tasks: TaskWithoutEnv[]; ids: Set<string> }> {
  const tasks: TaskWithoutEnv[] = [];
  const ids = new Set<string>();
  const text = await readText(files, TASKS_FILE, "every suite needs a tasks.jsonl with one task per line", problems);
  if (text === null) return { tasks, ids };

  const firstLineOf = new Map<string, number>();
  let taskCount = 0;
  let hasSearchTask = false;
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const lineText = lines[index].replace(/\r$/, "");
    if (lineText.trim() === "") continue;
    const line = index + 1;
    const position = taskCount++;
    const problem = (message: string) => problems.push({ file: TASKS_FILE, line, message });

    const parsed = parseJson(lineText);
    if (!parsed.ok) {
      problems.push(syntaxProblem(TASKS_FILE, parsed.error, line));
      continue;
    }
    const value = parsed.value;
    if (!isPlainObject(value)) {
      problem(`each line must be a JSON object (one task), not ${describeJsonKind(value)}`);
      continue;
    }

    if (typeof value.id === "string") {
      const first = firstLineOf.get(value.id);
      if (first !== undefined) problem(`duplicate id ${JSON.stringify(value.id)}: line ${first} already uses it`);
      else firstLineOf.set(value.id, line);
      ids.add(value.id);
    }
    if (value.split === "search") hasSearchTask = true;

    const result = taskLineSchema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) problem(issueMessage(issue, value, TASK_FIELDS));
      continue;
    }
    const task = result.data;
    const expectedProblem = grader ? checkExpected(grader, task.expected) : null;
    if (expectedProblem) problem(expectedProblem);
    tasks.push({
      key: task.id,
      input: task.input,
      expected: task.expected,
      split: task.split,
      meta: task.meta ?? null,
      position,
    });
  }

  if (taskCount === 0) {
    problems.push({ file: TASKS_FILE, message: "has no tasks: write one JSON object per line" });
  } else if (!hasSearchTask) {
    problems.push({
      file: TASKS_FILE,
      message: 'has no task with split "search": the proposer optimizes on the search split, so at least one is needed',
    });
  }
  return { tasks, ids };
}

// ── env/<task id>/ ───────────────────────────────────────────────────────────────────────

interface EnvFile {
  /** Relative to env/<task id>/, posix. */
  rel: string;
  /** Relative to the suite. */
  file: string;
}

const LINK_MESSAGE = "is a symbolic link: links are not followed, copy the file in instead";

/**
 * Collects each task's env files, checking names, links and size limits first; contents are
 * read only when the whole suite is otherwise valid, so a rejected suite costs no big reads.
 */
async function readEnvs(
  files: SuiteFiles,
  ids: Set<string>,
  problems: SuiteProblem[],
): Promise<Map<string, Record<string, string>>> {
  const envs = new Map<string, Record<string, string>>();
  const stat = await files.lstat(ENV_DIR).catch(() => null);
  if (!stat) return envs;
  if (stat.kind === "link") {
    problems.push({ file: ENV_DIR, message: LINK_MESSAGE });
    return envs;
  }
  if (stat.kind !== "folder") {
    problems.push({ file: ENV_DIR, message: "must be a folder holding one folder per task id" });
    return envs;
  }

  const listed = new Map<string, EnvFile[]>();
  let totalBytes = 0;
  for (const name of await sortedNames(files, ENV_DIR)) {
    const rel = `${ENV_DIR}/${name}`;
    const entry = await files.lstat(rel);
    if (entry?.kind === "link") problems.push({ file: rel, message: LINK_MESSAGE });
    else if (entry?.kind !== "folder")
      problems.push({
        file: rel,
        message: "env holds only folders named after task ids; move this file into env/<task id>/",
      });
    else if (!ids.has(name)) problems.push({ file: rel, message: `no task has id ${JSON.stringify(name)}` });
    else {
      const envFiles: EnvFile[] = [];
      totalBytes += await listEnvFiles(files, rel, "", envFiles, problems);
      listed.set(name, envFiles);
    }
  }
  if (totalBytes > ENV_TOTAL_LIMIT_BYTES) {
    problems.push({
      file: ENV_DIR,
      message: `env files total ${formatBytes(totalBytes)}, over the ${formatBytes(ENV_TOTAL_LIMIT_BYTES)} limit for a suite: they are stored in the database and copied into every sandbox`,
    });
  }
  if (problems.length > 0) return envs;

  for (const [id, envFiles] of listed) {
    const contents: Record<string, string> = {};
    for (const env of envFiles) contents[env.rel] = (await files.read(env.file)).toString("base64");
    envs.set(id, contents);
  }
  return envs;
}

/** Sorted so that envFiles keys and problems come out in the same order on every machine. */
async function sortedNames(files: SuiteFiles, dir: string): Promise<string[]> {
  return (await files.list(dir)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Appends the regular files under `dir` (relative to the suite) to `out`; returns their total size in bytes. */
async function listEnvFiles(
  files: SuiteFiles,
  dir: string,
  relDir: string,
  out: EnvFile[],
  problems: SuiteProblem[],
): Promise<number> {
  let bytes = 0;
  for (const name of await sortedNames(files, dir)) {
    const file = `${dir}/${name}`;
    const rel = relDir ? `${relDir}/${name}` : name;
    // lstat, never stat: a link must be reported, not followed out of the suite folder.
    const stat = await files.lstat(file);
    if (stat?.kind === "link") {
      problems.push({ file, message: LINK_MESSAGE });
    } else if (stat?.kind === "folder") {
      bytes += await listEnvFiles(files, file, rel, out, problems);
    } else if (stat?.kind !== "file") {
      problems.push({ file, message: "is not a regular file" });
    } else if (stat.size > ENV_FILE_LIMIT_BYTES) {
      problems.push({
        file,
        message: `is ${formatBytes(stat.size)} (${stat.size} bytes), over the ${formatBytes(ENV_FILE_LIMIT_BYTES)} limit for one env file`,
      });
      bytes += stat.size;
    } else {
      out.push({ rel, file });
      bytes += stat.size;
    }
  }
  return bytes;
}
