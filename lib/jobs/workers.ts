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
  // Who runs task runs of which running evaluation (through the running evaluations: few rows).
  const runners = await db.$queryRaw<{ evaluationId: string; workerId: string }[]>`
    select distinct t."evaluationId", t."workerId"
    from "Evaluation" as e join "TaskRun" as t on t."evaluationId" = e.id
    where e.status = 'running' and t.status = 'pending' and t."workerId" = any(${ids})`;
  const [evaluations, optimizations] = await Promise.all([
    db.evaluation.findMany({
      where: { status: "running", OR: [{ workerId: { in: ids } }, { id: { in: runners.map((r) => r.evaluationId) } }] },
      select: {
        id: true,
        workerId: true,
        split: true,
        candidate: { select: { number: true, project: { select: { id: true, name: true } } } },
      },
    }),
    db.optimization.findMany({
      where: { status: "running", workerId: { in: ids } },
      select: {
        id: true,
        workerId: true,
        iterationsDone: true,
        iterationsRequested: true,
        project: { select: { id: true, name: true } },
      },
    }),
  ]);
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
    work: [
      ...optimizations
        .filter((work) => work.workerId === row.id)
        .map((work) => ({
          kind: "optimization" as const,
          id: work.id,
          projectId: work.project.id,
          projectName: work.project.name,
          what: `${work.iterationsDone} of ${work.iterationsRequested} iteration${work.iterationsRequested === 1 ? "" : "s"} done`,
        })),
      ...evaluations
        .filter(
          (work) =>
            work.workerId === row.id ||
            runners.some((runner) => runner.evaluationId === work.id && runner.workerId === row.id),
        )
        .map((work) => ({
          kind: "evaluation" as const,
          id: work.id,
          projectId: work.candidate.project.id,
          projectName: work.candidate.project.name,
          // The worker that holds an evaluation may run its task runs too; one that only runs them says so.
          what: `${work.workerId === row.id ? "" : "task runs of "}#${work.candidate.number} on ${work.split}`,
        })),
    ],
  }));
}
