// The proposals of an iteration, kept beside their files in the proposal folder, so a resumed
// iteration validates the same ones without running the proposer again.
import path from "node:path";
import type { Proposal, ProposerResult } from "../proposer/index.ts";
import { readNoFollow, writeNoFollow } from "../proposer/workspace-files.ts";

/** Proposals are kept beside their files, so a resumed iteration validates the same ones. */
export function saveProposals(proposalDir: string, proposals: Proposal[], result: ProposerResult): void {
  writeNoFollow(
    path.join(proposalDir, "proposals.json"),
    JSON.stringify({ stopReason: result.stopReason, proposals }, null, 2),
  );
}

export function readSavedProposals(proposalDir: string): Proposal[] | null {
  try {
    const saved = JSON.parse(readNoFollow(path.join(proposalDir, "proposals.json"))) as { proposals?: unknown };
    return Array.isArray(saved.proposals) ? (saved.proposals as Proposal[]) : null;
  } catch {
    return null;
  }
}
