// Who is running a piece of long work (an evaluation, an optimization): the worker's id and
// a heartbeat, so a run left behind by a dead process is taken over instead of waited for.
import os from "node:os";

export const HEARTBEAT_MS = 5_000;
/** Work whose worker has not beaten for this long is taken over by the next run. */
export const STALE_AFTER_MS = 30_000;
/** This process, as it signs the work it holds. */
export const workerId = `${os.hostname()}:${process.pid}`;

/** No worker, a worker on this machine whose process is gone, or one silent for too long. */
export function workerGone(owner: string | null, heartbeatAt: Date | null): boolean {
  if (!owner || !heartbeatAt) return true;
  if (Date.now() - heartbeatAt.getTime() > STALE_AFTER_MS) return true;
  const [host, pid] = owner.split(":");
  if (host !== os.hostname() || Number(pid) === process.pid) return false;
  try {
    process.kill(Number(pid), 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ESRCH";
  }
}
