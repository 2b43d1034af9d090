// Where a suite's files come from: a folder on disk (the CLI, the bundled examples) or a map
// held in memory (an upload). The loader reads only through this, so both get the same checks
// and the same messages.
import fs from "node:fs/promises";
import path from "node:path";

export interface SuiteEntry {
  kind: "file" | "folder" | "link" | "other";
  /** Bytes, for files. */
  size: number;
}

export interface SuiteFiles {
  /** Named in messages: the folder's absolute path, or "the upload". */
  readonly where: string;
  /** What is at `rel` (posix, relative; "" is the root), following links; null when nothing is. */
  stat(rel: string): Promise<SuiteEntry | null>;
  /** The same without following links, so a link can be reported instead of followed out of the suite. */
  lstat(rel: string): Promise<SuiteEntry | null>;
  /** Names inside the folder at `rel`, in no particular order. */
  list(rel: string): Promise<string[]>;
  read(rel: string): Promise<Buffer>;
}

/** "env/t1/" and "./env/t1" → "env/t1"; "" and "." → "" (the root). */
function key(rel: string): string {
  const normal = path.posix.normalize(rel || ".").replace(/\/$/, "");
  return normal === "." ? "" : normal;
}

function entryOf(stat: import("node:fs").Stats): SuiteEntry {
  const kind = stat.isSymbolicLink() ? "link" : stat.isDirectory() ? "folder" : stat.isFile() ? "file" : "other";
  return { kind, size: stat.size };
}

function missing(err: unknown): null {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ENOENT" || code === "ENOTDIR") return null;
  throw err;
}

export function folderFiles(dir: string): SuiteFiles {
  const root = path.resolve(dir);
  const abs = (rel: string) => path.join(root, rel);
  return {
    where: root,
    stat: (rel) => fs.stat(abs(rel)).then(entryOf, missing),
    lstat: (rel) => fs.lstat(abs(rel)).then(entryOf, missing),
    list: (rel) => fs.readdir(abs(rel)),
    read: (rel) => fs.readFile(abs(rel)),
  };
}

/** `files` maps clean relative posix paths (no "..", no leading "/") to contents; folders are implied by the paths. */
export function memoryFiles(files: ReadonlyMap<string, Uint8Array>, where = "the upload"): SuiteFiles {
  const children = new Map<string, Set<string>>([["", new Set()]]);
  for (const file of files.keys()) {
    const parts = file.split("/");
    for (let depth = 0; depth < parts.length; depth++) {
      const parent = parts.slice(0, depth).join("/");
      if (!children.has(parent)) children.set(parent, new Set());
      children.get(parent)!.add(parts[depth]);
    }
  }
  const stat = async (rel: string): Promise<SuiteEntry | null> => {
    const bytes = files.get(key(rel));
    if (bytes) return { kind: "file", size: bytes.byteLength };
    return children.has(key(rel)) ? { kind: "folder", size: 0 } : null;
  };
  return {
    where,
    stat,
    lstat: stat, // an upload holds no links: they are refused while it is read
    list: async (rel) => [...(children.get(key(rel)) ?? [])],
    read: async (rel) => {
      const bytes = files.get(key(rel));
      if (!bytes) throw new Error(`${rel}: no such file in ${where}`);
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
  };
}

/** `files` with more files laid over them (the Harbor example's busybox, say); the extra ones win. */
export function withExtraFiles(files: SuiteFiles, extra: ReadonlyMap<string, Uint8Array>): SuiteFiles {
  const overlay = memoryFiles(extra, files.where);
  const either = async (rel: string, read: (f: SuiteFiles) => Promise<SuiteEntry | null>) =>
    (await read(overlay)) ?? (await read(files));
  return {
    where: files.where,
    stat: (rel) => either(rel, (f) => f.stat(rel)),
    lstat: (rel) => either(rel, (f) => f.lstat(rel)),
    list: async (rel) => {
      const own = await files.list(rel).catch(() => [] as string[]);
      return [...new Set([...own, ...(await overlay.list(rel))])];
    },
    read: (rel) => (extra.has(key(rel)) ? overlay.read(rel) : files.read(rel)),
  };
}
