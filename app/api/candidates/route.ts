import { z } from "zod";
import { db } from "@/lib/db/client";
import { createCandidate } from "@/lib/candidates/create";
import { compileHarness, sha256 } from "@/lib/runner/sandbox/compile";

/** A harness source is one module a person can read; anything this big is a mistake. */
const MAX_SOURCE_CHARS = 512 * 1024;

const body = z
  .object({
    projectId: z.string().min(1).max(100),
    parentId: z.string().min(1).max(100),
    source: z.string().min(1).max(MAX_SOURCE_CHARS),
    rationale: z.string().max(4000).optional(),
  })
  .strict();

/**
 * Saves a person's edit of a candidate as a new candidate (origin "person", the edited one as
 * its parent). It must compile first: compile errors come back with line and column, and
 * nothing is saved. Evaluating it is a separate request.
 */
export async function POST(request: Request) {
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "Send { projectId, parentId, source, rationale? }." }, { status: 400 });
  const { projectId, parentId, source, rationale } = parsed.data;

  const parent = await db.candidate.findFirst({ where: { id: parentId, projectId }, select: { id: true, number: true, sha256: true } });
  if (!parent) return Response.json({ error: `No candidate ${parentId} in project ${projectId}.` }, { status: 404 });
  if (sha256(source) === parent.sha256) return Response.json({ error: `The source is the same as #${parent.number}'s: nothing to save.` }, { status: 409 });

  const compiled = await compileHarness(source, { filename: "harness.ts" });
  if (!compiled.ok) return Response.json({ error: "The harness does not compile; nothing was saved.", errors: compiled.errors }, { status: 422 });

  const note = rationale?.trim();
  const created = await createCandidate({
    projectId,
    source,
    origin: "person",
    status: "valid",
    parentIds: [parent.id],
    rationale: note ? note : `Edited by hand from #${parent.number}.`,
  });
  return Response.json(created, { status: 201 });
}
