import { parseSettingsInput, readProjectSettings, saveProjectSettings } from "@/lib/projects/settings-edit";

type Params = { params: Promise<{ id: string }> };

const notFound = (id: string) => Response.json({ error: `No project ${id}.` }, { status: 404 });

/** The project's editable settings (no secrets: nothing from the server's environment). */
export async function GET(_request: Request, { params }: Params) {
  const { id } = await params;
  const settings = await readProjectSettings(id);
  return settings ? Response.json(settings) : notFound(id);
}

/**
 * Replaces the project's settings whole. Invalid input saves nothing and answers 400 with one
 * plain message per field (`fields`, keyed by path such as `settings.budgets.task.tokens`).
 * The next iteration reads what was saved; an iteration in progress keeps the settings it started with.
 */
export async function PUT(request: Request, { params }: Params) {
  const { id } = await params;
  const body = await request.json().catch(() => undefined);
  if (body === undefined) return Response.json({ error: "Send the settings as JSON." }, { status: 400 });
  const parsed = parseSettingsInput(body);
  if (!parsed.ok) return Response.json({ error: "Some settings are not valid; nothing was saved.", fields: parsed.fields }, { status: 400 });
  const saved = await saveProjectSettings(id, parsed.data);
  return saved ? Response.json(saved) : notFound(id);
}
