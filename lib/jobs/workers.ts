// The job workers that are up, in the database every worker shares: each one writes its row
// (host, slots, slots in use) and beats it; a row whose beat stopped is a gone worker. What a
// worker runs is read from the work it signs (Evaluation.workerId, Optimization.workerId, and
// TaskRun.workerId for the task runs it took of evaluations spread over the queue).
import os from "node:os";
import { db } from "../db/client.ts";
import { slotCount, slotsInUse } from "../runner/slots.ts";
import { HEARTBEAT_MS, STALE_AFTER_MS, workerId } from "./ownership.ts";

/** Rows of workers silent this long are deleted when a worker starts: gone for good. */
const FORGET_AFTER_MS = 24 * 60 * 60 * 1000;

export interface WorkerRegistration {
  /** Deletes this worker's row: it is stopping. */
  stop(): Promise<void>;
}

/** Writes this worker's row and beats it every HEARTBEAT_MS until stopped. */
export async function registerWorker(log: (line: string) => void): Promise<WorkerRegistration> {
  const slots = slotCount();
  if (slots == null) throw new Error("A job worker needs a slot count (setSlotCount) before it registers.");
  await db.jobWorker.deleteMany({ where: { heartbeatAt: { lt: new Date(Date.now() - FORGET_AFTER_MS) } } });
  await db.jobWorker.upsert({
    where: { id: workerId },
    create: { id: workerId, host: os.hostname(), pid: process.pid, slots, busy: 0 },
    update: { slots, busy: 0, startedAt: new Date(), heartbeatAt: new Date() },
  });
  const beat = setInterval(() => {
    db.jobWorker
      .update({ where: { id: workerId }, data: { busy: slotsInUse(), heartbeatAt: new Date() } })
      .catch((error: Error) => log(`worker heartbeat: ${error.message}`));
  }, HEARTBEAT_MS);
  beat.unref();
  return {
    stop: async () => {
      clearInterval(beat);
      await db.jobWorker.deleteMany({ where: { id: workerId } }).catch(() => {});
    },
  };
}

export interface WorkView {
  kind: "evaluation" | "optimization";
  id: string;
  projectId: string;
  projectName: string;
  /** "#4 on search", "1 of 3 iterations done", "task runs of #4 on search" */
  what: string;
}

export interface LiveWorker {
  id: string;
  host: string;
  pid: number;
  slots: number;
  busy: number;
  startedAt: string;
  heartbeatAt: string;
  /** Seconds since the last heartbeat (the workers' clocks are taken to agree, as leases do). */
  silentSeconds: number;
  work: WorkView[];
}

/** The workers whose heartbeat is fresh, longest-running first, each with the work it holds. */
export async function liveWorkers(): Promise<LiveWorker[]> {
  const since = new Date(Date.now() - STALE_AFTER_MS);
  const rows = await db.jobWorker.findMany({ where: { heartbeatAt: { gte: since } }, orderBy: { startedAt: "asc" } });
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  // The work each holds, in one query: the optimizations and evaluations it signs, and the
  // running evaluations it runs task runs of (found through the running evaluations: few rows).
  const work = await db.$queryRaw<
    {
      kind: "evaluation" | "optimization";
      id: string;
      worker_id: string;
      holds: boolean;
      split: string | null;
      number: number | null;
      done: number | null;
      requested: number | null;
      project_id: string;
      project_name: string;
    }[]
  >`
    select 'optimization' as kind, o.id, o."workerId" as worker_id, true as holds, null as split, null::int as number,
      o."iterationsDone" as done, o."iterationsRequested" as requested, p.id as project_id, p.name as project_name
    from "Optimization" o join "Project" p on p.id = o."projectId"
    where o.status = 'running' and o."workerId" = any(${ids})
    union all
    select 'evaluation', e.id, w.worker_id, w.worker_id = e."workerId", e.split::text, c.number, null, null, p.id, p.name
    from "Evaluation" e join "Candidate" c on c.id = e."candidateId" join "Project" p on p.id = c."projectId"
      join lateral (
        select e."workerId" as worker_id where e."workerId" = any(${ids})
        union
        select distinct t."workerId" from "TaskRun" t where t."evaluationId" = e.id and t.status = 'pending' and t."workerId" = any(${ids})
      ) w on true
    where e.status = 'running'`;
  const now = Date.now();
  return rows.map((row) => ({
    id: row.id,
    host: row.host,
    pid: row.pid,
    slots: row.slots,
    busy: row.busy,
    startedAt: row.startedAt.toISOString(),
    heartbeatAt: row.heartbeatAt.toISOString(),
    silentSeconds: Math.max(0, Math.round((now - row.heartbeatAt.getTime()) / 1000)),
    work: work
      .filter((item) => item.worker_id === row.id)
      .sort((a, b) => (a.kind === b.kind ? 0 : a.kind === "optimization" ? -1 : 1))
      .map((item) => ({
        kind: item.kind,
        id: item.id,
        projectId: item.project_id,
        projectName: item.project_name,
        what:
          item.kind === "optimization"
            ? `${item.done} of ${item.requested} iteration${item.requested === 1 ? "" : "s"} done`
            : // The worker that holds an evaluation may run its task runs too; one that only runs them says so.
              `${item.holds ? "" : "task runs of "}#${item.number} on ${item.split}`,
      })),
  }));
}
