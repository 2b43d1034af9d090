// The proposer's view of the workspace: every path is relative to the workspace root and must
// stay inside it after symlinks are resolved; writes must land under the iteration's proposal
// folder. Refusals are ToolErrors: their message goes back to the model as a tool error, so it
// can correct itself, and never crashes the iteration.
import fs from "node:fs";
import path from "node:path";
import { LIST_ENTRIES, READ_LINE_CHARS, READ_PAGE_CHARS, READ_PAGE_LINES, WRITE_FILE_BYTES } from "./limits.ts";
import { formatBytes } from "../format.ts";

/** A refusal or a usage mistake, in words for the model. */
export class ToolError extends Error {}

export interface ResolvedPath {
  absolute: string;
  /** Normalised, posix, relative to the workspace root ("." for the root itself). */
  relative: string;
}

export interface ReadPage {
  text: string;
  relative: string;
  startLine: number;
  endLine: number;
  totalLines: number;
}

export class WorkspaceFiles {
  private constructor(
    /** The workspace root, symlinks resolved. */
    readonly root: string,
    /** The proposal folder, symlinks resolved; inside root. */
    readonly proposalRoot: string,
  ) {}

  /** Creates the proposal folder if needed; refuses one that is not inside the workspace. */
  static open(workspaceDir: string, proposalDir: string): WorkspaceFiles {
    const root = fs.realpathSync(workspaceDir);
    fs.mkdirSync(proposalDir, { recursive: true });
    const proposalRoot = fs.realpathSync(proposalDir);
    if (!isInside(root, proposalRoot) || proposalRoot === root) {
      throw new Error(`The proposal folder ${proposalDir} must be a folder inside the workspace ${workspaceDir}`);
    }
    return new WorkspaceFiles(root, proposalRoot);
  }

  /** The proposal folder as the model names it, e.g. "proposals/4". */
  get proposalRelative(): string {
    return toPosix(path.relative(this.root, this.proposalRoot));
  }

  relativeOf(absolute: string): string {
    return toPosix(path.relative(this.root, absolute)) || ".";
  }

  /** An existing file or folder inside the workspace, after symlinks. */
  resolveExisting(input: unknown): ResolvedPath {
    const resolved = this.lexical(input);
    let real: string;
    try {
      real = fs.realpathSync(resolved.absolute);
    } catch {
      throw new ToolError(`${resolved.relative}: no such file or folder in the workspace`);
    }
    if (real !== this.root && !isInside(this.root, real))
      throw new ToolError(`${resolved.relative} leads outside the workspace (through a symbolic link); refused`);
    return resolved;
  }

  listDir(input: unknown = "."): string {
    const { absolute, relative } = this.resolveExisting(input);
    if (!fs.statSync(absolute).isDirectory())
      throw new ToolError(`${relative} is a file, not a folder; read it with read_file`);
    const entries = fs.readdirSync(absolute, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
    const lines = entries.slice(0, LIST_ENTRIES).map((entry) => {
      const full = path.join(absolute, entry.name);
      if (entry.isSymbolicLink()) return `${entry.name} -> ${safe(() => fs.readlinkSync(full), "?")}`;
      if (entry.isDirectory()) return `${entry.name}/  (${safe(() => fs.readdirSync(full).length, 0)} entries)`;
      return `${entry.name}  (${formatBytes(safe(() => fs.statSync(full).size, 0))})`;
    });
    const more = entries.length > LIST_ENTRIES ? [`[… ${entries.length - LIST_ENTRIES} more entries not shown]`] : [];
    return [`${relative === "." ? "./" : `${relative}/`} (${entries.length} entries)`, ...lines, ...more].join("\n");
  }

  /**
   * One page of a file with line numbers (cat -n style). A page ends at READ_PAGE_LINES lines or
   * READ_PAGE_CHARS characters, and says how to read on. Very long lines (a trace line holds a
   * whole model request) are cut inside a multi-line page; one line asked for alone is shown from
   * char_offset, up to a page.
   */
  readFile(input: unknown, startLine?: number, endLine?: number, charOffset?: number): ReadPage {
    const { absolute, relative } = this.resolveExisting(input);
    const stat = fs.statSync(absolute);
    if (stat.isDirectory()) throw new ToolError(`${relative} is a folder; list it with list_dir`);
    if (charOffset !== undefined && (startLine === undefined || endLine !== startLine)) {
      throw new ToolError("char_offset reads inside one long line: give start_line and end_line equal to that line");
    }
    const buffer = fs.readFileSync(absolute);
    if (buffer.subarray(0, 8000).includes(0)) {
      return {
        text: `${relative}: binary file of ${formatBytes(buffer.length)}; not shown`,
        relative,
        startLine: 0,
        endLine: 0,
        totalLines: 0,
      };
    }
    const lines = splitLines(buffer.toString("utf8"));
    const total = lines.length;
    if (total === 0) return { text: `${relative}: empty file`, relative, startLine: 0, endLine: 0, totalLines: 0 };
    const first = startLine ?? 1;
    if (first > total) throw new ToolError(`start_line ${first} is past the end: ${relative} has ${total} lines`);
    const last = Math.min(endLine ?? total, total);
    if (last < first) throw new ToolError(`end_line ${endLine} is before start_line ${first}`);

    if (charOffset !== undefined || (endLine === startLine && startLine !== undefined)) {
      return { ...this.readOneLine(relative, lines[first - 1], first, total, charOffset ?? 0), relative };
    }

    const shown: string[] = [];
    let chars = 0;
    let lineNumber = first;
    for (; lineNumber <= last && shown.length < READ_PAGE_LINES; lineNumber++) {
      const line = lines[lineNumber - 1];
      const piece =
        line.length > READ_LINE_CHARS
          ? `${line.slice(0, READ_LINE_CHARS)} [… line ${lineNumber} continues: ${line.length - READ_LINE_CHARS} more characters; read it alone (start_line=end_line=${lineNumber}, char_offset=${READ_LINE_CHARS}) for the rest]`
          : line;
      if (shown.length > 0 && chars + piece.length > READ_PAGE_CHARS) break;
      shown.push(`${String(lineNumber).padStart(6)}\t${piece}`);
      chars += piece.length;
    }
    const lastShown = lineNumber - 1;
    const header = `${relative} (lines ${first}-${lastShown} of ${total})`;
    const footer =
      lastShown < total ? [`[… ${total - lastShown} more lines: continue with start_line=${lastShown + 1}]`] : [];
    return {
      text: [header, ...shown, ...footer].join("\n"),
      relative,
      startLine: first,
      endLine: lastShown,
      totalLines: total,
    };
  }

  private readOneLine(
    relative: string,
    line: string,
    lineNumber: number,
    total: number,
    offset: number,
  ): Omit<ReadPage, "relative"> {
    if (offset < 0 || offset > line.length)
      throw new ToolError(`char_offset ${offset} is outside line ${lineNumber} (${line.length} characters)`);
    const piece = line.slice(offset, offset + READ_PAGE_CHARS);
    const rest = line.length - offset - piece.length;
    const where = offset > 0 || rest > 0 ? `, characters ${offset}-${offset + piece.length} of ${line.length}` : "";
    const text = [
      `${relative} (line ${lineNumber} of ${total}${where})`,
      `${String(lineNumber).padStart(6)}\t${piece}`,
      ...(rest > 0
        ? [`[… ${rest} more characters in line ${lineNumber}: continue with char_offset=${offset + piece.length}]`]
        : []),
    ].join("\n");
    return { text, startLine: lineNumber, endLine: lineNumber, totalLines: total };
  }

  /** Writes (or appends to) a file under the proposal folder; creates folders on the way. */
  writeFile(input: unknown, content: unknown, append = false): string {
    if (typeof content !== "string") throw new ToolError("content must be a string");
    const { absolute, relative } = this.lexical(input);
    const proposals = this.proposalRelative;
    if (!isInside(this.proposalRoot, absolute) || absolute === this.proposalRoot) {
      throw new ToolError(
        `${relative}: writing is allowed only under ${proposals}/ (paths are relative to the workspace root, e.g. ${proposals}/my-idea/harness.ts); refused`,
      );
    }
    // The nearest folder that exists must really be inside the proposal folder: a symbolic link
    // planted on the way must not carry the write elsewhere.
    let existing = path.dirname(absolute);
    while (!fs.existsSync(existing)) existing = path.dirname(existing);
    const realExisting = fs.realpathSync(existing);
    if (!isInside(this.proposalRoot, realExisting) && realExisting !== this.proposalRoot) {
      throw new ToolError(`${relative} leads outside ${proposals}/ (through a symbolic link); refused`);
    }
    const current = fs.lstatSync(absolute, { throwIfNoEntry: false });
    if (current?.isSymbolicLink()) throw new ToolError(`${relative} is a symbolic link; writing through it is refused`);
    if (current?.isDirectory()) throw new ToolError(`${relative} is a folder`);
    const bytes = Buffer.byteLength(content) + (append && current ? current.size : 0);
    if (bytes > WRITE_FILE_BYTES)
      throw new ToolError(`${relative} would be ${formatBytes(bytes)}; the limit is ${formatBytes(WRITE_FILE_BYTES)}`);
    fs.mkdirSync(path.dirname(absolute), { recursive: true });
    // O_NOFOLLOW: even a link that appeared after the checks is not followed.
    const flags =
      fs.constants.O_WRONLY |
      fs.constants.O_CREAT |
      fs.constants.O_NOFOLLOW |
      (append ? fs.constants.O_APPEND : fs.constants.O_TRUNC);
    const handle = fs.openSync(absolute, flags, 0o644);
    try {
      fs.writeSync(handle, content);
    } finally {
      fs.closeSync(handle);
    }
    const lines = splitLines(fs.readFileSync(absolute, "utf8")).length;
    return `${append ? "appended to" : "wrote"} ${relative} (now ${formatBytes(bytes)}, ${lines} lines)`;
  }

  /** Checks the path's text only: relative, no NUL, not above the root. */
  private lexical(input: unknown): ResolvedPath {
    if (typeof input !== "string" || input.trim() === "")
      throw new ToolError("path must be a non-empty string, relative to the workspace root");
    if (input.includes("\u0000")) throw new ToolError("path contains a NUL character");
    if (path.isAbsolute(input)) {
      throw new ToolError(
        `${input}: absolute paths are refused; every path is relative to the workspace root (e.g. candidates/<id>/harness.ts)`,
      );
    }
    const absolute = path.resolve(this.root, input);
    if (absolute !== this.root && !isInside(this.root, absolute))
      throw new ToolError(`${input} is outside the workspace; refused`);
    return { absolute, relative: this.relativeOf(absolute) };
  }
}

export function isInside(parent: string, child: string): boolean {
  const relative = path.relative(parent, child);
  return relative !== "" && relative !== ".." && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}

export function toPosix(p: string): string {
  return p.split(path.sep).join("/");
}

/** Lines of a text; a final newline does not make an extra empty line. */
export function splitLines(text: string): string[] {
  if (text === "") return [];
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines;
}

function safe<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

/**
 * The studio reading or writing a file a sandboxed proposer could have replaced with a symbolic
 * link (to a file only the studio may read or write): a link in the last component is refused
 * (ELOOP) when reading, and replaced rather than followed when writing.
 */
export function readNoFollow(file: string): string {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    return fs.readFileSync(fd, "utf8");
  } finally {
    fs.closeSync(fd);
  }
}

export function writeNoFollow(file: string, text: string): void {
  fs.rmSync(file, { force: true });
  fs.writeFileSync(file, text, { flag: "wx" });
}
