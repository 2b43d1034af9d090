// What an upload (a suite folder or .zip, and a seed harness) may hold, in one place: the route
// enforces these, the form shows them. No Node imports: the browser bundle reads this file too.
import { StudioError, type FileProblem } from "../../errors.ts";
import { formatBytes } from "../../format.ts";

const MiB = 1024 * 1024;

export const UPLOAD_LIMITS = {
  /** Files in the suite, after unpacking. */
  files: 5000,
  /** One file, after unpacking (env files have their own, smaller limit in the suite format). */
  fileBytes: 50 * MiB,
  /** All files together, after unpacking. */
  totalBytes: 100 * MiB,
  /** The request body as sent: the files plus the multipart framing around them. */
  requestBytes: 100 * MiB + 4 * MiB,
} as const;

/** Form fields of POST /api/projects (multipart). */
export const UPLOAD_FIELDS = {
  /** Optional; defaults to the suite's name. */
  name: "name",
  /** The suite: one part per file, each part's file name its path inside the folder; or a single .zip part. */
  suite: "suite",
  /** Optional when the suite folder holds a harness.ts at its root. */
  harness: "harness",
  /** Harbor tasks only, optional: "search" or "test" puts every task in that split (else splits.json). */
  split: "split",
} as const;

export const HARNESS_FILE = "harness.ts";

/** An upload refused before anything was stored: "too_large" for a limit, else "invalid". */
export class UploadError extends StudioError {
  constructor(
    message: string,
    code: "invalid" | "too_large" = "invalid",
    readonly problems: FileProblem[] = [],
  ) {
    super(message, { code, details: { problems } });
    this.name = "UploadError";
  }
}

/** OS clutter that is never part of a suite: macOS resource forks and Finder files, Windows thumbnails. */
export function isClutter(file: string): boolean {
  const name = file.slice(file.lastIndexOf("/") + 1);
  return file.startsWith("__MACOSX/") || name === ".DS_Store" || name === "Thumbs.db";
}

/**
 * The clean relative posix path of an uploaded file or zip entry, or why it is refused: an absolute
 * path or a ".." would write outside the suite (zip-slip), so neither is ever accepted.
 * Backslashes count as separators: some Windows zip tools write them.
 */
export function entryPath(name: string): { path: string } | { refused: string } {
  const slashed = name.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed)) return { refused: "has an absolute path" };
  if (/[\u0000-\u001f\u007f]/.test(slashed)) return { refused: "has a control character in its name" };
  const parts = slashed.split("/").filter((part) => part !== "" && part !== ".");
  if (parts.includes("..")) return { refused: 'has ".." in its path, which would point outside the suite folder' };
  if (parts.length === 0) return { refused: "has an empty name" };
  return { path: parts.join("/") };
}

/**
 * The single top folder to drop ("my-suite/suite.json" → "suite.json"), or null: zipping a folder
 * and picking a folder in the browser both put one there. Files already at the root stay.
 */
export function topFolder(paths: Iterable<string>): string | null {
  const all = [...paths];
  if (all.includes("suite.json")) return null;
  const tops = new Set(all.map((file) => file.split("/")[0]));
  const [top] = tops;
  return tops.size === 1 && !all.includes(top) ? top : null;
}

export function stripTopFolder<T>(files: Map<string, T>): Map<string, T> {
  const top = topFolder(files.keys());
  return top === null ? files : new Map([...files].map(([file, value]) => [file.slice(top.length + 1), value]));
}

/**
 * Collects an upload's files under UPLOAD_LIMITS, in two passes: `admit` every file's name and
 * declared size (throwing at the first limit crossed), `check`, and only then read or inflate
 * the bytes and `add` them. Refused names are gathered so that one answer lists them all.
 */
export class UploadFiles {
  readonly files = new Map<string, Uint8Array>();
  readonly refused: FileProblem[] = [];
  private admitted = new Set<string>();
  private bytes = 0;

  /** The file's clean path, or null when it is clutter or refused. `size` is the size declared before reading. */
  admit(name: string, size: number): string | null {
    const clean = entryPath(name);
    if ("refused" in clean) {
      this.refused.push({ file: name, message: clean.refused });
      return null;
    }
    if (isClutter(clean.path)) return null;
    if (this.admitted.has(clean.path)) {
      this.refused.push({ file: clean.path, message: "appears twice" });
      return null;
    }
    if (this.admitted.size + 1 > UPLOAD_LIMITS.files) {
      throw new UploadError(
        `The suite has more than ${UPLOAD_LIMITS.files} files, the limit for an upload.`,
        "too_large",
      );
    }
    if (size > UPLOAD_LIMITS.fileBytes) {
      const message = `is ${formatBytes(size)} (${size} bytes), over the ${formatBytes(UPLOAD_LIMITS.fileBytes)} limit for one file`;
      throw new UploadError(`${clean.path} ${message}.`, "too_large", [{ file: clean.path, message }]);
    }
    this.bytes += size;
    if (this.bytes > UPLOAD_LIMITS.totalBytes) {
      throw new UploadError(
        `The suite's files add up to more than ${formatBytes(UPLOAD_LIMITS.totalBytes)} (unpacked), the limit for an upload.`,
        "too_large",
      );
    }
    this.admitted.add(clean.path);
    return clean.path;
  }

  /** Throws, listing every refused name, unless all passed; a path that is both a file and a folder is refused too. */
  check(): void {
    for (const file of this.admitted) {
      const parts = file.split("/");
      for (let depth = 1; depth < parts.length; depth++) {
        const folder = parts.slice(0, depth).join("/");
        if (this.admitted.has(folder))
          this.refused.push({ file: folder, message: `is a file, but ${file} uses it as a folder` });
      }
    }
    if (this.refused.length > 0) {
      const count = this.refused.length === 1 ? "a file" : `${this.refused.length} files`;
      throw new UploadError(
        `The upload has ${count} that cannot be part of a suite; nothing was saved.`,
        "invalid",
        this.refused,
      );
    }
  }

  /** Stores an admitted file's bytes (after `check`). */
  add(path: string, bytes: Uint8Array): void {
    this.files.set(path, bytes);
  }
}
