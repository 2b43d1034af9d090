// Reads POST /api/projects as multipart form data into a suite's files and a seed harness, held
// in memory. Every limit is checked while reading, before anything is stored; the suite itself
// is validated afterwards by the same loader the CLI uses.
import {
  HARNESS_FILE,
  UPLOAD_FIELDS,
  UPLOAD_LIMITS,
  UploadError,
  UploadFiles,
  entryPath,
  stripTopFolder,
} from "./rules.ts";
import { unzip } from "./zip.ts";
import { formatBytes } from "../../format.ts";

export interface Upload {
  /** Relative posix path → contents, with a single top folder already removed. */
  suite: Map<string, Uint8Array>;
  /** Null when neither uploaded nor in the folder: Harbor tasks then get the bundled shell loop. */
  harness: { file: string; source: string } | null;
  name?: string;
  /** Harbor tasks: every task in this split. */
  split?: "search" | "test";
}

const NAME_MAX_LENGTH = 200;

export async function readUpload(request: Request): Promise<Upload> {
  const form = await readForm(request);
  const parts = form.getAll(UPLOAD_FIELDS.suite).filter((part): part is File => typeof part !== "string");
  if (parts.length === 0) throw new UploadError("Choose a suite: a folder, or a .zip file.");
  const zipped = parts.length === 1 && /\.zip$/i.test(parts[0].name);
  const suite = stripTopFolder(zipped ? unzip(new Uint8Array(await parts[0].arrayBuffer())) : await readFolder(parts));
  return {
    suite,
    harness: await readHarness(form.get(UPLOAD_FIELDS.harness), suite),
    name: readName(form.get(UPLOAD_FIELDS.name)),
    split: readSplit(form.get(UPLOAD_FIELDS.split)),
  };
}

/** The body, read up to the limit (a missing or false Content-Length does not get past it), as form data. */
async function readForm(request: Request): Promise<FormData> {
  const type = request.headers.get("content-type") ?? "";
  if (!type.toLowerCase().startsWith("multipart/form-data"))
    throw new UploadError("Send the upload as multipart/form-data.");
  const tooLarge = () =>
    new UploadError(
      `The upload is over ${formatBytes(UPLOAD_LIMITS.requestBytes)}, the limit for one request.`,
      "too_large",
    );
  if (Number(request.headers.get("content-length")) > UPLOAD_LIMITS.requestBytes) throw tooLarge();

  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = request.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
    bytes += read.value.byteLength;
    if (bytes > UPLOAD_LIMITS.requestBytes) {
      await reader!.cancel();
      throw tooLarge();
    }
    chunks.push(read.value);
  }
  try {
    return await new Response(new Blob(chunks as BlobPart[]), { headers: { "content-type": type } }).formData();
  } catch {
    throw new UploadError("The upload is not valid multipart form data.");
  }
}

/** One part per file of the picked folder; each part's file name is its path inside the folder. */
async function readFolder(parts: File[]): Promise<Map<string, Uint8Array>> {
  const upload = new UploadFiles();
  const admitted = parts.map((part) => upload.admit(part.name, part.size)); // every size, before any byte is read
  upload.check();
  for (const [index, path] of admitted.entries())
    if (path !== null) upload.add(path, new Uint8Array(await parts[index].arrayBuffer()));
  return upload.files;
}

/** The harness part, or else the suite folder's own harness.ts. */
async function readHarness(
  part: FormDataEntryValue | null,
  suite: Map<string, Uint8Array>,
): Promise<Upload["harness"]> {
  // (null when there is none: the caller knows whether the suite can do without)
  if (part instanceof File && part.name !== "") {
    const clean = entryPath(part.name);
    const file = "path" in clean ? clean.path.slice(clean.path.lastIndexOf("/") + 1) : HARNESS_FILE;
    if (part.size > UPLOAD_LIMITS.fileBytes) {
      const message = `is ${formatBytes(part.size)} (${part.size} bytes), over the ${formatBytes(UPLOAD_LIMITS.fileBytes)} limit for one file`;
      throw new UploadError(`The harness ${message}.`, "too_large", [{ file, message }]);
    }
    return { file, source: await part.text() };
  }
  const bundled = suite.get(HARNESS_FILE);
  if (bundled) return { file: HARNESS_FILE, source: Buffer.from(bundled).toString("utf8") };
  return null;
}

/** A suite folder upload needs a seed harness. */
export function missingHarness(): UploadError {
  return new UploadError(
    "Choose a seed harness (a .ts file), or put a harness.ts at the root of the suite folder.",
    "invalid",
    [
      {
        file: HARNESS_FILE,
        message: "missing: upload a seed harness, or put harness.ts at the root of the suite folder",
      },
    ],
  );
}

function readSplit(value: FormDataEntryValue | null): Upload["split"] {
  if (value === null || value === "") return undefined;
  if (value === "search" || value === "test") return value;
  throw new UploadError('The split must be "search" or "test".');
}

function readName(value: FormDataEntryValue | null): string | undefined {
  const name = typeof value === "string" ? value.trim() : "";
  if (name.length > NAME_MAX_LENGTH) throw new UploadError(`The project name is over ${NAME_MAX_LENGTH} characters.`);
  return name === "" ? undefined : name;
}
