// A lease on a piece of long work (an evaluation, an optimization): the row names the worker
// that holds it, the claim (leaseId, new for every claim) and when that claim last beat. A run
// left by a dead worker is taken over instead of waited for; one held by a live claim is refused,
// even when that claim is this very process's (a queue retry of a job still running here).
// Both kinds of work share this, so taking over, beating and cancelling mean the same for each.
import { randomUUID } from "node:crypto";
import { db, Prisma } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { HEARTBEAT_MS, workerGone, workerId } from "./ownership.ts";

/** The tables whose rows are leased; each has status, workerId, leaseId, heartbeatAt, startedAt, cancelRequested. */
export type LeasedWork = "evaluation" | "optimization";

const TABLES: Record<LeasedWork, Prisma.Sql> = {
  evaluation: Prisma.raw(`"Evaluation"`),
  optimization: Prisma.raw(`"Optimization"`),
};

const LABELS: Record<LeasedWork, string> = { evaluation: "Evaluation", optimization: "Optimization" };

/** What a claim read of the row before taking it. */
export interface LeaseHolder {
  workerId: string | null;
  leaseId: string | null;
  heartbeatAt: Date | null;
}

/** The claims this process holds now (their heartbeat runs). */
const held = new Set<string>();

/** Whether the row's holder is still at work: another live worker, or a claim this process still holds. */
export function claimLive(holder: LeaseHolder): boolean {
  if (holder.workerId === workerId) return holder.leaseId !== null && held.has(holder.leaseId);
  return !workerGone(holder.workerId, holder.heartbeatAt);
}

/**
 * Takes the lease of a row whose holder was read as `seen`: refused while a live claim holds
 * it. Conditional on what was read, so two claims at once (two processes, or a job and its
 * retry in one process) cannot both win. The row becomes `running` under a new leaseId,
 * started now unless it had started before. Returns the new claim's leaseId.
 */
export async function takeLease(work: LeasedWork, id: string, seen: LeaseHolder): Promise<string> {
  if (claimLive(seen)) {
    throw new StudioError(`${LABELS[work]} ${id} is being run by ${seen.workerId}.`, { code: "conflict" });
  }
  const leaseId = randomUUID();
  const taken = await db.$executeRaw`
    update ${TABLES[work]} set status = 'running', "workerId" = ${workerId}, "leaseId" = ${leaseId},
      "heartbeatAt" = now(), "startedAt" = coalesce("startedAt", now())
    where id = ${id}
      and "leaseId" is not distinct from ${seen.leaseId}
      and "heartbeatAt" is not distinct from ${seen.heartbeatAt}`;
  if (taken === 0) throw new StudioError(`${LABELS[work]} ${id} was taken by another claim.`, { code: "conflict" });
  held.add(leaseId);
  return leaseId;
}

/**
 * A write conditional on the claim (`where: { id, leaseId }`) that found no row: the claim was
 * lost. Turned into words; any other error passes through.
 */
export function claimLost(work: LeasedWork, id: string): (error: unknown) => never {
  return (error) => {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2025")
      throw new StudioError(`${LABELS[work]} ${id} was taken over by another worker; this run stopped.`, {
        code: "conflict",
      });
    throw error;
  };
}

/**
 * Beats for the claim every HEARTBEAT_MS until released, and calls `onStop` once when a person
 * asks the work to stop (the row's cancelRequested) or the claim was lost (another worker took
 * the row over after this one went silent too long). A beat that fails (the database is briefly
 * away) is skipped: the next one tries again, well before the lease looks stale.
 */
export function holdLease(
  work: LeasedWork,
  id: string,
  leaseId: string,
  onStop: (why: "cancelled" | "lost") => void,
): { release(): void } {
  let stopped = false;
  const stop = (why: "cancelled" | "lost") => {
    if (stopped) return;
    stopped = true;
    onStop(why);
  };
  const timer = setInterval(async () => {
    const rows = await db.$queryRaw<{ cancelRequested: boolean }[]>`
        update ${TABLES[work]} set "heartbeatAt" = now() where id = ${id} and "leaseId" = ${leaseId}
        returning "cancelRequested"`.catch(() => null);
    if (rows === null) return;
    if (rows.length === 0) stop("lost");
    else if (rows[0].cancelRequested) stop("cancelled");
  }, HEARTBEAT_MS);
  return {
    release: () => {
      clearInterval(timer);
      held.delete(leaseId);
    },
  };
}
