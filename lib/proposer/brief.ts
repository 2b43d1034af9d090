// The iteration's brief: the facts of this one step (its number, k, where to write). It is the
// first user message of the Claude proposer and follows the instructions on the command
// proposer's stdin. Kept apart from the instructions, which are the project's versioned skill
// and the same for every iteration (so the Claude proposer's system prompt stays cacheable).
export interface BriefFacts {
  iteration: number;
  candidatesWanted: number;
  /** Relative to the workspace root, posix: "proposals/4". */
  proposalDir: string;
  /** "tools": the Claude proposer's tools. "command": a coding agent in the workspace folder. */
  mode: "tools" | "command";
  checkAvailable: boolean;
}

export function iterationBrief(facts: BriefFacts): string {
  const k = facts.candidatesWanted;
  const dir = facts.proposalDir;
  const lines = [
    `# Iteration ${facts.iteration}: write ${k} new candidate harness${k === 1 ? "" : "es"}`,
    "",
    facts.mode === "tools"
      ? "Every path in your tools is relative to the workspace root. You may read anything in the workspace; you may write only under " +
        `${dir}/.`
      : "Your working directory is the workspace root. Read anything in it; write only under " +
        `${dir}/ (also in $PROPOSAL_DIR).`,
    "",
    `Write each candidate to its own folder: ${dir}/<short-name>/harness.ts, with ${dir}/<short-name>/proposal.json beside it:`,
    '  { "hypothesis": "...", "axis": "exploit" | "explore", "base": "<candidate id from candidates/> or null", "rationale": "..." }',
    "",
    "Begin with README.md and leaderboard.md.",
  ];
  if (facts.mode === "tools") {
    lines.push(
      "Prototype each idea on the logged traces with bash (node and esbuild, $SCRATCH_DIR to work in) before you write it.",
      facts.checkAvailable
        ? "Before finishing, run check_candidate on each harness, read the traces it returns, and fix what they show."
        : "check_candidate is not available in this run: re-read each harness against the contract before finishing.",
      `Then call finish with one entry per candidate (${k} in all). Nothing counts until finish is called.`,
    );
  } else {
    lines.push(`Stop when the ${k} folders are written; every harness.ts under ${dir}/ is taken as a proposal.`);
  }
  return lines.join("\n");
}
