// Creating a project by uploading a suite (a folder's files, or a .zip) and a seed harness, over
// real HTTP against a started studio: the same checks as the CLI, the upload's own limits, and
// nothing stored whenever anything is wrong.
import { PrismaPg } from "@prisma/adapter-pg";
import { strToU8, zipSync, type Zippable } from "fflate";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "../../lib/db/generated/client.ts";
import { studioRoot } from "../../lib/paths.ts";
import { UPLOAD_LIMITS } from "../../lib/projects/upload/rules.ts";
import { loadSuiteFolder } from "../../lib/suites/load.ts";
import { startStudio, studioDatabaseUrl, type RunningStudio } from "../helpers/studio.ts";

const EXAMPLES = path.join(studioRoot, "examples");
const MiB = 1024 * 1024;

let studio: RunningStudio;
let db: PrismaClient;
beforeAll(async () => {
  studio = await startStudio();
  db = new PrismaClient({ adapter: new PrismaPg({ connectionString: studioDatabaseUrl(studio.dataDir) }) });
});
afterAll(async () => {
  await db?.$disconnect();
  await studio?.stop();
});

/** Every file under `dir`: relative posix path → bytes. */
function readFolder(dir: string, prefix = ""): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) Object.assign(files, readFolder(path.join(dir, entry.name), rel));
    else files[rel] = new Uint8Array(fs.readFileSync(path.join(dir, entry.name)));
  }
  return files;
}

/** Multipart the way the browser sends a picked folder: one `suite` part per file, named by its path. */
function folderForm(
  files: Record<string, Uint8Array | string>,
  extra: { harness?: [string, string]; name?: string } = {},
): FormData {
  const form = new FormData();
  for (const [rel, content] of Object.entries(files))
    form.append("suite", new Blob([typeof content === "string" ? content : Buffer.from(content)]), rel);
  if (extra.harness) form.append("harness", new Blob([extra.harness[1]]), extra.harness[0]);
  if (extra.name) form.append("name", extra.name);
  return form;
}

function zipForm(zip: Uint8Array, harness?: [string, string]): FormData {
  const form = new FormData();
  form.append("suite", new Blob([Buffer.from(zip)]), "suite.zip");
  if (harness) form.append("harness", new Blob([harness[1]]), harness[0]);
  return form;
}

function upload(form: FormData, origin = studio.url): Promise<Response> {
  return fetch(`${studio.url}/api/projects`, {
    method: "POST",
    headers: { ...studio.authHeaders(), origin },
    body: form,
  });
}

interface Problem {
  file: string;
  line?: number;
  column?: number;
  message: string;
}

async function rowCounts() {
  const [projects, suites, tasks, candidates] = await Promise.all([
    db.project.count(),
    db.taskSuite.count(),
    db.task.count(),
    db.candidate.count(),
  ]);
  return { projects, suites, tasks, candidates };
}

/** Sends `form`, expects a refusal with `status`, and that no row of any kind appeared. */
async function refused(form: FormData, status: number): Promise<{ error: string; problems: Problem[] }> {
  const before = await rowCounts();
  const response = await upload(form);
  const body = (await response.json()) as { error: string; problems?: Problem[] };
  expect(response.status, body.error).toBe(status);
  expect(await rowCounts()).toEqual(before);
  return { error: body.error, problems: body.problems ?? [] };
}

const tinySuite = (
  tasks: string,
  harness = "export default { async run(task) { return String(task.input); } };\n",
) => ({
  "suite.json": JSON.stringify({
    name: "Tiny",
    description: "Echo the input.",
    mode: "independent",
    grader: { type: "exact" },
  }),
  "tasks.jsonl": tasks,
  "harness.ts": harness,
});

describe("POST /api/projects with an uploaded folder", () => {
  it("creates the project from a picked folder (harness.ts from the folder), with env files byte for byte, binary included", async () => {
    const example = path.join(EXAMPLES, "terminal-tasks");
    const files: Record<string, Uint8Array> = {};
    for (const [rel, bytes] of Object.entries(readFolder(example))) files[`terminal-tasks/${rel}`] = bytes;
    const binary = new Uint8Array(256).map((_, i) => i); // every byte value, NUL and 0xFF included
    files["terminal-tasks/env/fix-01/blob.bin"] = binary;

    const response = await upload(folderForm(files, { name: "  My terminal chores " }));
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(201);

    const cli = await loadSuiteFolder(example);
    const project = await db.project.findUniqueOrThrow({
      where: { id: body.projectId },
      include: { suite: { include: { tasks: { orderBy: { position: "asc" } } } }, candidates: true },
    });
    expect(project.name).toBe("My terminal chores");
    expect(project.suite!.name).toBe(cli.config.name);
    expect(project.suite!.graderSource).toBe(cli.graderSource);
    expect(project.suite!.tasks.map((t) => [t.key, t.split, t.position])).toEqual(
      cli.tasks.map((t) => [t.key, t.split, t.position]),
    );
    expect(body.tasks).toEqual({
      search: cli.tasks.filter((t) => t.split === "search").length,
      test: cli.tasks.filter((t) => t.split === "test").length,
    });
    for (const [index, task] of project.suite!.tasks.entries()) {
      const expected =
        task.key === "fix-01"
          ? { ...cli.tasks[index].envFiles, "blob.bin": Buffer.from(binary).toString("base64") }
          : cli.tasks[index].envFiles;
      expect(task.envFiles).toEqual(expected);
    }
    expect(project.candidates).toHaveLength(1);
    expect(project.candidates[0]).toMatchObject({
      id: body.seedCandidateId,
      number: 1,
      origin: "seed",
      source: fs.readFileSync(path.join(example, "harness.ts"), "utf8"),
    });
  });

  it("lists a broken tasks.jsonl line by file and line, and stores nothing", async () => {
    const lines = [
      `{"id":"a","input":"1","expected":"1","split":"search"}`,
      `{"id":"b","input":"2","expected":"2","split":"train"}`,
      `{"id":"c","input":"3","expected":"3","split":"test"}`,
      `{"id":"d","input":"4",`,
    ];
    const { error, problems } = await refused(folderForm(tinySuite(lines.join("\n"))), 400);
    expect(error).toMatch(/2 problems; nothing was saved/);
    expect(problems).toEqual([
      { file: "tasks.jsonl", line: 2, message: 'split must be "search" or "test"' },
      { file: "tasks.jsonl", line: 4, message: expect.stringMatching(/^not valid JSON: .*\(column \d+\)$/) },
    ]);
  });

  it("names a harness syntax error by line and column, beside the suite's own problems", async () => {
    const harness = "export default {\n  async run(task) {\n    return task.input +;\n  },\n};\n";
    const { problems } = await refused(
      folderForm(tinySuite(`{"id":"a","input":"1","expected":"1","split":"test"}\n`), {
        harness: ["seed.ts", harness],
      }),
      400,
    );
    expect(problems).toEqual([
      { file: "tasks.jsonl", message: expect.stringContaining('has no task with split "search"') },
      { file: "seed.ts", line: 3, column: 24, message: expect.stringMatching(/Unexpected ";"/) },
    ]);
  });

  it("asks for a harness when none is sent and the folder has no harness.ts", async () => {
    const { "harness.ts": _, ...files } = tinySuite(`{"id":"a","input":"1","expected":"1","split":"search"}\n`);
    const { error, problems } = await refused(folderForm(files), 400);
    expect(error).toMatch(/Choose a seed harness/);
    expect(problems[0].file).toBe("harness.ts");
  });

  it("refuses more files than the limit before reading them", async () => {
    const files: Record<string, string> = tinySuite(`{"id":"a","input":"1","expected":"1","split":"search"}\n`);
    for (let i = 0; i < UPLOAD_LIMITS.files; i++) files[`env/a/f${i}.txt`] = "x";
    const { error } = await refused(folderForm(files), 413);
    expect(error).toBe(`The suite has more than ${UPLOAD_LIMITS.files} files, the limit for an upload.`);
  });

  it("refuses a cross-origin POST", async () => {
    const before = await rowCounts();
    const response = await upload(
      folderForm(readFolder(path.join(EXAMPLES, "math-word-problems"))),
      "http://evil.example",
    );
    expect(response.status).toBe(403);
    expect((await response.json()).error).toBe("Cross-origin request refused.");
    expect(await rowCounts()).toEqual(before);
  });
});

describe("POST /api/projects with Harbor tasks", () => {
  const harbor = path.join(studioRoot, "tests/fixtures/harbor");

  it("imports a folder of Harbor tasks with splits.json, seeded with the bundled shell loop", async () => {
    const response = await upload(folderForm(readFolder(harbor), { name: "harbor upload" }));
    expect(response.status).toBe(201);
    const body = (await response.json()) as { projectId: string; tasks: { search: number; test: number } };
    expect(body.tasks).toEqual({ search: 1, test: 1 });
    const tasks = await db.task.findMany({
      where: { suite: { projectId: body.projectId } },
      select: { key: true, split: true, input: true, container: true },
      orderBy: { key: "asc" },
    });
    expect(tasks.map((task) => [task.key, task.split, (task.container as { memoryMb: number }).memoryMb])).toEqual([
      ["sum-numbers", "test", 256],
      ["write-greeting", "search", 128],
    ]);
    expect(tasks[1].input).toBe(fs.readFileSync(path.join(harbor, "write-greeting/instruction.md"), "utf8"));
    const seed = await db.candidate.findFirstOrThrow({ where: { projectId: body.projectId } });
    expect(seed.source).toBe(fs.readFileSync(path.join(EXAMPLES, "harbor-tasks/harness.ts"), "utf8"));
  });

  it("takes the split field in place of splits.json, and lists task.toml problems by line", async () => {
    const { "splits.json": _, ...files } = readFolder(harbor);
    const form = folderForm({ ...files, "sum-numbers/task.toml": "[agent]\ntimeout_sec = 0\n" });
    form.append("split", "search");
    const { problems } = await refused(form, 400);
    expect(problems).toEqual([
      { file: "sum-numbers/task.toml", line: 2, message: "[agent] timeout_sec must be a positive number" },
    ]);
  });
});

describe("POST /api/projects with an uploaded .zip", () => {
  it("creates the project from a zip whose files sit at its root, with a separate harness file", async () => {
    const example = path.join(EXAMPLES, "math-word-problems");
    const { "harness.ts": harness, ...files } = readFolder(example);
    const response = await upload(zipForm(zipSync(files), ["seed.ts", Buffer.from(harness).toString("utf8")]));
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(201);
    const cli = await loadSuiteFolder(example);
    expect(await db.task.count({ where: { suite: { projectId: body.projectId } } })).toBe(cli.tasks.length);
    const seed = await db.candidate.findUniqueOrThrow({ where: { id: body.seedCandidateId } });
    expect(seed.rationale).toBe("Seed harness from seed.ts.");
    expect(seed.source).toBe(Buffer.from(harness).toString("utf8"));
  });

  it("creates the project from a zip holding a single top folder (macOS clutter ignored)", async () => {
    const example = path.join(EXAMPLES, "text-classification");
    const zip = zipSync({
      "text-classification": readFolder(example),
      __MACOSX: { "._suite.json": strToU8("junk") },
    } as Zippable);
    const response = await upload(zipForm(zip));
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(201);
    const project = await db.project.findUniqueOrThrow({
      where: { id: body.projectId },
      include: { suite: { include: { _count: { select: { tasks: true } } } } },
    });
    const cli = await loadSuiteFolder(example);
    expect(project.name).toBe(cli.config.name);
    expect(project.suite!._count.tasks).toBe(cli.tasks.length);
  });

  it("refuses entries that would land outside the folder (zip-slip) or are links, naming each", async () => {
    const good = tinySuite(`{"id":"a","input":"1","expected":"1","split":"search"}\n`);
    const zip = zipSync({
      ...Object.fromEntries(Object.entries(good).map(([k, v]) => [k, strToU8(v)])),
      "../escape.txt": strToU8("x"),
      "/etc/cron.d/evil": strToU8("x"),
      "env/a/link": [strToU8("/etc/passwd"), { os: 3, attrs: (0o120777 << 16) >>> 0 }],
    } as Zippable);
    const { error, problems } = await refused(zipForm(zip), 400);
    expect(error).toMatch(/3 files that cannot be part of a suite/);
    expect(problems).toEqual([
      { file: "../escape.txt", message: expect.stringContaining('".."') },
      { file: "/etc/cron.d/evil", message: "has an absolute path" },
      { file: "env/a/link", message: expect.stringContaining("symbolic link") },
    ]);
  });

  it("refuses a file over the per-file limit from its declared size, before inflating it", async () => {
    const zip = zipSync(
      { "suite.json": strToU8("{}"), "tasks.jsonl": new Uint8Array(UPLOAD_LIMITS.fileBytes + 1) },
      { level: 9 },
    );
    expect(zip.length).toBeLessThan(MiB); // a small zip: the limit is on what it unpacks to
    const { error, problems } = await refused(zipForm(zip), 413);
    expect(error).toBe(
      `tasks.jsonl is 50.0 MiB (${UPLOAD_LIMITS.fileBytes + 1} bytes), over the 50 MiB limit for one file.`,
    );
    expect(problems).toEqual([{ file: "tasks.jsonl", message: expect.stringContaining("over the 50 MiB limit") }]);
  });

  it("refuses files that together unpack to more than the total limit", async () => {
    const part = new Uint8Array(UPLOAD_LIMITS.fileBytes - 1);
    const zip = zipSync({ "suite.json": strToU8("{}"), "a.bin": part, "b.bin": part, "c.bin": part }, { level: 9 });
    const { error } = await refused(zipForm(zip), 413);
    expect(error).toBe("The suite's files add up to more than 100 MiB (unpacked), the limit for an upload.");
  });

  it("stops inflating a zip bomb that declares a small size", async () => {
    const zip = zipSync({ "suite.json": strToU8("{}"), "tasks.jsonl": new Uint8Array(200 * MiB) }, { level: 9 });
    lieAboutSize(zip, "tasks.jsonl", 1000);
    const { error, problems } = await refused(zipForm(zip), 413);
    expect(error).toMatch(/^tasks\.jsonl inflates past the 1000 bytes the zip declares for it/);
    expect(problems).toEqual([
      { file: "tasks.jsonl", message: "inflates past the 1000 bytes the zip declares for it" },
    ]);
  });

  it("refuses a file that is not a zip", async () => {
    const { error } = await refused(zipForm(strToU8("not a zip at all")), 400);
    expect(error).toMatch(/damaged or not a zip/);
  });
});

/** Rewrites the uncompressed size of `name` in its local and central headers, as a crafted zip would. */
function lieAboutSize(zip: Uint8Array, name: string, size: number): void {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const encoded = strToU8(name);
  const nameAt = (at: number, offset: number) =>
    zip.subarray(at + offset, at + offset + encoded.length).every((byte, i) => byte === encoded[i]);
  let patched = 0;
  for (let at = 0; at + 46 < zip.length; at++) {
    const signature = view.getUint32(at, true);
    if (signature === 0x04034b50 && nameAt(at, 30)) {
      view.setUint32(at + 22, size, true);
      patched++;
    }
    if (signature === 0x02014b50 && nameAt(at, 46)) {
      view.setUint32(at + 24, size, true);
      patched++;
    }
  }
  expect(patched).toBe(2);
}
