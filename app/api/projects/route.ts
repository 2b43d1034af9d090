import path from "node:path";
import { z } from "zod";
import { StudioError, countProblems } from "@/lib/errors";
import { ProjectInputError, createProject, createProjectFromFiles } from "@/lib/projects/create";
import { exampleDir } from "@/lib/projects/examples";
import { readUpload } from "@/lib/projects/upload/form";
import { UploadError } from "@/lib/projects/upload/rules";
import { memoryFiles } from "@/lib/suites/files";

const body = z.object({ example: z.string().min(1).max(100) }).strict();

/**
 * Creates a project: JSON `{ example }` from a bundled example, or multipart form data with an
 * uploaded suite (a folder's files, or a .zip) and seed harness. 201 `{ projectId, seedCandidateId, tasks }`;
 * 400/413 `{ error, problems?: [{ file, line?, column?, message }] }`, with nothing stored.
 */
export async function POST(request: Request) {
  try {
    const multipart = (request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data");
    const created = multipart ? await fromUpload(request) : await fromExample(request);
    return created instanceof Response ? created : Response.json(created, { status: 201 });
  } catch (error) {
    if (error instanceof UploadError) return Response.json({ error: error.message, problems: error.problems }, { status: error.status });
    if (error instanceof ProjectInputError) {
      return Response.json({ error: `The suite or harness has ${countProblems(error.problems)}; nothing was saved.`, problems: error.problems }, { status: 400 });
    }
    if (error instanceof StudioError) return Response.json({ error: error.message }, { status: 400 });
    throw error;
  }
}

async function fromExample(request: Request) {
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "Send { example: NAME }, or a suite and harness as multipart form data." }, { status: 400 });
  const dir = exampleDir(parsed.data.example);
  return createProject({ suiteDir: dir, harnessFile: path.join(dir, "harness.ts") });
}

async function fromUpload(request: Request) {
  const upload = await readUpload(request);
  return createProjectFromFiles({ suite: memoryFiles(upload.suite), harness: upload.harness, name: upload.name });
}
