import { z } from "zod";
import { deleteProject, MAX_PROJECT_NAME, renameProject } from "@/lib/projects/manage";
import { route } from "@/lib/server/route";

const params = z.object({ id: z.string() });

/** Renames the project: `{ name }` → `{ id, name }`. */
export const PATCH = route(
  {
    params,
    body: z.object({ name: z.string().trim().min(1).max(MAX_PROJECT_NAME) }).strict(),
    invalid: `Send { name }: 1 to ${MAX_PROJECT_NAME} characters.`,
  },
  ({ params, body }) => renameProject(params.id, body.name),
);

/**
 * Deletes the project and everything of it (suite, candidates, evaluations, traces, iterations,
 * workspace): `{ id, name, candidates, taskRuns }`. 409 while its work is running.
 */
export const DELETE = route({ params }, ({ params }) => deleteProject(params.id));
