// A lease on a piece of long work (an evaluation, an optimization): the row names the worker
// that holds it and when that worker last beat. A run left by a dead worker is taken over
// instead of waited for; one held by another live worker is refused. Both kinds of work share this, so
// taking over, beating and cancelling mean the same thing for each.
import { db, Prisma } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { HEARTBEAT_MS, workerGone, workerId } from "./ownership.ts";

/** The tables whose rows are leased; each has status, workerId, heartbeatAt, startedAt, cancelRequested. */
export type LeasedWork = "evaluation" | "optimization";

const TABLES: Record<LeasedWork, Prisma.Sql> = {
  evaluation: Prisma.raw(`"Evaluation"`),
  optimization: Prisma.raw(`"Optimization"`),
};

const LABELS: Record<LeasedWork, string> = { evaluation: "Evaluation", optimization: "Optimization" };

/** What a claim read of the row before taking it. */
export interface LeaseHolder {
  workerId: string | null;
  heartbeatAt: Date | null;
}

/**
 * Takes the lease of a row whose holder was read as `seen`: refused while another live worker
 * holds it. Conditional on what was read, so two processes claiming at once cannot both win.
 * The row becomes `running`, held by this process, started now unless it had started before.
 */
export async function takeLease(work: LeasedWork, id: string, seen: LeaseHolder): Promise<void> {
  if (!workerGone(seen.workerId, seen.heartbeatAt) && seen.workerId !== workerId) {
    throw new StudioError(`${LABELS[work]} ${id} is being run by ${seen.workerId}.`);
  }
  const taken = await db.$executeRaw`
    update ${TABLES[work]} set status = 'running', "workerId" = ${workerId}, "heartbeatAt" = now(),
      "startedAt" = coalesce("startedAt", now())
    where id = ${id}
      and "workerId" is not distinct from ${seen.workerId}
      and "heartbeatAt" is not distinct from ${seen.heartbeatAt}`;
  if (taken === 0) throw new StudioError(`${LABELS[work]} ${id} was taken by another worker.`);
}

/**
 * Beats for a held row every HEARTBEAT_MS until released, and calls `onCancel` once when a
 * person asks the work to stop (the row's cancelRequested). A beat that fails (the database
 * is briefly away) is skipped: the next one tries again, well before the lease looks stale.
 */
export function holdLease(work: LeasedWork, id: string, onCancel: () => void): { release(): void } {
  let cancelled = false;
  const timer = setInterval(async () => {
    const rows = await db.$queryRaw<{ cancelRequested: boolean }[]>`
        update ${TABLES[work]} set "heartbeatAt" = now() where id = ${id} returning "cancelRequested"`.catch(() => []);
    if (rows[0]?.cancelRequested && !cancelled) {
      cancelled = true;
      onCancel();
    }
  }, HEARTBEAT_MS);
  return { release: () => clearInterval(timer) };
}
