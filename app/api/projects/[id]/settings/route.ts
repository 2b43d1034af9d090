import { z } from "zod";
import { getProjectSettings, SETTINGS_INVALID, updateProjectSettings } from "@/lib/projects/settings-edit";
import { route } from "@/lib/server/route";

const params = z.object({ id: z.string() });

/** The project's editable settings (no secrets: nothing from the server's environment). */
export const GET = route({ params }, ({ params }) => getProjectSettings(params.id));

/**
 * Replaces the project's settings whole. Invalid input saves nothing and answers 400 with one
 * plain message per field (`fields`, keyed by path such as `settings.budgets.task.tokens`).
 * The next iteration reads what was saved; an iteration in progress keeps the settings it started with.
 * Validated by the one function `studio settings --set` calls too.
 */
export const PUT = route({ params, body: z.unknown(), invalid: SETTINGS_INVALID }, ({ params, body }) =>
  updateProjectSettings(params.id, body),
);
