// Imports Harbor tasks (a folder of task folders, or one task folder) as a suite. A Harbor task is
// instruction.md (the input), task.toml (limits), environment/ (a Dockerfile and its build
// context), tests/test.sh (writes /logs/verifier/reward.txt or .json) and optionally
// solution/solve.sh. The split is assigned, never guessed: `split` puts every task in one, or
// splits.json beside the tasks maps task names to splits. Like load.ts, every problem is reported
// at once, by file and line, and nothing is read in full until all is well.
import path from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { formatBytes } from "../format.ts";
import type { ContainerSpec } from "./container-spec.ts";
import type { SuiteFiles } from "./files.ts";
import { ENV_FILE_LIMIT_BYTES, ENV_TOTAL_LIMIT_BYTES, TASK_ID_MAX_LENGTH, splitSchema, type Split } from "./format.ts";
import { parseJson } from "./json-syntax.ts";
import { SuiteLoadError, type LoadedSuite, type LoadedTask, type SuiteProblem } from "./load.ts";

export const HARBOR_TASK_FILE = "task.toml";
export const HARBOR_SPLITS_FILE = "splits.json";

/** Harbor's own defaults where task.toml says nothing. */
const DEFAULTS = { agentTimeoutSec: 600, verifierTimeoutSec: 600, buildTimeoutSec: 600 };

export interface HarborOptions {
  /** Every task in this split; without it, splits.json decides. */
  split?: Split;
  /** The suite's name when the files do not say (an upload has no folder name). */
  name?: string;
}

/** True when `files` hold Harbor tasks rather than a suite.json suite. */
export async function isHarborFolder(files: SuiteFiles): Promise<boolean> {
  if (await files.stat("suite.json")) return false;
  if (await files.stat(HARBOR_TASK_FILE)) return true;
  for (const name of await files.list("").catch(() => [])) {
    if ((await files.stat(name))?.kind === "folder" && (await files.stat(`${name}/${HARBOR_TASK_FILE}`))) return true;
  }
  return false;
}

export async function loadHarborSuite(files: SuiteFiles, options: HarborOptions = {}): Promise<LoadedSuite> {
  const root = await files.stat("").catch(() => null);
  if (root?.kind !== "folder")
    throw new SuiteLoadError(files.where, [{ file: ".", message: root ? "is not a folder" : "folder not found" }]);
  const problems: SuiteProblem[] = [];
  const single = (await files.stat(HARBOR_TASK_FILE)) !== null;
  const baseName = options.name ?? (files.where.startsWith("/") ? path.basename(files.where) : "harbor-tasks");
  const folders = single ? [{ name: baseName, dir: "" }] : await taskFolders(files, problems);
  if (folders.length === 0 && problems.length === 0)
    problems.push({ file: ".", message: "holds no Harbor task: no task.toml here or in a folder here" });

  const splits = await readSplits(files, options.split, single, problems);
  const tasks: LoadedTask[] = [];
  let totalBytes = 0;
  for (const folder of folders) {
    const task = await readTask(files, folder, problems);
    totalBytes += task?.bytes ?? 0;
    const split = options.split ?? splits?.get(folder.name);
    if (!split && !options.split && splits) {
      problems.push({
        file: HARBOR_SPLITS_FILE,
        message: `names no split for task "${folder.name}": give it "search" or "test"`,
      });
    } else if (!split && !splits && !options.split) {
      problems.push({
        file: folder.dir || ".",
        message: `has no split: pass --split search|test, or map task names to splits in ${HARBOR_SPLITS_FILE}`,
      });
    }
    if (task && split) tasks.push({ ...task.loaded, split, position: tasks.length });
  }
  for (const [name, line] of splits?.lines ?? []) {
    if (!folders.some((folder) => folder.name === name))
      problems.push({ file: HARBOR_SPLITS_FILE, line, message: `no task folder is named "${name}"` });
  }
  if (totalBytes > ENV_TOTAL_LIMIT_BYTES)
    problems.push({
      file: ".",
      message: `task files total ${formatBytes(totalBytes)}, over the ${formatBytes(ENV_TOTAL_LIMIT_BYTES)} limit for a suite`,
    });
  // Only about a suite otherwise whole: a task dropped for its own problem may be the search one.
  if (problems.length === 0 && !tasks.some((task) => task.split === "search"))
    problems.push({
      file: splits ? HARBOR_SPLITS_FILE : ".",
      message:
        'puts no task in the "search" split: the proposer optimizes on the search split, so at least one is needed',
    });
  if (problems.length > 0) throw new SuiteLoadError(files.where, problems);

  const limits = tasks.map((task) => task.container!.agentTimeoutSec);
  return {
    dir: files.where,
    config: {
      name: baseName,
      description:
        `Harbor tasks (${tasks.length}). Each task's input is its instruction; it runs in a container built from ` +
        "the task's environment, where ctx.exec runs every command (working directory /app). After run() returns, " +
        "the task's hidden tests run in that container and write the reward: the container's final state is graded, " +
        "not the returned value.",
      mode: "independent",
      grader: { type: "verifier" },
      timeoutMs: Math.round(Math.max(...limits) * 1000),
      passThreshold: 1,
    },
    graderSource: null,
    tasks,
  };
}

interface TaskFolder {
  /** The task's name (its id in the suite). */
  name: string;
  /** Relative to the upload or folder; "" for a single task. */
  dir: string;
}

async function taskFolders(files: SuiteFiles, problems: SuiteProblem[]): Promise<TaskFolder[]> {
  const folders: TaskFolder[] = [];
  for (const name of (await files.list("")).sort()) {
    const entry = await files.lstat(name);
    if (entry?.kind !== "folder" || name.startsWith(".")) continue;
    if (!(await files.stat(`${name}/${HARBOR_TASK_FILE}`))) {
      problems.push({ file: name, message: `has no ${HARBOR_TASK_FILE}: every folder here must be a Harbor task` });
      continue;
    }
    if (name.length > TASK_ID_MAX_LENGTH || /[\u0000-\u001f\u007f\\]/.test(name))
      problems.push({ file: name, message: "cannot be a task id: too long, or holds control characters" });
    else folders.push({ name, dir: name });
  }
  return folders;
}

// ── splits.json ──────────────────────────────────────────────────────────────────────────

interface Splits {
  get(name: string): Split | undefined;
  /** Each task name and the line it is on, to report names that match no task. */
  lines: [string, number][];
}

async function readSplits(
  files: SuiteFiles,
  split: Split | undefined,
  single: boolean,
  problems: SuiteProblem[],
): Promise<Splits | null> {
  const entry = await files.stat(HARBOR_SPLITS_FILE);
  if (!entry || single) return null;
  if (split) {
    problems.push({
      file: HARBOR_SPLITS_FILE,
      message: `--split ${split} puts every task in one split, and ${HARBOR_SPLITS_FILE} assigns them too: use one or the other`,
    });
    return null;
  }
  const text = (await files.read(HARBOR_SPLITS_FILE)).toString("utf8");
  const parsed = parseJson(text);
  if (!parsed.ok) {
    problems.push({
      file: HARBOR_SPLITS_FILE,
      line: parsed.error.line,
      message: `not valid JSON: ${parsed.error.message} (column ${parsed.error.column})`,
    });
    return null;
  }
  const value = parsed.value;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    problems.push({
      file: HARBOR_SPLITS_FILE,
      message: 'must hold one object mapping task names to "search" or "test"',
    });
    return null;
  }
  const map = new Map<string, Split>();
  const lines: [string, number][] = [];
  for (const [name, given] of Object.entries(value)) {
    const line = lineOfKey(text, name);
    lines.push([name, line]);
    const result = splitSchema.safeParse(given);
    if (result.success) map.set(name, result.data);
    else problems.push({ file: HARBOR_SPLITS_FILE, line, message: `"${name}" ${result.error.issues[0].message}` });
  }
  return { get: (name) => map.get(name), lines };
}

function lineOfKey(text: string, key: string): number {
  const at = text.indexOf(JSON.stringify(key));
  return at < 0 ? 1 : text.slice(0, at).split("\n").length;
}

// ── One task ─────────────────────────────────────────────────────────────────────────────

async function readTask(
  files: SuiteFiles,
  folder: TaskFolder,
  problems: SuiteProblem[],
): Promise<{ loaded: Omit<LoadedTask, "split" | "position">; bytes: number } | null> {
  const at = (rel: string) => (folder.dir ? `${folder.dir}/${rel}` : rel);
  const count = problems.length;
  const toml = await readToml(files, at(HARBOR_TASK_FILE), problems);
  const instruction = await readText(files, at("instruction.md"), problems);
  if (instruction !== null && instruction.trim() === "")
    problems.push({ file: at("instruction.md"), message: "is empty: it is the task's input" });
  const trees = { bytes: 0 };
  const context = (await files.stat(at("environment/Dockerfile")))
    ? await readTree(files, at("environment"), problems, trees)
    : null;
  if (!context && toml && !toml.image)
    problems.push({
      file: at("environment/Dockerfile"),
      message: "missing: a task needs an environment/Dockerfile, or [environment] docker_image in task.toml",
    });
  if (!(await files.stat(at("tests/test.sh"))))
    problems.push({ file: at("tests/test.sh"), message: "missing: it runs after the agent and writes the reward" });
  const tests = await readTree(files, at("tests"), problems, trees);
  const solution = (await files.stat(at("solution"))) ? await readTree(files, at("solution"), problems, trees) : null;
  if (problems.length > count || !toml || instruction === null) return null;
  const container: ContainerSpec = { task: folder.name, context, tests: tests ?? {}, solution, ...toml };
  return {
    loaded: { key: folder.name, input: instruction, expected: null, meta: toml.metadata, envFiles: null, container },
    bytes: trees.bytes,
  };
}

async function readText(files: SuiteFiles, file: string, problems: SuiteProblem[]): Promise<string | null> {
  const entry = await files.stat(file);
  if (entry?.kind !== "file") {
    problems.push({ file, message: entry ? "is a folder, not a file" : "missing: every Harbor task needs one" });
    return null;
  }
  if (entry.size > ENV_FILE_LIMIT_BYTES) {
    problems.push({
      file,
      message: `is ${formatBytes(entry.size)}, over the ${formatBytes(ENV_FILE_LIMIT_BYTES)} limit`,
    });
    return null;
  }
  return (await files.read(file)).toString("utf8").replace(/^\uFEFF/, "");
}

/** A folder's regular files as { relative path: base64 }; links and oversized files are problems. */
async function readTree(
  files: SuiteFiles,
  dir: string,
  problems: SuiteProblem[],
  total: { bytes: number },
): Promise<Record<string, string> | null> {
  const out: Record<string, string> = {};
  const walk = async (rel: string): Promise<void> => {
    for (const name of (await files.list(rel ? `${dir}/${rel}` : dir)).sort()) {
      const child = rel ? `${rel}/${name}` : name;
      const file = `${dir}/${child}`;
      const entry = await files.lstat(file);
      if (entry?.kind === "folder") await walk(child);
      else if (entry?.kind === "link")
        problems.push({ file, message: "is a symbolic link: links are not followed, copy the file in instead" });
      else if (entry?.kind !== "file") problems.push({ file, message: "is not a regular file" });
      else if (entry.size > ENV_FILE_LIMIT_BYTES)
        problems.push({
          file,
          message: `is ${formatBytes(entry.size)}, over the ${formatBytes(ENV_FILE_LIMIT_BYTES)} limit`,
        });
      else {
        total.bytes += entry.size;
        out[child] = (await files.read(file)).toString("base64");
      }
    }
  };
  if ((await files.stat(dir))?.kind !== "folder") return null;
  await walk("");
  return out;
}

// ── task.toml ────────────────────────────────────────────────────────────────────────────

type TomlLimits = Omit<ContainerSpec, "task" | "context" | "tests" | "solution"> & {
  metadata: Record<string, unknown> | null;
};

async function readToml(files: SuiteFiles, file: string, problems: SuiteProblem[]): Promise<TomlLimits | null> {
  const text = await readText(files, file, problems);
  if (text === null) return null;
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const message = error.message.split("\n")[0].replace(/^Invalid TOML document: /, "");
    problems.push({ file, line: error.line, message: `not valid TOML: ${message} (column ${error.column})` });
    return null;
  }
  const count = problems.length;
  const read = new TomlReader(text, file, doc, problems);
  const memoryMb = read.number("environment", "memory_mb", { integer: true }) ?? read.memory();
  const limits: TomlLimits = {
    image: read.string("environment", "docker_image"),
    agentTimeoutSec: read.number("agent", "timeout_sec") ?? DEFAULTS.agentTimeoutSec,
    verifierTimeoutSec: read.number("verifier", "timeout_sec") ?? DEFAULTS.verifierTimeoutSec,
    buildTimeoutSec: read.number("environment", "build_timeout_sec") ?? DEFAULTS.buildTimeoutSec,
    cpus: read.number("environment", "cpus"),
    memoryMb,
    allowInternet: read.boolean("environment", "allow_internet") ?? false,
    verifierEnv: read.stringTable("verifier", "env"),
    metadata: read.table("metadata"),
  };
  return problems.length > count ? null : limits;
}

/** Typed reads of task.toml's known keys; a wrong type is a problem on the key's line. Unknown keys are Harbor's business. */
class TomlReader {
  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly doc: Record<string, unknown>,
    private readonly problems: SuiteProblem[],
  ) {}

  table(name: string): Record<string, unknown> | null {
    const value = this.doc[name];
    if (value === undefined) return null;
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    this.problem(name, null, "must be a table");
    return null;
  }

  private value(section: string, key: string): unknown {
    return this.table(section)?.[key];
  }

  string(section: string, key: string): string | null {
    const value = this.value(section, key);
    if (value === undefined) return null;
    if (typeof value === "string" && value.trim() !== "") return value;
    return this.problem(section, key, "must be a non-empty string");
  }

  number(section: string, key: string, options: { integer?: boolean } = {}): number | null {
    const value = this.value(section, key);
    if (value === undefined) return null;
    const n = typeof value === "bigint" ? Number(value) : value;
    if (typeof n === "number" && Number.isFinite(n) && n > 0 && (!options.integer || Number.isInteger(n))) return n;
    return this.problem(section, key, `must be a positive ${options.integer ? "whole number" : "number"}`);
  }

  boolean(section: string, key: string): boolean | null {
    const value = this.value(section, key);
    if (value === undefined) return null;
    if (typeof value === "boolean") return value;
    return this.problem(section, key, "must be true or false");
  }

  stringTable(section: string, key: string): Record<string, string> {
    const value = this.value(section, key);
    if (value === undefined) return {};
    if (typeof value === "object" && value !== null && Object.values(value).every((v) => typeof v === "string"))
      return value as Record<string, string>;
    this.problem(section, key, "must be a table of strings");
    return {};
  }

  /** Older tasks write `memory = "2G"`. */
  memory(): number | null {
    const value = this.value("environment", "memory");
    if (value === undefined) return null;
    const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)\s*([MG])i?B?$/i.exec(value.trim()) : null;
    if (!match) return this.problem("environment", "memory", 'must be a size such as "2G" or "512M"');
    return Math.round(Number(match[1]) * (match[2].toUpperCase() === "G" ? 1024 : 1));
  }

  private problem(section: string, key: string | null, message: string): null {
    const name = key ? `[${section}] ${key}` : `[${section}]`;
    this.problems.push({ file: this.file, line: this.lineOf(section, key), message: `${name} ${message}` });
    return null;
  }

  /** The line of `key =` inside `[section]` (or of the section header), for the problem's place. */
  private lineOf(section: string, key: string | null): number | undefined {
    const lines = this.text.split("\n");
    let inSection = false;
    for (let index = 0; index < lines.length; index++) {
      const line = lines[index].trim();
      const header = /^\[\s*([^\]]+?)\s*\]/.exec(line);
      if (header) {
        inSection = header[1] === section;
        if (inSection && key === null) return index + 1;
        continue;
      }
      if (inSection && key !== null && new RegExp(`^["']?${key}["']?\\s*=`).test(line)) return index + 1;
    }
    return undefined;
  }
}
