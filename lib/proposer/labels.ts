// A proposer kind as a person reads it (the stored kinds are identifiers: claude_code).
export const PROPOSER_LABELS: Record<string, string> = {
  claude: "Claude",
  claude_code: "Claude Code",
  command: "command",
  offline: "offline",
};
