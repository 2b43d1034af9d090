// Unprivileged uids for sandbox workers, one per live worker, when the studio runs as root.
// A uid of its own means the harness cannot signal the studio or other workers, cannot read
// root-only files, has its own RLIMIT_NPROC count (the kernel counts processes per uid), and that
// "every process of this uid" is exactly the worker's processes, so nothing escapes the final kill.
// Several studio processes (and test files) share a machine, so a uid is claimed with a lock
// file holding the claimant's pid; claims of dead processes are taken over.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { killFamily, listProcesses } from "./proc.ts";

// Above systemd's container range (524288–1879048191) and below 2^31 (some tools treat uid_t as
// signed); /etc/passwd, /etc/subuid and live processes are also checked before a uid is used.
export const UID_POOL_START = 1_900_000_000;
const UID_POOL_SIZE = 4096;

export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

function lockDir(): string {
  const dir = path.join(os.tmpdir(), "harness-studio-uids");
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(dir);
  // In a shared /tmp someone else could have made this folder to steer our claims.
  if (!stat.isDirectory() || stat.uid !== process.getuid?.())
    throw new Error(`${dir} is not a folder owned by the studio's user`);
  return dir;
}

let claims = 0;

/** Claims a free uid (also used as gid). Only meaningful as root. */
export async function claimUid(): Promise<number> {
  const dir = lockDir();
  const reserved = reservedIds();
  const processes = listProcesses();
  // Successive claims move on through the pool, so a worker never inherits the uid its
  // predecessor's dying processes (or unreaped zombies, which still count for RLIMIT_NPROC) hold.
  const base = process.pid * 7 + claims++ * 13;
  for (let i = 0; i < UID_POOL_SIZE; i++) {
    const uid = UID_POOL_START + ((base + i) % UID_POOL_SIZE);
    if (reserved(uid)) continue;
    const holders = processes.filter((p) => p.uid === uid);
    if (holders.some((p) => p.zombie)) continue;
    const lock = takeLock(path.join(dir, String(uid)));
    if (!lock) continue;
    if (holders.length) {
      // Processes without a live claimant: left behind by a studio that died. Clear them out.
      if (lock === "stale") await killFamily(-1, uid);
      else {
        releaseUid(uid);
        continue;
      }
    }
    return uid;
  }
  throw new Error(`no free sandbox uid in ${UID_POOL_START}..${UID_POOL_START + UID_POOL_SIZE - 1}`);
}

export function releaseUid(uid: number): void {
  try {
    fs.unlinkSync(path.join(lockDir(), String(uid)));
  } catch {
    // already released
  }
}

/** "fresh": nobody held it; "stale": its holder is gone; null: held. */
function takeLock(file: string): "fresh" | "stale" | null {
  try {
    fs.writeFileSync(file, String(process.pid), { flag: "wx" });
    return "fresh";
  } catch {
    // held: take it over only if its holder is gone
  }
  try {
    const holder = Number(fs.readFileSync(file, "utf8"));
    if (holder === process.pid || (holder && processExists(holder))) return null;
    fs.unlinkSync(file);
    fs.writeFileSync(file, String(process.pid), { flag: "wx" });
    return "stale";
  } catch {
    return null; // lost a race with another claimant
  }
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** uids named in /etc/passwd or delegated in /etc/subuid or /etc/subgid belong to someone else. */
function reservedIds(): (id: number) => boolean {
  const singles = new Set<number>();
  const ranges: [number, number][] = [];
  for (const file of ["/etc/passwd", "/etc/group"]) {
    for (const line of readLines(file)) singles.add(Number(line.split(":")[2]));
  }
  for (const file of ["/etc/subuid", "/etc/subgid"]) {
    for (const line of readLines(file)) {
      const [, start, count] = line.split(":").map(Number);
      if (Number.isFinite(start) && Number.isFinite(count)) ranges.push([start, start + count]);
    }
  }
  return (id) => singles.has(id) || ranges.some(([start, end]) => id >= start && id < end);
}

function readLines(file: string): string[] {
  try {
    return fs
      .readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => line && !line.startsWith("#"));
  } catch {
    return [];
  }
}
