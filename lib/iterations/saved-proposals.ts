// The proposals of an iteration, kept beside their files in the proposal folder, so a resumed
// iteration validates the same ones without running the proposer again.
import fs from "node:fs";
import path from "node:path";
import type { Proposal, ProposerResult } from "../proposer/index.ts";

/** Proposals are kept beside their files, so a resumed iteration validates the same ones. */
export function saveProposals(proposalDir: string, proposals: Proposal[], result: ProposerResult): void {
  fs.writeFileSync(
    path.join(proposalDir, "proposals.json"),
    JSON.stringify({ stopReason: result.stopReason, proposals }, null, 2),
  );
}

export function readSavedProposals(proposalDir: string): Proposal[] | null {
  try {
    return (JSON.parse(fs.readFileSync(path.join(proposalDir, "proposals.json"), "utf8")) as { proposals: Proposal[] })
      .proposals;
  } catch {
    return null;
  }
}
