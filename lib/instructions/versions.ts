// The proposer's instructions (its "skill") are a per-project, versioned setting: the
// method's authors found iterating on this text mattered more than more iterations.
import { createHash } from "node:crypto";
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { noSuchProject } from "../projects/queries.ts";
import { DEFAULT_INSTRUCTIONS, RETIRED_DEFAULTS_SHA256 } from "./defaults.ts";

/** Why a project's retired default was replaced, as the new version's note. */
export const UPGRADE_NOTE = "Default instructions, updated: the held-out split is sealed";

/**
 * The newest version, creating version 1 from the defaults on first use. Newest instructions
 * that are an earlier default text are first moved to today's default (see RETIRED_DEFAULTS_SHA256).
 */
export async function currentInstructions(projectId: string): Promise<{ id: string; version: number; text: string }> {
  const latest = await db.instructionVersion.findFirst({
    where: { projectId },
    orderBy: { version: "desc" },
    select: { id: true, version: true, text: true },
  });
  if (latest && isRetiredDefault(latest.text)) return upgradeRetiredDefault(projectId);
  if (latest) return latest;
  if (!(await db.project.count({ where: { id: projectId } }))) throw noSuchProject(projectId);
  return db.instructionVersion.upsert({
    where: { projectId_version: { projectId, version: 1 } },
    create: { projectId, version: 1, text: DEFAULT_INSTRUCTIONS, note: "Default instructions" },
    update: {},
    select: { id: true, version: true, text: true },
  });
}

/**
 * Saves edited instructions as a new version; unchanged text makes no new version (created:
 * false). Two saves at once (the page and the CLI) get consecutive versions, never a clash.
 */
export async function saveInstructions(
  projectId: string,
  text: string,
  note?: string,
): Promise<{ id: string; version: number; created: boolean }> {
  await currentInstructions(projectId);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`instructions:${projectId}`}))`;
    const current = await tx.instructionVersion.findFirstOrThrow({
      where: { projectId },
      orderBy: { version: "desc" },
      select: { id: true, version: true, text: true },
    });
    if (current.text === text) return { id: current.id, version: current.version, created: false };
    const created = await tx.instructionVersion.create({
      data: { projectId, version: current.version + 1, text, note: note?.trim() || null },
      select: { id: true, version: true },
    });
    return { ...created, created: true };
  });
}

/** A person's edit (the settings page, the API): unchanged text is refused, since it would save nothing. */
export async function saveEditedInstructions(
  projectId: string,
  text: string,
  note?: string,
): Promise<{ version: number }> {
  const saved = await saveInstructions(projectId, text, note);
  if (!saved.created)
    throw new StudioError(`The text is the same as version ${saved.version}: nothing to save.`, {
      code: "conflict",
      details: { version: saved.version },
    });
  return { version: saved.version };
}

function isRetiredDefault(text: string): boolean {
  return RETIRED_DEFAULTS_SHA256.includes(createHash("sha256").update(text).digest("hex"));
}

/** A new version holding today's default, under the same lock as saves, so two loads make one. */
async function upgradeRetiredDefault(projectId: string): Promise<{ id: string; version: number; text: string }> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`instructions:${projectId}`}))`;
    const current = await tx.instructionVersion.findFirstOrThrow({
      where: { projectId },
      orderBy: { version: "desc" },
      select: { id: true, version: true, text: true },
    });
    if (!isRetiredDefault(current.text)) return current;
    return tx.instructionVersion.create({
      data: { projectId, version: current.version + 1, text: DEFAULT_INSTRUCTIONS, note: UPGRADE_NOTE },
      select: { id: true, version: true, text: true },
    });
  });
}
