// The claude_code proposer: Claude Code (`claude -p`), the method's own proposer, run as the
// command proposer runs any program (command.ts: the same sandbox, the recording proxy as its only
// way out with the iteration's credential, never the studio's key), with the command line the
// method's reference code uses. The brief is its prompt (stdin) and the project's instructions
// its appended system prompt; it uses the project's proposer model; its tools are Read, Glob,
// Grep, Write, Edit and Bash, allowed without asking (acceptEdits: Claude Code refuses
// bypassPermissions as root); no settings files, MCP servers, plugins, skills or slash commands
// of the machine's user come in (--safe-mode, --setting-sources ''). Its stream-json becomes the
// transcript (stream-json.ts).
import fs from "node:fs";
import path from "node:path";
import { StudioError } from "../errors.ts";
import { findExecutable } from "../runner/sandbox/isolation.ts";
import { defaultReadPaths, proposeWithCommand, type CommandProposerOptions } from "./command.ts";
import type { Proposer } from "./types.ts";

export const CLAUDE_CODE_TOOLS = ["Read", "Glob", "Grep", "Write", "Edit", "Bash"] as const;

export const CLAUDE_CODE_INSTALL =
  "Claude Code was not found: install it with `npm install -g @anthropic-ai/claude-code`, or set STUDIO_CLAUDE_CODE to the path of its `claude` executable.";

export interface ClaudeCodeProposerOptions extends Omit<CommandProposerOptions, "command"> {
  /** The `claude` executable; default STUDIO_CLAUDE_CODE, then `claude` on the PATH. */
  executable?: string;
}

export function createClaudeCodeProposer(options: ClaudeCodeProposerOptions = {}): Proposer {
  const found = locateClaudeCode(options.executable);
  return {
    kind: "claude_code",
    propose: (input) =>
      proposeWithCommand(
        input,
        {
          ...options,
          command: claudeCodeCommand(found.executable, input.model),
          readPaths: [...(options.readPaths ?? defaultReadPaths()), ...found.readPaths],
        },
        { prompt: "apart" },
      ),
  };
}

/**
 * Where Claude Code is: its executable (links followed) and what else it needs to read. The npm
 * package's `claude` is a native binary that runs alone; an older JavaScript entry point needs its
 * package folder too. Throws, with how to install it, when there is none.
 */
export function locateClaudeCode(executable?: string): { executable: string; readPaths: string[] } {
  const configured = executable ?? process.env.STUDIO_CLAUDE_CODE;
  const named = configured?.trim() || findExecutable("claude");
  if (!named) throw new StudioError(CLAUDE_CODE_INSTALL);
  let real: string;
  try {
    real = fs.realpathSync(named);
    fs.accessSync(real, fs.constants.X_OK);
  } catch {
    throw new StudioError(`${named} is not an executable file. ${CLAUDE_CODE_INSTALL}`);
  }
  return { executable: real, readPaths: isScript(real) ? [packageFolder(real)] : [] };
}

/** The command line (for /bin/sh); $INSTRUCTIONS_FILE is set by the command proposer. */
export function claudeCodeCommand(executable: string, model: string): string {
  const tools = CLAUDE_CODE_TOOLS.join(",");
  return [
    quote(executable),
    "-p",
    "--output-format stream-json --verbose",
    `--model ${quote(model)}`,
    `--tools ${tools}`,
    `--allowedTools ${tools}`,
    "--permission-mode acceptEdits",
    '--append-system-prompt-file "$INSTRUCTIONS_FILE"',
    "--safe-mode --strict-mcp-config --disable-slash-commands --setting-sources ''",
    "--no-session-persistence",
  ].join(" ");
}

function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

function isScript(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    fs.readSync(fd, head, 0, 2, 0);
    return head.toString("latin1") === "#!";
  } finally {
    fs.closeSync(fd);
  }
}

/** The nearest folder above a file that holds a package.json (the file's own folder if none). */
function packageFolder(file: string): string {
  for (let dir = path.dirname(file); dir !== path.dirname(dir); dir = path.dirname(dir))
    if (fs.existsSync(path.join(dir, "package.json"))) return dir;
  return path.dirname(file);
}
