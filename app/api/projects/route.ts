import path from "node:path";
import { z } from "zod";
import { StudioError } from "@/lib/errors";
import { createProject } from "@/lib/projects/create";
import { exampleDir } from "@/lib/projects/examples";

const body = z.object({ example: z.string().min(1).max(100) }).strict();

/** Creates a project from a bundled example. */
export async function POST(request: Request) {
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "Send { example: NAME }." }, { status: 400 });
  try {
    const dir = exampleDir(parsed.data.example);
    const created = await createProject({ suiteDir: dir, harnessFile: path.join(dir, "harness.ts") });
    return Response.json(created, { status: 201 });
  } catch (error) {
    if (error instanceof StudioError) return Response.json({ error: error.message }, { status: 400 });
    throw error;
  }
}
