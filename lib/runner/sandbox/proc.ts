// The worker's processes, as Linux's /proc shows them: who they are, how much memory they hold,
// and how to end all of them. A worker's "family" is every descendant of the process the studio
// spawned, plus, when the worker has a uid of its own, every process of that uid (which catches
// children that escaped with setsid and were re-parented to init).
import fs from "node:fs";

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** Real uid, as seen from the studio's namespace. */
  uid: number;
  rssBytes: number;
  /** Exited, waiting for its parent to reap it: holds no memory and cannot be killed. */
  zombie: boolean;
  /** RLIMIT_NPROC counts these, not processes. */
  threads: number;
}

export function listProcesses(): ProcessInfo[] {
  let names: string[];
  try {
    names = fs.readdirSync("/proc");
  } catch {
    return []; // no procfs (not Linux): memory is then bounded by the V8 heap limit alone
  }
  const out: ProcessInfo[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    let status: string;
    try {
      status = fs.readFileSync(`/proc/${pid}/status`, "latin1");
    } catch {
      continue; // exited while we looked
    }
    out.push({
      pid,
      ppid: field(status, "PPid:"),
      uid: field(status, "Uid:"),
      rssBytes: field(status, "VmRSS:") * 1024, // kernel threads and zombies have none: 0
      zombie: /State:\s*[ZX]/.test(status),
      threads: field(status, "Threads:"),
    });
  }
  return out;
}

function field(status: string, name: string): number {
  const at = status.indexOf(name);
  if (at === -1) return 0;
  return Number.parseInt(status.slice(at + name.length).trimStart(), 10) || 0;
}

export function familyOf(processes: ProcessInfo[], rootPid: number, uid: number | null): ProcessInfo[] {
  const children = new Map<number, ProcessInfo[]>();
  for (const p of processes) {
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const family = new Map<number, ProcessInfo>();
  const root = processes.find((p) => p.pid === rootPid);
  const stack = root ? [root] : [];
  while (stack.length) {
    const p = stack.pop()!;
    if (family.has(p.pid)) continue;
    family.set(p.pid, p);
    stack.push(...(children.get(p.pid) ?? []));
  }
  if (uid !== null) for (const p of processes) if (p.uid === uid) family.set(p.pid, p);
  return [...family.values()];
}

/**
 * SIGKILLs the family until none is left. A fork loop may create new members while we kill, but
 * RLIMIT_NPROC bounds it, so a few rounds finish it. Resolves with the pids still alive (normally none).
 */
export async function killFamily(rootPid: number, uid: number | null, rounds = 50): Promise<number[]> {
  for (let round = 0; round < rounds; round++) {
    const alive = familyOf(listProcesses(), rootPid, uid).filter((p) => !p.zombie);
    if (!alive.length) return [];
    for (const p of alive) {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    await new Promise((resolve) => setTimeout(resolve, round < 5 ? 5 : 20));
  }
  return familyOf(listProcesses(), rootPid, uid)
    .filter((p) => !p.zombie)
    .map((p) => p.pid);
}

/** `pid` and its descendants, from /proc/<pid>/task/<tid>/children (falls back to a full scan). */
export function descendantsOf(rootPid: number): number[] {
  const found: number[] = [];
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    found.push(pid);
    let threads: string[];
    try {
      threads = fs.readdirSync(`/proc/${pid}/task`);
    } catch {
      continue; // exited
    }
    for (const tid of threads) {
      let children: string;
      try {
        children = fs.readFileSync(`/proc/${pid}/task/${tid}/children`, "latin1");
      } catch (error) {
        if (
          (error as NodeJS.ErrnoException).code === "ENOENT" &&
          tid === threads[0] &&
          !fs.existsSync(`/proc/${pid}/task/${tid}/children`)
        ) {
          return familyOf(listProcesses(), rootPid, null).map((p) => p.pid); // kernel without the children files
        }
        continue;
      }
      for (const child of children.split(" ")) if (child.trim()) stack.push(Number(child));
    }
  }
  return found;
}

function rssOf(pid: number): number {
  try {
    return field(fs.readFileSync(`/proc/${pid}/status`, "latin1"), "VmRSS:") * 1024;
  } catch {
    return 0;
  }
}

// ---------------------------------------------------------------------------------------------
// Memory watch: one /proc scan per tick serves every worker of this process.

interface Watch {
  rootPid: number;
  uid: number | null;
  limitBytes: number;
  onExceeded: (rssBytes: number) => void;
}

const watches = new Set<Watch>();
let ticker: NodeJS.Timeout | null = null;

/** Calls `onExceeded` (once) when the family's summed RSS passes the limit. Returns the stop function. */
export function watchMemory(
  rootPid: number,
  uid: number | null,
  limitBytes: number,
  intervalMs: number,
  onExceeded: (rssBytes: number) => void,
): () => void {
  const watch: Watch = { rootPid, uid, limitBytes, onExceeded };
  watches.add(watch);
  if (!ticker) {
    ticker = setInterval(scan, intervalMs);
    ticker.unref();
  }
  return () => {
    watches.delete(watch);
    if (!watches.size && ticker) {
      clearInterval(ticker);
      ticker = null;
    }
  };
}

function scan(): void {
  // Walking each worker's own tree reads a few files; a full /proc scan reads hundreds, ten
  // times a second. The full scan (with the uid sweep) is kept for killing, where it matters.
  for (const watch of [...watches]) {
    const rss = descendantsOf(watch.rootPid).reduce((sum, pid) => sum + rssOf(pid), 0);
    if (rss > watch.limitBytes) {
      watches.delete(watch);
      watch.onExceeded(rss);
    }
  }
}
