// Unpacks an uploaded .zip into memory, treating it as hostile: names are checked (no absolute
// paths, no "..": zip-slip), links and encrypted entries are refused, every declared size is
// checked against the limits before anything is inflated, and inflating stops as soon as an
// entry grows past its declared size (a zip bomb lies about it) or past the limits.
// fflate inflates; the central directory is read here because fflate does not expose the entry
// attributes that mark a symbolic link.
import { Inflate } from "fflate";
import { UploadError, UploadFiles } from "./rules.ts";

interface ZipEntry {
  name: string;
  method: number;
  flags: number;
  compressedSize: number;
  size: number;
  /** Where the entry's local header starts. */
  offset: number;
  /** Unix file mode, when the zip was made on a Unix-like system. */
  unixMode: number | null;
  isFolder: boolean;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const STORED = 0;
const DEFLATE = 8;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
/** Compressed bytes pushed at a time: deflate expands at most ~1032×, so one push yields at most ~4 MiB. */
const SLICE = 4096;

const damaged = (why: string) => new UploadError(`The .zip file is damaged or not a zip (${why}).`);

export function unzip(data: Uint8Array): Map<string, Uint8Array> {
  const entries = readCentralDirectory(data);
  const upload = new UploadFiles();
  const wanted: [string, ZipEntry][] = [];
  for (const entry of entries) {
    if (entry.isFolder) continue;
    if (entry.unixMode !== null && (entry.unixMode & S_IFMT) === S_IFLNK) {
      upload.refused.push({
        file: entry.name,
        message: "is a symbolic link: links are not followed, put the file itself in the zip",
      });
      continue;
    }
    if (entry.flags & 1) {
      upload.refused.push({ file: entry.name, message: "is encrypted: upload a zip without a password" });
      continue;
    }
    if (entry.method !== STORED && entry.method !== DEFLATE) {
      upload.refused.push({
        file: entry.name,
        message: `uses compression method ${entry.method}; re-create the zip with standard (deflate) compression`,
      });
      continue;
    }
    const path = upload.admit(entry.name, entry.size);
    if (path !== null) wanted.push([path, entry]);
  }
  upload.check();
  for (const [path, entry] of wanted) upload.add(path, inflateEntry(data, entry));
  return upload.files;
}

function readCentralDirectory(data: Uint8Array): ZipEntry[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const u16 = (at: number) => view.getUint16(at, true);
  const u32 = (at: number) => view.getUint32(at, true);
  const u64 = (at: number) => Number(view.getBigUint64(at, true));
  const need = (at: number, bytes: number) => {
    if (at < 0 || at + bytes > data.length) throw damaged("a record points past the end of the file");
  };

  // The end record sits in the last 22 bytes plus a comment of up to 65,535 bytes.
  let eocd = -1;
  for (let at = data.length - 22; at >= Math.max(0, data.length - 22 - 0xffff); at--) {
    if (u32(at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw damaged("no end of central directory record");
  let count = u16(eocd + 10);
  let at = u32(eocd + 16);
  if ((count === 0xffff || at === 0xffffffff) && eocd >= 20 && u32(eocd - 20) === ZIP64_LOCATOR) {
    const record = u64(eocd - 12);
    need(record, 56);
    if (u32(record) !== ZIP64_EOCD) throw damaged("bad ZIP64 end record");
    count = u64(record + 32);
    at = u64(record + 48);
  }

  const entries: ZipEntry[] = [];
  const decoder = new TextDecoder();
  for (let index = 0; index < count; index++) {
    need(at, 46);
    if (u32(at) !== CENTRAL) throw damaged("bad central directory entry");
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    need(at + 46, nameLength + extraLength);
    const name = decoder.decode(data.subarray(at + 46, at + 46 + nameLength));
    let compressedSize = u32(at + 20);
    let size = u32(at + 24);
    let offset = u32(at + 42);
    // ZIP64: sizes that did not fit in 32 bits sit in extra field 0x0001, in this order.
    if (size === 0xffffffff || compressedSize === 0xffffffff || offset === 0xffffffff) {
      for (
        let extra = at + 46 + nameLength;
        extra + 4 <= at + 46 + nameLength + extraLength;
        extra += 4 + u16(extra + 2)
      ) {
        if (u16(extra) !== 1) continue;
        let field = extra + 4;
        const next = () => (need(field, 8), u64((field += 8) - 8));
        if (size === 0xffffffff) size = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (offset === 0xffffffff) offset = next();
        break;
      }
    }
    const madeOnUnix = u16(at + 4) >> 8 === 3;
    const attributes = u32(at + 38);
    entries.push({
      name,
      method: u16(at + 10),
      flags: u16(at + 8),
      compressedSize,
      size,
      offset,
      unixMode: madeOnUnix ? attributes >>> 16 : null,
      isFolder: name.endsWith("/") || name.endsWith("\\") || (attributes & 0x10) !== 0,
    });
    at += 46 + nameLength + extraLength + u16(at + 32);
  }
  return entries;
}

/** The entry's bytes, inflated under its declared size: more, or fewer, means the zip lies. */
function inflateEntry(data: Uint8Array, entry: ZipEntry): Uint8Array {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (entry.offset + 30 > data.length || view.getUint32(entry.offset, true) !== LOCAL)
    throw damaged(`no local header for ${entry.name}`);
  const start = entry.offset + 30 + view.getUint16(entry.offset + 26, true) + view.getUint16(entry.offset + 28, true);
  if (start + entry.compressedSize > data.length) throw damaged(`${entry.name} is cut short`);
  const compressed = data.subarray(start, start + entry.compressedSize);
  const lie = (code: "invalid" | "too_large", what: string) =>
    new UploadError(`${entry.name} ${what}: the archive is damaged or crafted; nothing was saved.`, code, [
      { file: entry.name, message: what },
    ]);

  if (entry.method === STORED) {
    if (compressed.length !== entry.size)
      throw lie("invalid", `holds ${compressed.length} bytes, not the ${entry.size} the zip declares`);
    return compressed.slice();
  }
  const out = new Uint8Array(entry.size); // the declared size already passed the limits
  let written = 0;
  const inflater = new Inflate((chunk) => {
    if (written + chunk.length > entry.size)
      throw lie("too_large", `inflates past the ${entry.size} bytes the zip declares for it`);
    out.set(chunk, written);
    written += chunk.length;
  });
  try {
    for (let at = 0; at < compressed.length || at === 0; at += SLICE) {
      inflater.push(compressed.subarray(at, at + SLICE), at + SLICE >= compressed.length);
    }
  } catch (error) {
    if (error instanceof UploadError) throw error;
    throw damaged(`${entry.name} does not inflate: ${(error as Error).message}`);
  }
  if (written !== entry.size)
    throw lie("invalid", `inflates to ${written} bytes, not the ${entry.size} the zip declares`);
  return out;
}
