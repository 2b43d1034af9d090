// Incremental writing of the workspace folder. A manifest (.studio/manifest.json) remembers,
// per file, a key for its content (a sha256, or a cheap version such as a task run id) and the
// size and mtime it had when written. A rebuild skips a file whose key is unchanged and which
// nobody has touched since, so a rebuild after one new evaluation rewrites only that
// evaluation's files. Every file is written to a temporary name and renamed, so a reader never
// sees half a file. At the end, anything the build did not produce is removed, except under
// proposals/ (the proposer's) and .studio/ (ours).
// File operations are asynchronous, so a build can share a process with the recording proxy;
// writes are buffered and folders made once, so a typical trace costs one write, one rename and
// one stat (file creation in the kernel is what a first build of a big project spends its time on).
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { StudioError } from "../errors.ts";
import { MANIFEST, PROPOSALS, STATE_DIR, UNTOUCHED, resolveInside } from "./layout.ts";

interface ManifestEntry {
  key: string;
  size: number;
  mtimeMs: number;
}

interface Manifest {
  version: 1;
  projectId: string;
  files: Record<string, ManifestEntry>;
}

export interface TreeStats {
  dir: string;
  /** Files written by this build (new or changed). */
  written: number;
  /** Files left as they were. */
  unchanged: number;
  /** Files removed: of candidates that no longer exist, or not made by the studio. */
  removed: number;
  /** Bytes written by this build. */
  bytes: number;
  /** Files in the workspace after this build (proposals/ and .studio/ not counted). */
  files: number;
}

/** A file written piece by piece (a trace), made visible under its name only on close(). */
export interface FileSink {
  write(text: string): Promise<void>;
  close(): Promise<void>;
}

/** Text held per open file before it goes to disk. */
const WRITE_BUFFER_BYTES = 1024 * 1024;

export class WorkspaceTree {
  private readonly produced = new Set<string>();
  private readonly folders = new Set<string>();
  private readonly next: Record<string, ManifestEntry> = {};
  private written = 0;
  private unchanged = 0;
  private bytes = 0;
  private temp = 0;

  private constructor(
    readonly dir: string,
    private readonly projectId: string,
    private readonly previous: Record<string, ManifestEntry>,
    /** Files found before the build (outside proposals/ and .studio/): what may need removing. */
    private readonly existing: string[],
  ) {}

  /**
   * Opens `dir` for a build of `projectId`: creates it if needed, and refuses a folder that
   * holds anything but this project's workspace, because finishing a build removes files it did
   * not make and a mistyped --out must never cost someone their files.
   */
  static async open(dir: string, projectId: string): Promise<WorkspaceTree> {
    const root = path.resolve(dir);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.statSync(root, { throwIfNoEntry: false });
    } catch (error) {
      throw new StudioError(`Cannot write the workspace to ${root}: ${(error as Error).message}`);
    }
    if (stat && !stat.isDirectory())
      throw new StudioError(`Cannot write the workspace to ${root}: it is not a folder.`);
    let previous: Record<string, ManifestEntry> = {};
    if (stat) {
      const manifest = readManifest(root);
      const entries = fs.readdirSync(root);
      if (!manifest && entries.length > 0 && !entries.includes(STATE_DIR)) {
        throw new StudioError(
          `${root} is not empty and is not a studio workspace.`,
          "Choose a new or empty folder: a build removes files it did not write.",
        );
      }
      if (manifest && manifest.projectId !== projectId) {
        throw new StudioError(
          `${root} holds the workspace of project ${manifest.projectId}, not ${projectId}.`,
          "Choose another folder for this project.",
        );
      }
      previous = manifest?.files ?? {};
    }
    try {
      fs.mkdirSync(path.join(root, STATE_DIR), { recursive: true });
      fs.mkdirSync(path.join(root, PROPOSALS), { recursive: true });
      fs.accessSync(root, fs.constants.W_OK);
    } catch (error) {
      throw new StudioError(`Cannot write the workspace to ${root}: ${(error as Error).message}`);
    }
    return new WorkspaceTree(root, projectId, previous, listFiles(root));
  }

  /** Writes `content` unless the file already holds exactly it. */
  async writeFile(relative: string, content: string): Promise<void> {
    const key = `sha256:${createHash("sha256").update(content).digest("hex")}`;
    if (!this.isCurrent(relative, key)) await this.writeVersion(relative, key, content);
  }

  /** Writes `content` under a version `key`; for callers that asked isCurrent() first to avoid loading it. */
  async writeVersion(relative: string, key: string, content: string): Promise<void> {
    const sink = this.openFile(relative, key);
    await sink.write(content);
    await sink.close();
  }

  /**
   * True when the file was last written with `key` and is untouched since; the file then counts
   * as produced by this build. Lets the caller skip loading what the file would be made from.
   */
  isCurrent(relative: string, key: string): boolean {
    const entry = this.previous[relative];
    if (!entry || entry.key !== key) return false;
    const stat = statOrNull(resolveInside(this.dir, relative));
    if (!stat?.isFile() || stat.size !== entry.size || stat.mtimeMs !== entry.mtimeMs) return false;
    this.produced.add(relative);
    this.next[relative] = entry;
    this.unchanged++;
    return true;
  }

  /**
   * A file written in pieces and recorded under `key` (a version, since its content is never
   * held whole). Pieces are buffered up to WRITE_BUFFER_BYTES, so a typical trace costs one write.
   */
  openFile(relative: string, key: string): FileSink {
    if (this.produced.has(relative)) throw new Error(`${relative} is written twice in one build`);
    this.produced.add(relative);
    const target = resolveInside(this.dir, relative);
    this.makeFolder(path.dirname(target));
    // Beside the target, so rename is atomic; a crashed build's leftovers are strays the next build removes.
    const temporary = `${target}.${process.pid}-${++this.temp}.tmp`;
    let pending: string[] = [];
    let buffered = 0;
    let handle: fs.promises.FileHandle | null = null;
    const flush = async () => {
      handle ??= await fs.promises.open(temporary, "w");
      const text = pending.join("");
      pending = [];
      buffered = 0;
      await handle.write(text);
    };
    return {
      write: async (text) => {
        pending.push(text);
        buffered += text.length;
        if (buffered >= WRITE_BUFFER_BYTES) await flush();
      },
      close: async () => {
        if (handle === null) await fs.promises.writeFile(temporary, pending.join(""));
        else {
          if (buffered > 0) await flush();
          await handle.close();
        }
        await fs.promises.rename(temporary, target);
        const stat = await fs.promises.stat(target);
        this.next[relative] = { key, size: stat.size, mtimeMs: stat.mtimeMs };
        this.written++;
        this.bytes += stat.size;
      },
    };
  }

  /** Makes a folder the build keeps even when empty (proposals/<n>/): created, never cleaned. */
  ensureFolder(relative: string): void {
    fs.mkdirSync(resolveInside(this.dir, relative), { recursive: true });
  }

  /** Removes what this build did not produce, saves the manifest, and says what happened. */
  finish(): TreeStats {
    let removed = 0;
    for (const relative of this.existing) {
      if (this.produced.has(relative)) continue;
      fs.rmSync(resolveInside(this.dir, relative), { force: true });
      removed++;
    }
    pruneEmptyFolders(this.dir);
    const files = Object.fromEntries(
      Object.keys(this.next)
        .sort()
        .map((relative) => [relative, this.next[relative]]),
    );
    const manifest: Manifest = { version: 1, projectId: this.projectId, files };
    const target = path.join(this.dir, MANIFEST);
    fs.writeFileSync(`${target}.tmp`, JSON.stringify(manifest));
    fs.renameSync(`${target}.tmp`, target);
    return {
      dir: this.dir,
      written: this.written,
      unchanged: this.unchanged,
      removed,
      bytes: this.bytes,
      files: this.produced.size,
    };
  }

  /** mkdir -p, once per folder per build: most files share their folder with many others. */
  private makeFolder(absolute: string): void {
    if (this.folders.has(absolute)) return;
    fs.mkdirSync(absolute, { recursive: true });
    this.folders.add(absolute);
  }
}

function statOrNull(absolute: string): fs.Stats | null {
  try {
    return fs.statSync(absolute, { throwIfNoEntry: false }) ?? null;
  } catch {
    return null; // e.g. a folder on the way was replaced by a file: rewrite
  }
}

function readManifest(root: string): Manifest | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(root, MANIFEST), "utf8")) as Manifest;
    return parsed?.version === 1 &&
      typeof parsed.projectId === "string" &&
      parsed.files &&
      typeof parsed.files === "object"
      ? parsed
      : null;
  } catch {
    return null;
  }
}

/**
 * Every file below `root` except under proposals/ and .studio/, as relative posix paths.
 * Symbolic links are removed on sight: one in place of a folder would send the build's writes
 * outside the workspace.
 */
function listFiles(root: string): string[] {
  const files: string[] = [];
  const walk = (relative: string) => {
    for (const entry of fs.readdirSync(path.join(root, relative), { withFileTypes: true })) {
      const child = relative ? `${relative}/${entry.name}` : entry.name;
      if (!relative && UNTOUCHED.has(entry.name)) continue;
      if (entry.isSymbolicLink()) fs.rmSync(path.join(root, child), { force: true });
      else if (entry.isDirectory()) walk(child);
      else files.push(child);
    }
  };
  walk("");
  return files;
}

function pruneEmptyFolders(root: string): void {
  const prune = (absolute: string, top: boolean): boolean => {
    let empty = true;
    for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
      if (top && UNTOUCHED.has(entry.name)) {
        empty = false;
        continue;
      }
      if (entry.isDirectory() && prune(path.join(absolute, entry.name), false))
        fs.rmdirSync(path.join(absolute, entry.name));
      else empty = false;
    }
    return empty;
  };
  prune(root, true);
}
