// Proposals as files: every harness.ts under the proposal folder is one proposal, and the
// proposal.json beside it says what it tries ({ hypothesis, axis, base, rationale }). Both
// proposers end here: the command proposer always, the Claude proposer when it stops before
// calling finish. A missing or malformed proposal.json gives defaults and a note, never a crash.
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { HARNESS_BYTES } from "./limits.ts";
import type { Axis, Proposal } from "./types.ts";
import { readNoFollow, toPosix } from "./workspace-files.ts";
import { formatBytes } from "../format.ts";

export const HARNESS_FILE = "harness.ts";
export const PROPOSAL_FILE = "proposal.json";
/** How deep under the proposal folder harness.ts files are looked for (proposals/<n>/<name>/harness.ts is depth 1). */
const MAX_DEPTH = 3;

export interface ProposalMeta {
  hypothesis: string;
  axis: Axis;
  baseCandidateId: string | null;
  rationale: string;
}

/** Each field is taken when it has the right type; `base_candidate_id` and `baseCandidateId` are accepted for `base`. */
const metaFile = z.object({
  hypothesis: z.string().optional(),
  axis: z.string().optional(),
  base: z.string().nullable().optional(),
  base_candidate_id: z.string().nullable().optional(),
  baseCandidateId: z.string().nullable().optional(),
  rationale: z.string().optional(),
});

/** The harness.ts files under `proposalDir`, sorted by path, as proposals. */
export function collectProposals(
  workspaceRoot: string,
  proposalDir: string,
  note: (message: string) => void,
): Proposal[] {
  const proposals: Proposal[] = [];
  for (const file of harnessFiles(proposalDir, 0)) {
    const dir = path.dirname(file);
    const relativeDir = toPosix(path.relative(workspaceRoot, dir)) || ".";
    const size = fs.statSync(file).size;
    if (size > HARNESS_BYTES) {
      note(
        `${relativeDir}/${HARNESS_FILE} is ${formatBytes(size)}, over the ${formatBytes(HARNESS_BYTES)} limit for a harness; not a proposal`,
      );
      continue;
    }
    const source = readNoFollow(file);
    if (source.trim() === "") {
      note(`${relativeDir}/${HARNESS_FILE} is empty; not a proposal`);
      continue;
    }
    proposals.push({ dir: relativeDir, source, ...readProposalMeta(dir, relativeDir, note) });
  }
  return proposals;
}

export function readProposalMeta(dir: string, relativeDir: string, note: (message: string) => void): ProposalMeta {
  const defaults: ProposalMeta = { hypothesis: "", axis: "explore", baseCandidateId: null, rationale: "" };
  const file = path.join(dir, PROPOSAL_FILE);
  let text: string;
  try {
    // Not through a link: a sandboxed proposer could point one at a file only the studio may read.
    text = readNoFollow(file);
  } catch {
    note(`${relativeDir}/${PROPOSAL_FILE} is missing: no hypothesis or rationale; axis "explore", no base candidate`);
    return defaults;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    note(`${relativeDir}/${PROPOSAL_FILE} is not valid JSON (${(error as Error).message}); using defaults`);
    return defaults;
  }
  const record = json && typeof json === "object" && !Array.isArray(json) ? (json as Record<string, unknown>) : {};
  // Field by field, so one wrong field does not lose the others.
  const fields = Object.keys(metaFile.shape) as (keyof typeof metaFile.shape)[];
  const good: z.infer<typeof metaFile> = {};
  const bad: string[] = [];
  for (const field of fields) {
    if (!(field in record)) continue;
    const parsed = metaFile.shape[field].safeParse(record[field]);
    if (parsed.success) Object.assign(good, { [field]: parsed.data });
    else bad.push(field);
  }
  if (json === null || typeof json !== "object" || Array.isArray(json)) bad.push("(not an object)");
  let axis: Axis = defaults.axis;
  if (good.axis === "exploit" || good.axis === "explore") axis = good.axis;
  else if (good.axis !== undefined) bad.push(`axis "${good.axis}" (must be "exploit" or "explore")`);
  if (bad.length) note(`${relativeDir}/${PROPOSAL_FILE}: ignored ${bad.join(", ")}; defaults used for those`);
  return {
    hypothesis: good.hypothesis ?? defaults.hypothesis,
    axis,
    baseCandidateId: good.base ?? good.base_candidate_id ?? good.baseCandidateId ?? null,
    rationale: good.rationale ?? defaults.rationale,
  };
}

export function writeProposalMeta(dir: string, meta: ProposalMeta): void {
  const body = { hypothesis: meta.hypothesis, axis: meta.axis, base: meta.baseCandidateId, rationale: meta.rationale };
  fs.writeFileSync(path.join(dir, PROPOSAL_FILE), `${JSON.stringify(body, null, 2)}\n`);
}

function* harnessFiles(dir: string, depth: number): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  } catch {
    return;
  }
  // Links are not followed: a proposal is a file the proposer wrote, not one it points at.
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === HARNESS_FILE) yield full;
  }
  if (depth >= MAX_DEPTH) return;
  for (const entry of entries) {
    if (entry.isDirectory() && !entry.name.startsWith(".")) yield* harnessFiles(path.join(dir, entry.name), depth + 1);
  }
}
