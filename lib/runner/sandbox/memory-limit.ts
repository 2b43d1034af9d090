// The kernel's part of a worker's memory limit. The RSS poll (proc.ts) measures the whole tree
// every 100 ms, but a fast native allocation can pass the limit between two polls; a kernel
// limit stops it at the allocation. Strongest first:
// - "cgroup": a cgroup v2 child group per worker with memory.max: covers the whole tree, and the
//   kernel kills the group at the limit. Needs a unified hierarchy and a cgroup the studio may
//   split (its own cgroup must already delegate the memory controller, or be the root).
// - "rlimit": RLIMIT_DATA per process (prlimit --data), sized for V8's reservations: an
//   allocation past it fails at once (a RangeError in JavaScript). Each process of the tree gets
//   its own, so the poll still watches the sum.
// - "poll": the RSS poll alone.
// STUDIO_MEMORY_LIMIT=cgroup|rlimit|poll asks for one (a weaker one when it is not available).
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";

export type MemoryLimitKind = "cgroup" | "rlimit" | "poll";

export interface MemoryLimitProbe {
  kind: MemoryLimitKind;
  /** Why a stronger limit is not used, in words; absent for cgroup. */
  reason?: string;
  /** The cgroup under which each worker gets its own group (kind cgroup only). */
  cgroupParent?: string;
}

const CGROUP_ROOT = "/sys/fs/cgroup";
/** RLIMIT_DATA counts thread stacks and V8's committed reservations (~80 MiB for an idle Node). */
const RLIMIT_HEADROOM_MB = 128;

let probed: Promise<MemoryLimitProbe> | null = null;

/** Which kernel limit workers get on this machine. Probed once per process. */
export function probeMemoryLimit(): Promise<MemoryLimitProbe> {
  return (probed ??= probe(process.env.STUDIO_MEMORY_LIMIT));
}

async function probe(asked: string | undefined): Promise<MemoryLimitProbe> {
  if (asked === "poll") return { kind: "poll", reason: "STUDIO_MEMORY_LIMIT=poll asks for the RSS poll alone" };
  if (process.platform !== "linux")
    return { kind: "poll", reason: `kernel memory limits need Linux; this is ${process.platform}` };
  const cgroup =
    asked === "rlimit" ? { reason: "STUDIO_MEMORY_LIMIT=rlimit asks for RLIMIT_DATA" } : await probeCgroup();
  if ("cgroupParent" in cgroup) return { kind: "cgroup", cgroupParent: cgroup.cgroupParent };
  return { kind: "rlimit", reason: cgroup.reason };
}

async function probeCgroup(): Promise<{ cgroupParent: string } | { reason: string }> {
  const controllers = readText(path.join(CGROUP_ROOT, "cgroup.controllers"));
  if (controllers === null) return { reason: "no cgroup v2 (unified) hierarchy at /sys/fs/cgroup" };
  if (!controllers.split(/\s+/).includes("memory")) return { reason: "cgroup v2 has no memory controller here" };
  const own = (readText("/proc/self/cgroup") ?? "").match(/^0::(\/.*)$/m)?.[1];
  if (!own) return { reason: "the studio's own cgroup v2 path is unknown" };
  const parent = path.join(CGROUP_ROOT, own);
  // A cgroup with processes in it cannot hand controllers to children (except the root), so the
  // memory controller must already be delegated, or the studio sits in the root of a namespace.
  const delegated = (readText(path.join(parent, "cgroup.subtree_control")) ?? "").split(/\s+/).includes("memory");
  if (!delegated) {
    try {
      fs.writeFileSync(path.join(parent, "cgroup.subtree_control"), "+memory");
    } catch (error) {
      return {
        reason:
          `the studio's cgroup ${own} does not delegate the memory controller ` +
          `(${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); ` +
          "run it in a delegated cgroup, e.g. systemd-run --user --scope -p Delegate=yes",
      };
    }
  }
  try {
    await WorkerCgroup.create(parent, 64).remove();
  } catch (error) {
    return { reason: `a worker cgroup cannot be made under ${own}: ${(error as Error).message}` };
  }
  return { cgroupParent: parent };
}

/** The RLIMIT_DATA a worker of this memory limit gets, in bytes. */
export function rlimitDataBytes(memoryMb: number): number {
  return (memoryMb + RLIMIT_HEADROOM_MB) * 1024 * 1024;
}

/** One worker's cgroup: made before the worker starts, joined right after spawn, removed at its exit. */
export class WorkerCgroup {
  private constructor(readonly dir: string) {}

  static create(parent: string, memoryMb: number): WorkerCgroup {
    const dir = path.join(parent, `studio-worker-${randomBytes(6).toString("hex")}`);
    fs.mkdirSync(dir);
    const group = new WorkerCgroup(dir);
    try {
      fs.writeFileSync(path.join(dir, "memory.max"), String(memoryMb * 1024 * 1024));
      writeIfPresent(path.join(dir, "memory.swap.max"), "0"); // swap would let it pass the limit slowly
      writeIfPresent(path.join(dir, "memory.oom.group"), "1"); // the whole tree dies together
    } catch (error) {
      fs.rmdirSync(dir);
      throw error;
    }
    return group;
  }

  /** Moves a process (and so everything it starts later) into the group. */
  join(pid: number): void {
    fs.writeFileSync(path.join(this.dir, "cgroup.procs"), String(pid));
  }

  /** Whether the kernel killed a process of this group at its limit. */
  oomKilled(): boolean {
    const events = readText(path.join(this.dir, "memory.events")) ?? "";
    return Number(events.match(/^oom_kill (\d+)$/m)?.[1] ?? 0) > 0;
  }

  /** The group can go once its processes have exited; a straggler keeps it a moment longer. */
  async remove(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await fs.promises.rmdir(this.dir);
        return;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return;
        if (code !== "EBUSY" || attempt === 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  }
}

function readText(file: string): string | null {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return null;
  }
}

function writeIfPresent(file: string, value: string): void {
  if (fs.existsSync(file)) fs.writeFileSync(file, value);
}
