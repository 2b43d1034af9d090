// What the person picked, read in the browser before anything is sent: the file count and size,
// the suite's name (the project name's default) and whether the folder brings its own harness.ts.
// The server checks everything again; this is only so the form can say what it is about to send.
import { unzipSync } from "fflate";
import { HARNESS_FILE, isClutter, topFolder } from "@/lib/projects/upload/rules";

export interface PickedSuite {
  kind: "folder" | "zip";
  /** The folder's name or the zip's file name. */
  label: string;
  /** What is sent: each file with its path inside the folder, or the zip alone. */
  parts: { path: string; file: File }[];
  /** Files in the suite (for a zip, its entries). */
  count: number;
  /** Unpacked bytes. */
  bytes: number;
  hasHarness: boolean;
  /** Whether suite.json is at the top (or in the one top folder); without it there is no suite. */
  hasSuiteJson: boolean;
  /** suite.json's name, when it could be read. */
  suiteName: string | null;
}

export async function pickFolder(files: { path: string; file: File }[]): Promise<PickedSuite> {
  const parts = files.filter((entry) => !isClutter(entry.path));
  const top = topFolder(parts.map((entry) => entry.path));
  const at = (file: string) => (top === null ? file : `${top}/${file}`);
  const suiteJson = parts.find((entry) => entry.path === at("suite.json"));
  return {
    kind: "folder",
    label: top ?? "the folder",
    parts,
    count: parts.length,
    bytes: parts.reduce((sum, entry) => sum + entry.file.size, 0),
    hasHarness: parts.some((entry) => entry.path === at(HARNESS_FILE)),
    hasSuiteJson: suiteJson !== undefined,
    suiteName: suiteJson ? nameIn(await suiteJson.file.text()) : null,
  };
}

/** Reads the zip's directory (and a small suite.json) without inflating anything else. */
export async function pickZip(file: File): Promise<PickedSuite> {
  const sizes = new Map<string, number>();
  const inflated = unzipSync(new Uint8Array(await file.arrayBuffer()), {
    filter: (entry) => {
      if (entry.name.endsWith("/") || isClutter(entry.name)) return false;
      sizes.set(entry.name, entry.originalSize);
      return /^([^/]+\/)?suite\.json$/.test(entry.name) && entry.originalSize < 1024 * 1024;
    },
  });
  const top = topFolder(sizes.keys());
  const at = (name: string) => (top === null ? name : `${top}/${name}`);
  const suiteJson = inflated[at("suite.json")];
  return {
    kind: "zip",
    label: file.name,
    parts: [{ path: file.name, file }],
    count: sizes.size,
    bytes: [...sizes.values()].reduce((sum, size) => sum + size, 0),
    hasHarness: sizes.has(at(HARNESS_FILE)),
    hasSuiteJson: sizes.has(at("suite.json")),
    suiteName: suiteJson ? nameIn(new TextDecoder().decode(suiteJson)) : null,
  };
}

function nameIn(text: string): string | null {
  try {
    const name = (JSON.parse(text) as { name?: unknown }).name;
    return typeof name === "string" && name.trim() ? name.trim() : null;
  } catch {
    return null;
  }
}

/** Every file under the dropped items, with paths like "<folder>/env/t1/a.txt", as webkitdirectory gives them. */
export async function filesFromDrop(items: DataTransferItemList): Promise<{ path: string; file: File }[]> {
  const roots = [...items]
    .map((item) => item.webkitGetAsEntry())
    .filter((entry): entry is FileSystemEntry => entry !== null);
  const out: { path: string; file: File }[] = [];
  for (const root of roots) await walk(root, "", out);
  return out;
}

async function walk(entry: FileSystemEntry, prefix: string, out: { path: string; file: File }[]): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path: prefix + entry.name, file });
    return;
  }
  if (!entry.isDirectory) return;
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  // readEntries hands out a folder's children in batches (100 in Chromium) until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return;
    for (const child of batch) await walk(child, `${prefix}${entry.name}/`, out);
  }
}
