// How a sandbox worker is launched: under bubblewrap where it works, else as a plain process.
// Either way the worker gets its own process group, a scrubbed environment, resource limits and,
// when the studio is root, a uid of its own (uid-pool.ts). Bubblewrap adds: no network (the
// model proxy's unix socket is the only way out), no view of the file system beyond what Node
// needs and the worker's own folders, a private /tmp, pid namespace, no capabilities.
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { SANDBOX_DEFAULTS } from "./limits.ts";
import { rlimitDataBytes, type MemoryLimitKind } from "./memory-limit.ts";
import { listProcesses } from "./proc.ts";
import type { HostConfig } from "./protocol.ts";
import { claimUid, isRoot, releaseUid } from "./uid-pool.ts";

export type Isolation = "bubblewrap" | "process";

export interface IsolationProbe {
  isolation: Isolation;
  /** Why bubblewrap is not used, in words for the UI and CLI; absent when it is used. */
  fallbackReason?: string;
  /** What this isolation does not cover, in words. */
  gaps: string[];
  bwrapPath: string | null;
  /** Options of the installed bwrap that older versions lack. */
  bwrapFeatures: { tmpfsSize: boolean; disableUserns: boolean };
}

/** Inside bubblewrap the worker's program folder (host + module) is mounted here. */
export const SANDBOX_PROGRAM_DIR = "/sandbox";
/** Inside bubblewrap the model proxy's unix socket is mounted here. */
export const SANDBOX_PROXY_SOCKET = "/run/studio/model.sock";

let probed: Promise<IsolationProbe> | null = null;

/** The strongest isolation this machine gives. Probed once per process (set STUDIO_SANDBOX=process to refuse bubblewrap). */
export async function detectIsolation(): Promise<Isolation> {
  return (await probeIsolation()).isolation;
}

export function probeIsolation(): Promise<IsolationProbe> {
  return (probed ??= probe());
}

async function probe(): Promise<IsolationProbe> {
  const none = { tmpfsSize: false, disableUserns: false };
  const fallback = (reason: string, bwrapPath: string | null = null, features = none): IsolationProbe => ({
    isolation: "process",
    fallbackReason: reason,
    gaps: processGaps(),
    bwrapPath,
    bwrapFeatures: features,
  });
  if (process.platform !== "linux") return fallback(`bubblewrap needs Linux; this is ${process.platform}`);
  if (process.env.STUDIO_SANDBOX === "process") return fallback("STUDIO_SANDBOX=process asks for the process sandbox");
  const bwrapPath = findExecutable("bwrap");
  if (!bwrapPath)
    return fallback("bubblewrap (bwrap) is not installed; on Debian or Ubuntu: apt-get install bubblewrap");
  const help = await run(bwrapPath, ["--help"], 5_000);
  const features = {
    tmpfsSize: help.output.includes("--size"),
    disableUserns: help.output.includes("--disable-userns"),
  };

  // A real launch, with the same arguments a worker gets: any refusal (no user namespaces,
  // AppArmor's userns restriction, a seccomp profile, an unreadable node) shows up here.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-sandbox-probe-"));
  fs.chmodSync(scratch, 0o755);
  const uid = isRoot() ? await claimUid() : null;
  try {
    if (uid !== null) fs.chownSync(scratch, uid, uid);
    const launch = launchCommand({
      isolation: "bubblewrap",
      bwrapPath,
      bwrapFeatures: features,
      uid,
      programDir: scratch,
      role: "harness",
      scratchDir: scratch,
      envRoot: scratch,
      proxy: null,
      memoryLimit: "poll",
      ...SANDBOX_DEFAULTS,
    });
    // Replace the host with a check that Node starts and loopback works inside.
    const nodeAt = launch.args.lastIndexOf(nodeBinary());
    const check = `require("net").createServer().listen(0, "127.0.0.1", () => process.exit(0))`;
    const args = [...launch.args.slice(0, nodeAt + 1), "-e", check];
    const result = await run(launch.file, args, 15_000, {
      env: launch.env as NodeJS.ProcessEnv,
      uid: launch.uid,
      gid: launch.gid,
      cwd: scratch,
    });
    if (result.code !== 0) {
      const detail = result.output.trim().split("\n")[0] || `exit code ${result.code}`;
      return fallback(`bubblewrap is installed but cannot start a sandbox here: ${detail}`, bwrapPath, features);
    }
  } finally {
    if (uid !== null) releaseUid(uid);
    fs.rmSync(scratch, { recursive: true, force: true });
  }
  const gaps = isRoot()
    ? []
    : ["the studio is not root, so the worker runs as the studio's own user (inside its own namespaces)"];
  return { isolation: "bubblewrap", gaps, bwrapPath, bwrapFeatures: features };
}

function processGaps(): string[] {
  const gaps = [
    "network: the harness can reach any address the studio can",
    "files: the harness can read whatever its user may read (world-readable files such as the repository)",
  ];
  if (!isRoot()) {
    gaps.push(
      "the studio is not root, so the harness runs as the studio's own user: it could signal the studio, " +
        "read its files and its environment (/proc), and leave behind processes that detach from their group",
    );
  }
  return gaps;
}

export interface LaunchSpec {
  isolation: Isolation;
  bwrapPath: string | null;
  bwrapFeatures: IsolationProbe["bwrapFeatures"];
  uid: number | null;
  /** Holds host.mjs and module.mjs, readable by the worker's uid. */
  programDir: string;
  role: HostConfig["role"];
  scratchDir: string;
  envRoot: string;
  proxy: { url?: string; socketPath?: string; channel?: boolean } | null;
  memoryMb: number;
  /** With "rlimit", each process of the worker gets RLIMIT_DATA (memory-limit.ts). */
  memoryLimit: MemoryLimitKind;
  maxProcesses: number;
  maxFileMb: number;
  tmpSizeMb: number;
}

export interface Launch {
  file: string;
  args: string[];
  env: Record<string, string>;
  uid?: number;
  gid?: number;
}

export function launchCommand(spec: LaunchSpec): Launch {
  const bubble = spec.isolation === "bubblewrap";
  const programDir = bubble ? SANDBOX_PROGRAM_DIR : spec.programDir;
  const config: HostConfig = {
    modulePath: path.join(programDir, "module.mjs"),
    role: spec.role,
    model: modelConfig(spec, bubble),
    memoryMb: spec.memoryMb,
  };
  // The V8 heap limit catches runaway JS objects with a clear message; the RSS watch in
  // sandbox.ts catches the rest (Buffers, native memory, child processes).
  const heapMb = heapLimitMb(spec.memoryMb);
  const node = nodeBinary();
  const nodeCommand = [
    node,
    `--max-old-space-size=${heapMb}`,
    "--enable-source-maps",
    path.join(programDir, "host.mjs"),
    JSON.stringify(config),
  ];
  const command = bubble ? [spec.bwrapPath!, ...bwrapArgs(spec, node), "--", ...nodeCommand] : nodeCommand;
  const env: Record<string, string> = {
    PATH: "/usr/local/bin:/usr/bin:/bin",
    HOME: spec.scratchDir,
    LANG: process.env.LANG ?? "C.UTF-8",
    TZ: process.env.TZ ?? "UTC",
  };
  // Outside bubblewrap /tmp is shared with the whole machine; point temp files at the scratch folder.
  if (!bubble) env.TMPDIR = path.join(spec.scratchDir, ".tmp");
  const [file, ...args] = withLimits(spec, command);
  return { file, args, env, ...(spec.uid !== null ? { uid: spec.uid, gid: spec.uid } : {}) };
}

function modelConfig(spec: LaunchSpec, bubble: boolean): HostConfig["model"] {
  if (!spec.proxy) return null;
  const { url, socketPath, channel } = spec.proxy;
  const endpoint = bubble
    ? socketPath
      ? { url, socketPath: SANDBOX_PROXY_SOCKET } // no network: TCP cannot work
      : null
    : url
      ? { url }
      : socketPath
        ? { socketPath }
        : null;
  return endpoint && channel ? { ...endpoint, channel } : endpoint;
}

/**
 * A lower CPU priority (nice), so the studio stays responsive while harnesses keep every core
 * busy; RLIMIT_NPROC (counts threads: Node alone uses ~11), no core dumps, a largest file size,
 * and RLIMIT_DATA when that is the kernel's memory limit.
 * The kernel counts every thread of the uid machine-wide, so a worker running as the studio's own
 * user (not root) gets room above what that user already runs.
 */
export function withLimits(
  spec: Pick<LaunchSpec, "uid" | "maxProcesses" | "maxFileMb"> & Partial<Pick<LaunchSpec, "memoryLimit" | "memoryMb">>,
  command: string[],
): string[] {
  const ownUid = process.getuid?.();
  const alreadyRunning =
    spec.uid === null ? listProcesses().reduce((sum, p) => sum + (p.uid === ownUid ? p.threads : 0), 0) : 0;
  const nproc = alreadyRunning + spec.maxProcesses;
  const nice = findExecutable("nice");
  const niced = nice ? [nice, "-n", String(SANDBOX_DEFAULTS.niceness), ...command] : command;
  const data = spec.memoryLimit === "rlimit" && spec.memoryMb ? rlimitDataBytes(spec.memoryMb) : null;
  const prlimit = findExecutable("prlimit");
  if (prlimit) {
    const fsize = spec.maxFileMb * 1024 * 1024;
    const limits = [`--nproc=${nproc}:${nproc}`, "--core=0:0", `--fsize=${fsize}:${fsize}`];
    if (data) limits.push(`--data=${data}:${data}`);
    return [prlimit, ...limits, "--", ...niced];
  }
  const ulimits = [`ulimit -u ${nproc}`, "ulimit -c 0", ...(data ? [`ulimit -d ${data / 1024}`] : [])];
  return ["/bin/sh", "-c", `${ulimits.join(" && ")} && exec "$@"`, "sh", ...niced];
}

function bwrapArgs(spec: LaunchSpec, node: string): string[] {
  const args = bwrapSystemArgs(spec, node);
  args.push("--ro-bind", spec.programDir, SANDBOX_PROGRAM_DIR);
  // Same paths inside as outside, so traces, exec cwd and the caller's envDir all agree.
  for (const dir of [...new Set([spec.envRoot, spec.scratchDir])].sort((a, b) => a.length - b.length)) {
    args.push("--bind", dir, dir);
  }
  if (spec.proxy?.socketPath) args.push("--ro-bind", spec.proxy.socketPath, SANDBOX_PROXY_SOCKET);
  args.push("--chdir", spec.scratchDir);
  return args;
}

/**
 * What every bubblewrap sandbox starts from (harness workers and proposer commands alike): new
 * namespaces (no network, own pids), no capabilities, the system's programs and libraries read-only,
 * `node`, a fresh /proc and /dev, a private /tmp. Nothing of the studio's files, data or secrets.
 */
export function bwrapSystemArgs(
  spec: Pick<LaunchSpec, "bwrapFeatures" | "tmpSizeMb">,
  node: string,
  etc: string[] = [],
): string[] {
  const args = ["--unshare-all", "--die-with-parent", "--new-session", "--cap-drop", "ALL", "--hostname", "sandbox"];
  if (spec.bwrapFeatures.disableUserns) args.push("--unshare-user", "--disable-userns");
  args.push("--ro-bind", "/usr", "/usr");
  for (const top of ["/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]) {
    const stat = lstat(top);
    if (stat?.isSymbolicLink()) args.push("--symlink", fs.readlinkSync(top), top);
    else if (stat?.isDirectory()) args.push("--ro-bind", top, top);
  }
  // What programs need from /etc: certificates, the linker cache, Debian's alternatives links.
  for (const file of ["/etc/ssl", "/etc/ca-certificates", "/etc/alternatives", "/etc/ld.so.cache", ...etc]) {
    args.push("--ro-bind-try", file, file);
  }
  if (!node.startsWith("/usr/")) args.push("--ro-bind", node, node);
  args.push("--proc", "/proc", "--dev", "/dev");
  if (spec.bwrapFeatures.tmpfsSize) args.push("--size", String(spec.tmpSizeMb * 1024 * 1024));
  args.push("--tmpfs", "/tmp");
  return args;
}

/** The Node binary the worker runs; STUDIO_SANDBOX_NODE overrides it (e.g. when node lives in /root). */
export function nodeBinary(): string {
  return fs.realpathSync(process.env.STUDIO_SANDBOX_NODE ?? process.execPath);
}

function lstat(file: string): fs.Stats | null {
  try {
    return fs.lstatSync(file);
  } catch {
    return null;
  }
}

/** `name` on PATH (and the usual system folders), or null. */
export function findExecutable(name: string): string | null {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":").concat(["/usr/bin", "/bin", "/usr/sbin"])) {
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

function run(
  file: string,
  args: string[],
  timeoutMs: number,
  options: { env?: NodeJS.ProcessEnv; uid?: number; gid?: number; cwd?: string } = {},
): Promise<{ code: number | null; output: string }> {
  const { uid, gid, ...rest } = options;
  const ids = uid !== undefined ? { uid, gid } : {};
  return new Promise((resolve) => {
    execFile(
      file,
      args,
      { ...rest, ...ids, timeout: timeoutMs, killSignal: "SIGKILL", encoding: "utf8" },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : null) : 0;
        resolve({ code, output: `${stderr}${stdout}` || (error?.message ?? "") });
      },
    );
  });
}

/**
 * The V8 old-space limit for a worker. Half the memory limit: V8's real footprint runs well past
 * its old space (young generation, code, array backing stores), so at half the heap limit fires
 * first for runaway JS objects, with V8's own clear message.
 */
export function heapLimitMb(memoryMb: number): number {
  return Math.max(32, Math.floor(memoryMb / 2));
}
