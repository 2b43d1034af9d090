// A sandbox for an arbitrary command (a proposer such as Claude Code, or any program), built from
// the harness sandbox's parts (isolation.ts): under bubblewrap the command sees the system's
// programs, the folders it is given (read-only or writable, at their own paths), a scratch HOME,
// a private /tmp and its own pids; no network but the recording proxy, whose unix socket a small
// bridge inside serves on the proxy's own loopback address, so an HTTP base URL works unchanged.
// As a plain process it gets the scrubbed environment, the limits and, when the studio is root,
// a uid of its own; the rest of the machine stays in view (see `gaps`).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  bwrapSystemArgs,
  findExecutable,
  nodeBinary,
  probeIsolation,
  SANDBOX_PROGRAM_DIR,
  SANDBOX_PROXY_SOCKET,
  withLimits,
  type Isolation,
  type Launch,
} from "./isolation.ts";
import { killFamily } from "./proc.ts";
import { claimUid, isRoot, releaseUid } from "./uid-pool.ts";
import { assertReachable, chownTree } from "./worker-folders.ts";

export interface CommandSandboxOptions {
  /** A shell command line, run with /bin/sh -c. */
  command: string;
  cwd: string;
  /** Folders and files the command may read (at their own paths). */
  readOnly: string[];
  /** Folders the command may write; given to its uid for the run and given back after. */
  writable: string[];
  /** The recording proxy: its loopback URL, and its unix socket (bubblewrap's only way out). */
  proxy: { url: string; socketPath?: string } | null;
  /** The command's whole environment besides PATH, HOME, LANG, TZ (and TMPDIR outside bubblewrap). */
  env: Record<string, string>;
  /** "process" refuses bubblewrap even where it works (debugging, tests). */
  isolation?: "auto" | "process";
  maxProcesses: number;
  maxFileMb: number;
  tmpSizeMb: number;
}

export interface CommandSandbox {
  isolation: Isolation;
  /** What this isolation does not cover, in words (empty under bubblewrap as root). */
  gaps: string[];
  launch: Launch;
  /** The command's HOME: a fresh folder, removed by close(). */
  home: string;
  /**
   * Ends whatever of the command is still running (as its own uid, every process of that uid:
   * a child that left its process group too), gives the writable folders back to the studio's
   * user, frees the uid, removes HOME.
   */
  close(): Promise<void>;
}

/** From /etc, besides what every sandbox gets: who users are, and what "localhost" is. */
const COMMAND_ETC = ["/etc/passwd", "/etc/group", "/etc/hosts", "/etc/nsswitch.conf"];

export async function openCommandSandbox(options: CommandSandboxOptions): Promise<CommandSandbox> {
  const probe = await probeIsolation();
  const isolation: Isolation = options.isolation === "process" ? "process" : probe.isolation;
  const uid = isRoot() ? await claimUid() : null;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-command-"));
  const own = process.getuid?.() ?? 0;
  const close = async () => {
    if (uid !== null) {
      await killFamily(0, uid); // pid 0 is nobody's parent: the uid's processes alone
      for (const dir of options.writable) chownTree(dir, own);
      releaseUid(uid);
    }
    fs.rmSync(scratch, { recursive: true, force: true });
  };
  try {
    fs.chmodSync(scratch, 0o755); // the command's uid walks through it to its HOME
    const home = path.join(scratch, "home");
    const programDir = path.join(scratch, "program");
    fs.mkdirSync(path.join(home, ".tmp"), { recursive: true });
    fs.mkdirSync(programDir);
    fs.writeFileSync(path.join(programDir, "bridge.mjs"), BRIDGE_SOURCE);
    if (uid !== null) {
      for (const dir of [home, ...options.writable]) chownTree(dir, uid);
      for (const dir of [home, ...options.writable, ...options.readOnly]) assertReachable(dir, uid);
      if (options.proxy?.socketPath) assertReachable(options.proxy.socketPath, uid);
    }
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin",
      HOME: home,
      LANG: process.env.LANG ?? "C.UTF-8",
      TZ: process.env.TZ ?? "UTC",
      ...(isolation === "process" ? { TMPDIR: path.join(home, ".tmp") } : {}),
      ...options.env,
    };
    const shell = ["/bin/sh", "-c", options.command];
    const command =
      isolation === "bubblewrap"
        ? [probe.bwrapPath!, ...bwrapCommandArgs(options, probe, home, programDir), "--", ...bridged(options, shell)]
        : shell;
    const [file, ...args] = withLimits(
      { uid, maxProcesses: options.maxProcesses, maxFileMb: options.maxFileMb },
      command,
    );
    const launch: Launch = { file, args, env, ...(uid !== null ? { uid, gid: uid } : {}) };
    return { isolation, gaps: gapsOf(isolation, probe.fallbackReason), launch, home, close };
  } catch (error) {
    await close();
    throw error;
  }
}

function bwrapCommandArgs(
  options: CommandSandboxOptions,
  probe: Awaited<ReturnType<typeof probeIsolation>>,
  home: string,
  programDir: string,
): string[] {
  const node = nodeBinary();
  const args = bwrapSystemArgs({ bwrapFeatures: probe.bwrapFeatures, tmpSizeMb: options.tmpSizeMb }, node, COMMAND_ETC);
  args.push("--ro-bind", programDir, SANDBOX_PROGRAM_DIR);
  // Parents before children, so a writable folder inside a read-only one is mounted over it.
  const mounts = [
    ...options.readOnly.map((dir) => ({ dir, flag: "--ro-bind" })),
    ...options.writable.map((dir) => ({ dir, flag: "--bind" })),
    { dir: home, flag: "--bind" },
  ].sort((a, b) => a.dir.length - b.dir.length);
  for (const { dir, flag } of mounts) args.push(flag, dir, dir);
  if (options.proxy?.socketPath) args.push("--ro-bind", options.proxy.socketPath, SANDBOX_PROXY_SOCKET);
  args.push("--chdir", options.cwd);
  return args;
}

/** The command behind the bridge, when there is a proxy to reach; the command alone otherwise. */
function bridged(options: CommandSandboxOptions, command: string[]): string[] {
  if (!options.proxy?.socketPath) return command;
  const port = new URL(options.proxy.url).port;
  return [nodeBinary(), path.join(SANDBOX_PROGRAM_DIR, "bridge.mjs"), port, SANDBOX_PROXY_SOCKET, ...command];
}

function gapsOf(isolation: Isolation, fallbackReason: string | undefined): string[] {
  if (isolation === "bubblewrap")
    return isRoot()
      ? []
      : ["the studio is not root, so the command runs as the studio's own user (inside its own namespaces)"];
  const gaps = [
    ...(fallbackReason ? [`no bubblewrap: ${fallbackReason}`] : []),
    "network: the command can reach any address the studio can, the studio's HTTP API included",
    "files: the command can read whatever its user may read (world-readable files such as suite folders)",
  ];
  if (!isRoot())
    gaps.push(
      "the studio is not root, so the command runs as the studio's own user: it can read the studio's files and " +
        "its processes' environments (/proc), the database's credentials included",
    );
  return gaps;
}

/**
 * Paths a command line names that the sandbox must show for the command to run: its program
 * (found on PATH) and every absolute path that exists, each read-only (a link: its target, and
 * the target's content at the link's path). System folders are in view
 * already; anything inside (or holding) a `hidden` folder is left out, however it is named.
 */
export function namedPaths(command: string, hidden: string[]): { paths: string[]; refused: string[] } {
  const words = shellWords(command);
  const candidates = words.filter((word) => path.isAbsolute(word));
  const program = words.find((word) => !/^\w+=/.test(word)); // past leading NAME=value assignments
  if (program && !program.includes("/")) {
    const found = findExecutable(program);
    if (found) candidates.unshift(found);
  }
  const paths = new Set<string>();
  const refused = new Set<string>();
  for (const named of candidates) {
    let real: string;
    try {
      real = fs.realpathSync(named);
    } catch {
      continue; // not a path that exists: an argument like "/help"
    }
    if (SYSTEM_DIRS.some((dir) => isWithin(dir, real))) continue;
    if (hidden.some((dir) => isWithin(dir, real) || isWithin(real, dir))) {
      refused.add(named);
      continue;
    }
    paths.add(real);
    // A link outside the system folders is shown as what it points at, at its own path too.
    if (named !== real && !SYSTEM_DIRS.some((dir) => isWithin(dir, named))) paths.add(path.resolve(named));
  }
  return { paths: [...paths], refused: [...refused] };
}

const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

function isWithin(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/** The words of a command line, as /bin/sh would split them for simple quoting ('…', "…", \x). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const char = line[i];
    if (quote) {
      if (char === quote) quote = null;
      else if (char === "\\" && quote === '"' && i + 1 < line.length) word += line[++i];
      else word += char;
    } else if (char === "'" || char === '"') {
      quote = char;
      inWord = true;
    } else if (char === "\\" && i + 1 < line.length) {
      word += line[++i];
      inWord = true;
    } else if (/[\s;&|()<>]/.test(char)) {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
    } else {
      word += char;
      inWord = true;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/**
 * Runs inside bubblewrap: listens on 127.0.0.1:<port> in the sandbox's own network namespace,
 * forwards each connection to the proxy's unix socket, and runs the command with the same stdio;
 * it exits as the command does (and with it, under bubblewrap's pid namespace, all it started).
 */
const BRIDGE_SOURCE = `import net from "node:net";
import { spawn } from "node:child_process";
const [port, socket, ...command] = process.argv.slice(2);
const server = net.createServer((client) => {
  const upstream = net.connect(socket);
  client.pipe(upstream).on("error", () => client.destroy());
  upstream.pipe(client).on("error", () => upstream.destroy());
  client.on("error", () => upstream.destroy());
  upstream.on("error", () => client.destroy());
});
server.on("error", (error) => {
  process.stderr.write("studio sandbox: the model proxy bridge failed: " + error.message + "\\n");
  process.exit(125);
});
server.listen(Number(port), "127.0.0.1", () => {
  const child = spawn(command[0], command.slice(1), { stdio: "inherit" });
  child.on("error", (error) => {
    process.stderr.write("studio sandbox: " + error.message + "\\n");
    process.exit(127);
  });
  child.on("exit", (code, signal) => {
    if (signal) process.kill(process.pid, signal);
    process.exit(code ?? 1);
  });
});
`;
