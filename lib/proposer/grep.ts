// grep for the proposer, in plain Node (no shell, so no quoting games and nothing to inject):
// a JavaScript regular expression over the lines of the files under a path, streamed line by
// line so multi-megabyte traces are fine, with bounded output. Hidden folders are skipped when
// walking (as ripgrep does), symbolic links are never followed.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import { GREP_FILE_BYTES, GREP_LINE_CHARS, GREP_MATCHES, GREP_OUTPUT_CHARS } from "./limits.ts";
import { ToolError, toPosix, type WorkspaceFiles } from "./workspace-files.ts";

export interface GrepOptions {
  pattern: string;
  /** File or folder, relative to the workspace root. Default: the whole workspace. */
  path?: string;
  /** Only files matching this glob: "*.json" matches file names, "candidates/*\/scores.json" paths. */
  glob?: string;
  ignoreCase?: boolean;
}

export async function grep(files: WorkspaceFiles, options: GrepOptions): Promise<string> {
  let regex: RegExp;
  try {
    regex = new RegExp(options.pattern, options.ignoreCase ? "i" : "");
  } catch (error) {
    throw new ToolError(`invalid regular expression: ${(error as Error).message}`);
  }
  const start = files.resolveExisting(options.path ?? ".");
  const globRegex = options.glob ? globToRegExp(options.glob) : null;
  const globHasSlash = options.glob?.includes("/") ?? false;

  const out: string[] = [];
  let chars = 0;
  let matches = 0;
  let matchedFiles = 0;
  let searched = 0;
  let stopped = false;
  const skipped: string[] = [];

  for (const absolute of walk(start.absolute)) {
    const relative = files.relativeOf(absolute);
    if (globRegex) {
      const fromStart = toPosix(path.relative(start.absolute, absolute));
      const ok = globHasSlash
        ? globRegex.test(fromStart) || globRegex.test(relative)
        : globRegex.test(path.basename(absolute));
      if (!ok) continue;
    }
    const size = fs.statSync(absolute).size;
    if (size > GREP_FILE_BYTES) {
      skipped.push(relative);
      continue;
    }
    searched++;
    let found = false;
    for await (const { line, number } of linesOf(absolute)) {
      if (!regex.test(line)) continue;
      if (!found) matchedFiles++;
      found = true;
      const entry = `${relative}:${number}:${excerpt(line, regex)}`;
      if (matches >= GREP_MATCHES || chars + entry.length > GREP_OUTPUT_CHARS) {
        stopped = true;
        break;
      }
      out.push(entry);
      chars += entry.length + 1;
      matches++;
    }
    if (stopped) break;
  }

  const where = start.relative === "." ? "the workspace" : start.relative;
  const notes: string[] = [];
  if (stopped)
    notes.push(`[stopped after ${matches} matching lines; more exist. Narrow the search with path or glob.]`);
  if (skipped.length)
    notes.push(
      `[not searched, larger than ${GREP_FILE_BYTES / 1024 / 1024} MiB: ${skipped.join(", ")}; read them with read_file]`,
    );
  if (matches === 0 && !stopped)
    return [`no matches for /${options.pattern}/ in ${where} (${searched} files searched)`, ...notes].join("\n");
  const header = `${matches} matching lines in ${matchedFiles} files under ${where} (${searched} files searched${stopped ? " before stopping" : ""})`;
  return [header, ...out, ...notes].join("\n");
}

/** Files under a path (or the path itself), sorted, depth first; no hidden folders, no links. */
function* walk(start: string): Generator<string> {
  const stat = fs.lstatSync(start);
  if (stat.isFile()) {
    yield start;
    return;
  }
  const entries = fs.readdirSync(start, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const full = path.join(start, entry.name);
    if (entry.isDirectory() && !entry.name.startsWith(".")) yield* walk(full);
    else if (entry.isFile()) yield full;
  }
}

async function* linesOf(file: string): AsyncGenerator<{ line: string; number: number }> {
  // A binary file has no lines worth showing.
  const head = Buffer.alloc(8000);
  const fd = fs.openSync(file, "r");
  const read = fs.readSync(fd, head, 0, head.length, 0);
  fs.closeSync(fd);
  if (head.subarray(0, read).includes(0)) return;
  const stream = fs.createReadStream(file, { encoding: "utf8" });
  const reader = readline.createInterface({ input: stream, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of reader) yield { line, number: ++number };
  } finally {
    reader.close();
    stream.destroy();
  }
}

/** The line, or for a long one a window around its first match with its character range. */
function excerpt(line: string, regex: RegExp): string {
  if (line.length <= GREP_LINE_CHARS) return ` ${line}`;
  const at = Math.max(0, line.search(regex));
  const from = Math.max(0, Math.min(at - Math.floor(GREP_LINE_CHARS / 3), line.length - GREP_LINE_CHARS));
  const to = from + GREP_LINE_CHARS;
  return `[characters ${from}-${to} of ${line.length}; match at ${at}] ${from > 0 ? "…" : ""}${line.slice(from, to)}${to < line.length ? "…" : ""}`;
}

/** *, ?, ** and {a,b}; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  let braces = 0;
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i];
    if (c === "*" && glob[i + 1] === "*") {
      i++;
      if (glob[i + 1] === "/") {
        i++;
        source += "(?:.*/)?";
      } else source += ".*";
    } else if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "{") {
      braces++;
      source += "(?:";
    } else if (c === "}" && braces > 0) {
      braces--;
      source += ")";
    } else if (c === "," && braces > 0) source += "|";
    else source += c.replace(/[.+^$(){}|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}$`);
}
