// The proposers' public surface. The loop builds one per iteration from the project's settings
// (Project.proposerKind, proposerCommand) and calls propose() with the rebuilt workspace.
import { createClaudeProposer, type ClaudeProposerOptions } from "./claude.ts";
import { createClaudeCodeProposer, type ClaudeCodeProposerOptions } from "./claude-code.ts";
import { createCommandProposer, type CommandProposerOptions } from "./command.ts";
import { createOfflineProposer, type OfflineProposerOptions } from "./offline.ts";
import type { Proposer } from "./types.ts";

export function createProposer(kind: "claude", options?: ClaudeProposerOptions): Proposer;
export function createProposer(kind: "command", options: CommandProposerOptions): Proposer;
/** Claude Code, found on the PATH (or STUDIO_CLAUDE_CODE); throws with how to install it when it is missing. */
export function createProposer(kind: "claude_code", options?: ClaudeCodeProposerOptions): Proposer;
/** No model: reads the workspace's raw traces, recognises failure patterns and edits the best harness (offline mode). */
export function createProposer(kind: "offline", options?: OfflineProposerOptions): Proposer;
export function createProposer(
  kind: "claude" | "command" | "claude_code" | "offline",
  options?: ClaudeProposerOptions | CommandProposerOptions | ClaudeCodeProposerOptions | OfflineProposerOptions,
): Proposer {
  if (kind === "claude") return createClaudeProposer(options as ClaudeProposerOptions | undefined);
  if (kind === "claude_code") return createClaudeCodeProposer(options as ClaudeCodeProposerOptions | undefined);
  if (kind === "offline") return createOfflineProposer(options as OfflineProposerOptions | undefined);
  if (kind === "command") {
    const command = (options as CommandProposerOptions | undefined)?.command;
    if (!command?.trim())
      throw new Error("The command proposer needs a command (the project's proposer command is empty)");
    return createCommandProposer(options as CommandProposerOptions);
  }
  throw new Error(`Unknown proposer kind: ${String(kind)}`);
}

export { createClaudeProposer, type ClaudeProposerOptions } from "./claude.ts";
export { createCommandProposer, INSTRUCTIONS_FILE, type CommandProposerOptions } from "./command.ts";
export { createClaudeCodeProposer, locateClaudeCode, type ClaudeCodeProposerOptions } from "./claude-code.ts";
export { createOfflineProposer, type OfflineProposerOptions } from "./offline.ts";
export { DEFAULT_INSTRUCTIONS } from "../instructions/defaults.ts";
export { iterationBrief } from "./brief.ts";
export { collectProposals, HARNESS_FILE, PROPOSAL_FILE } from "./collect.ts";
export type {
  Axis,
  CheckCandidate,
  CheckResult,
  Proposal,
  Proposer,
  ProposerInput,
  ProposerResult,
  StopReason,
} from "./types.ts";
