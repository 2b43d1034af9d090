// The proposer's instructions (its "skill") are a per-project, versioned setting: the
// method's authors found iterating on this text mattered more than more iterations.
import { db } from "../db/client.ts";
import { DEFAULT_INSTRUCTIONS } from "../proposer/instructions.ts";

/** The newest version, creating version 1 from the defaults on first use. */
export async function currentInstructions(projectId: string): Promise<{ id: string; version: number; text: string }> {
  const latest = await db.instructionVersion.findFirst({ where: { projectId }, orderBy: { version: "desc" }, select: { id: true, version: true, text: true } });
  if (latest) return latest;
  return db.instructionVersion.upsert({
    where: { projectId_version: { projectId, version: 1 } },
    create: { projectId, version: 1, text: DEFAULT_INSTRUCTIONS, note: "Default instructions" },
    update: {},
    select: { id: true, version: true, text: true },
  });
}

/** Saves edited instructions as a new version; unchanged text makes no new version. */
export async function saveInstructions(projectId: string, text: string, note?: string): Promise<{ id: string; version: number }> {
  const current = await currentInstructions(projectId);
  if (current.text === text) return current;
  return db.instructionVersion.create({ data: { projectId, version: current.version + 1, text, note }, select: { id: true, version: true } });
}
