import { z } from "zod";
import { db } from "@/lib/db/client";
import { saveInstructions } from "@/lib/instructions/versions";
import { listInstructionVersions, MAX_INSTRUCTIONS_CHARS } from "@/lib/instructions/queries";
import { fieldErrors } from "@/lib/projects/settings-edit";

type Params = { params: Promise<{ id: string }> };

const body = z
  .object({
    text: z
      .string({ error: "must be text" })
      .max(MAX_INSTRUCTIONS_CHARS, { error: `must be at most ${MAX_INSTRUCTIONS_CHARS.toLocaleString("en-US")} characters` })
      .refine((text) => text.trim() !== "", { error: "must not be empty" })
      .refine((text) => !text.includes("\0"), { error: "must not contain a NUL character" }),
    note: z.string({ error: "must be text" }).max(500, { error: "must be at most 500 characters" }).optional(),
  })
  .strict();

async function projectExists(id: string): Promise<boolean> {
  return (await db.project.count({ where: { id } })) > 0;
}

const notFound = (id: string) => Response.json({ error: `No project ${id}.` }, { status: 404 });

/** The version history, newest first, with the iterations that ran with each version. */
export async function GET(_request: Request, { params }: Params) {
  const { id } = await params;
  if (!(await projectExists(id))) return notFound(id);
  return Response.json({ versions: await listInstructionVersions(id) });
}

/** Saves the text as the next version (what `studio instructions --set` does); unchanged text is refused. */
export async function POST(request: Request, { params }: Params) {
  const { id } = await params;
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "The instructions were not saved.", fields: fieldErrors(parsed.error) }, { status: 400 });
  if (!(await projectExists(id))) return notFound(id);
  const saved = await saveInstructions(id, parsed.data.text, parsed.data.note);
  if (!saved.created) return Response.json({ error: `The text is the same as version ${saved.version}: nothing to save.`, version: saved.version }, { status: 409 });
  return Response.json({ version: saved.version }, { status: 201 });
}
