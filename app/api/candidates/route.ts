import { z } from "zod";
import { MAX_SOURCE_CHARS, saveCandidateEdit } from "@/lib/candidates/save";
import { route } from "@/lib/server/route";

const body = z
  .object({
    projectId: z.string().min(1).max(100),
    parentId: z.string().min(1).max(100),
    source: z.string().min(1).max(MAX_SOURCE_CHARS),
    rationale: z.string().max(4000).optional(),
  })
  .strict();

/** Saves a person's edit of a candidate as a new candidate; it must compile (see saveCandidateEdit). */
export const POST = route(
  { body, invalid: "Send { projectId, parentId, source, rationale? }.", status: 201 },
  ({ body }) => saveCandidateEdit(body),
);
