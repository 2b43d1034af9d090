// The real Claude Code client, for the claude_code proposer's tests: installed once from npm into
// .cache/claude-code (about 400 MB, a native binary), never as a dependency of the studio.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import { claudeCodeDir, claudeCodeExecutable, CLAUDE_CODE_VERSION } from "../helpers/claude-code.ts";

export default async function setup() {
  if (installedVersion() === CLAUDE_CODE_VERSION) return;
  console.log(`[test setup] installing @anthropic-ai/claude-code@${CLAUDE_CODE_VERSION} into ${claudeCodeDir}`);
  fs.mkdirSync(claudeCodeDir, { recursive: true });
  execFileSync(
    "npm",
    [
      "install",
      "--prefix",
      claudeCodeDir,
      "--no-save",
      "--no-audit",
      "--no-fund",
      "--ignore-scripts", // its postinstall only copies the platform package's binary, which is used where it is
      `@anthropic-ai/claude-code@${CLAUDE_CODE_VERSION}`,
    ],
    { stdio: ["ignore", "inherit", "inherit"] },
  );
  const version = installedVersion();
  if (version !== CLAUDE_CODE_VERSION)
    throw new Error(`Claude Code did not install: ${claudeCodeExecutable()} answers ${version ?? "nothing"}`);
}

function installedVersion(): string | null {
  try {
    const out = execFileSync(claudeCodeExecutable(), ["--version"], { encoding: "utf8", timeout: 30_000 });
    return /^(\S+)/.exec(out.trim())?.[1] ?? null;
  } catch {
    return null;
  }
}
