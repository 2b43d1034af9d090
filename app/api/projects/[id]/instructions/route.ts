import { z } from "zod";
import { saveEditedInstructions } from "@/lib/instructions/versions";
import { listInstructionVersions, MAX_INSTRUCTIONS_CHARS } from "@/lib/instructions/queries";
import { route } from "@/lib/server/route";

const params = z.object({ id: z.string() });

const body = z
  .object({
    text: z
      .string({ error: "must be text" })
      .max(MAX_INSTRUCTIONS_CHARS, {
        error: `must be at most ${MAX_INSTRUCTIONS_CHARS.toLocaleString("en-US")} characters`,
      })
      .refine((text) => text.trim() !== "", { error: "must not be empty" })
      .refine((text) => !text.includes("\0"), { error: "must not contain a NUL character" }),
    note: z.string({ error: "must be text" }).max(500, { error: "must be at most 500 characters" }).optional(),
  })
  .strict();

/** The version history, newest first, with the iterations that ran with each version. */
export const GET = route({ params }, async ({ params }) => ({ versions: await listInstructionVersions(params.id) }));

/** Saves the text as the next version (what `studio instructions --set` does); unchanged text is refused. */
export const POST = route(
  { params, body, invalid: "The instructions were not saved.", status: 201 },
  ({ params, body }) => saveEditedInstructions(params.id, body.text, body.note),
);
