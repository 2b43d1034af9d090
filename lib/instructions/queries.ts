// The proposer's instruction versions, for the settings page and the API: the history reads
// narrow columns; a version's text loads only when it is shown.
import { db } from "../db/client.ts";
import { currentInstructions } from "./versions.ts";

/** Instructions are prose a person edits; anything this long is a mistake. */
export const MAX_INSTRUCTIONS_CHARS = 200_000;

export interface InstructionVersionRow {
  version: number;
  note: string | null;
  createdAt: Date;
  /** Numbers of the iterations that ran with this version, oldest first. */
  iterations: number[];
}

/** Newest first; version 1 (the defaults) is created on first look, as the loop would. */
export async function listInstructionVersions(projectId: string): Promise<InstructionVersionRow[]> {
  await currentInstructions(projectId);
  const rows = await db.instructionVersion.findMany({
    where: { projectId },
    orderBy: { version: "desc" },
    select: {
      version: true,
      note: true,
      createdAt: true,
      iterations: { select: { number: true }, orderBy: { number: "asc" } },
    },
  });
  return rows.map((row) => ({
    version: row.version,
    note: row.note,
    createdAt: row.createdAt,
    iterations: row.iterations.map((iteration) => iteration.number),
  }));
}

export async function getInstructionText(projectId: string, version: number): Promise<string | null> {
  const row = await db.instructionVersion.findUnique({
    where: { projectId_version: { projectId, version } },
    select: { text: true },
  });
  return row?.text ?? null;
}
