// Where the test set-up (tests/setup/global-claude-code.ts) installs the real Claude Code client.
import fs from "node:fs";
import path from "node:path";
import { studioRoot } from "../../lib/paths.ts";

export const CLAUDE_CODE_VERSION = "2.1.332";

export const claudeCodeDir = path.join(studioRoot, ".cache", "claude-code");

/**
 * The native binary of this platform's package (the main package's bin/claude.exe is a placeholder
 * until its install script copies that binary over; the set-up runs no install scripts).
 */
export function claudeCodeExecutable(): string {
  const scope = path.join(claudeCodeDir, "node_modules", "@anthropic-ai");
  const name = `claude-code-${process.platform}-${process.arch}`;
  const found = fs.existsSync(scope) ? fs.readdirSync(scope).filter((entry) => entry.startsWith(name)) : [];
  // glibc's package before the musl one, where both were installed
  return path.join(scope, found.sort()[0] ?? name, "claude");
}
