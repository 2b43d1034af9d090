// What a person may change on a project's settings page (and through PUT
// /api/projects/<id>/settings): the models, the proposer, candidates per iteration and the
// budgets. Read and written here, validated with the same schema the runner reads budgets with.
// The task time limit belongs to the suite and stays as imported: evaluations do not record
// the limit they ran under, so changing it would rank scores measured under different limits.
import { z } from "zod";
import { db, type ProposerKind } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { fieldErrors } from "../server/route.ts";
import { noSuchProject } from "./queries.ts";
import { projectSettingsSchema, readSettings, type ProjectSettings } from "./settings.ts";

export const PROPOSER_KINDS = [
  "claude",
  "claude_code",
  "command",
  "offline",
] as const satisfies readonly ProposerKind[];

/** A proposer kind as a person types it: `claude-code` is the same as `claude_code`. */
export function proposerKindOf(text: unknown): unknown {
  return text === "claude-code" ? "claude_code" : text;
}

/** Postgres text has no NUL, and /bin/sh -c cannot take one. */
const noNul = (value: string) => !value.includes("\0");

/** A model name as the settings, `studio eval --model` and the transfer page take it. */
export const modelName = z
  .string({ error: "must be text" })
  .min(1, { error: "must not be empty" })
  .max(200, { error: "must be at most 200 characters" })
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, {
    error: "must be a model name such as claude-sonnet-4-5: letters, digits and - . _ : / @, no spaces",
  });

const settingsInputSchema = z
  .object({
    model: modelName,
    proposerKind: z.preprocess(
      proposerKindOf,
      z.enum(PROPOSER_KINDS, { error: `must be one of ${PROPOSER_KINDS.join(", ")} (or claude-code)` }),
    ),
    proposerModel: modelName,
    /** Stored exactly as given; empty means none. */
    proposerCommand: z
      .string({ error: "must be text" })
      .max(4000, { error: "must be at most 4000 characters" })
      .refine(noNul, { error: "must not contain a NUL character" })
      .nullable(),
    candidatesPerIteration: z
      .number({ error: "must be a number" })
      .int({ error: "must be a whole number from 1 to 20" })
      .min(1, { error: "must be a whole number from 1 to 20" })
      .max(20, { error: "must be a whole number from 1 to 20" }),
    settings: projectSettingsSchema,
  })
  .strict();

export type SettingsInput = z.infer<typeof settingsInputSchema>;

/**
 * A save's body: the schema, and beside it the rule across fields (a command proposer needs its
 * command), checked on the raw body. zod skips an object's own refinements once a field failed
 * (`when` too, after a check such as .int()), and a person should see every problem at once.
 */
export const settingsBody = z.unknown().transform((body, ctx) => {
  const parsed = settingsInputSchema.safeParse(body);
  // As they are: fieldErrors reads their codes (unrecognized_keys) and paths.
  if (!parsed.success) ctx.issues.push(...(parsed.error.issues as z.core.$ZodRawIssue[]));
  const { proposerKind, proposerCommand } = (typeof body === "object" && body ? body : {}) as {
    proposerKind?: unknown;
    proposerCommand?: unknown;
  };
  if (proposerKind === "command" && !(typeof proposerCommand === "string" && proposerCommand.trim())) {
    ctx.addIssue({
      code: "custom",
      path: ["proposerCommand"],
      message: "is needed when the proposer is a command",
      input: proposerCommand,
    });
  }
  return parsed.success ? parsed.data : z.NEVER;
});

/** What a refused save answers, beside one message per field. */
export const SETTINGS_INVALID = "Some settings are not valid; nothing was saved.";

/**
 * The one validation of a save, for the API route and the CLI alike: the input, or a refusal
 * whose `fields` say, per field path, what is wrong in the settings page's own words.
 */
export function validateSettings(body: unknown): SettingsInput {
  const parsed = settingsBody.safeParse(body);
  if (parsed.success) return parsed.data;
  throw new StudioError(SETTINGS_INVALID, { code: "invalid", details: { fields: fieldErrors(parsed.error) } });
}

/** Validates, then saves whole: what PUT /api/projects/<id>/settings and `studio settings --set` do. */
export async function updateProjectSettings(projectId: string, body: unknown): Promise<SettingsView> {
  return saveProjectSettings(projectId, validateSettings(body));
}

/** The settings as the page and the API show them. No secrets: nothing from the environment. */
export interface SettingsView extends SettingsInput {
  settings: ProjectSettings;
  /** The suite's, read-only here (see the top of this file). */
  timeoutMs: number | null;
}

const select = {
  model: true,
  proposerKind: true,
  proposerModel: true,
  proposerCommand: true,
  candidatesPerIteration: true,
  settings: true,
  suite: { select: { timeoutMs: true } },
} as const;

export async function readProjectSettings(projectId: string): Promise<SettingsView | null> {
  const row = await db.project.findUnique({ where: { id: projectId }, select });
  return row && view(row);
}

/** readProjectSettings for the API: an unknown project is refused rather than null. */
export async function getProjectSettings(projectId: string): Promise<SettingsView> {
  const settings = await readProjectSettings(projectId);
  if (!settings) throw noSuchProject(projectId);
  return settings;
}

/** Saves validated settings whole; the next iteration reads them (an iteration in progress keeps its own). */
export async function saveProjectSettings(projectId: string, input: SettingsInput): Promise<SettingsView> {
  const { count } = await db.project.updateMany({
    where: { id: projectId },
    data: {
      model: input.model,
      proposerKind: input.proposerKind,
      proposerModel: input.proposerModel,
      proposerCommand: input.proposerCommand === "" ? null : input.proposerCommand,
      candidatesPerIteration: input.candidatesPerIteration,
      settings: input.settings,
    },
  });
  if (!count) throw noSuchProject(projectId);
  return getProjectSettings(projectId);
}

function view(row: {
  model: string;
  proposerKind: ProposerKind;
  proposerModel: string;
  proposerCommand: string | null;
  candidatesPerIteration: number;
  settings: unknown;
  suite: { timeoutMs: number } | null;
}): SettingsView {
  return {
    model: row.model,
    proposerKind: row.proposerKind,
    proposerModel: row.proposerModel,
    proposerCommand: row.proposerCommand,
    candidatesPerIteration: row.candidatesPerIteration,
    settings: readSettings(row.settings),
    timeoutMs: row.suite?.timeoutMs ?? null,
  };
}
