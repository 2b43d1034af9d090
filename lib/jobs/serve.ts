// Takes jobs from one queue, up to `concurrency` at once, and runs each to its end. Not pg-boss's
// `work()`: that one races each handler against the job's expiry and, when the expiry wins, fails
// the job and fetches its retry while the first handler still runs (the same run twice in one
// process). Here a job is kept alive while its handler runs, so it expires only when its worker
// is gone.
import type PgBoss from "pg-boss";
import { HEARTBEAT_MS } from "./ownership.ts";
import { jobExpireSeconds, jobQueue, keepJobAlive, type QueueName } from "./queue.ts";

const POLL_MS = 1_000;

export interface JobLoop {
  /** Stops taking jobs. A job running goes on until the process ends (its work resumes elsewhere). */
  stop(): void;
}

export async function serveQueue<T extends object>(
  name: QueueName,
  handler: (job: PgBoss.Job<T>) => Promise<void>,
  onError: (message: string) => void,
  options: { concurrency: number } = { concurrency: 1 },
): Promise<JobLoop> {
  const queue = await jobQueue();
  let stopping = false;
  let wake: (() => void) | null = null;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  // Beats well inside the expiry, however short it is set.
  const beatMs = Math.min(HEARTBEAT_MS, (jobExpireSeconds() * 1000) / 3);

  const runOne = async (job: PgBoss.Job<T>) => {
    const beat = setInterval(
      () => void keepJobAlive(name, job.id).catch((error) => onError(`keeping job ${job.id} alive: ${error.message}`)),
      beatMs,
    );
    try {
      await handler(job);
      await queue.complete(name, job.id);
    } catch (error) {
      await queue.fail(name, job.id, { message: error instanceof Error ? error.message : String(error) });
    } finally {
      clearInterval(beat);
    }
  };

  let running = 0;
  void (async () => {
    while (!stopping) {
      try {
        if (running >= options.concurrency) {
          await pause(POLL_MS); // a job that ends wakes it
          continue;
        }
        const [job] = await queue.fetch<T>(name, { batchSize: 1 });
        if (!job) {
          await pause(POLL_MS);
          continue;
        }
        running++;
        void runOne(job)
          .catch((error: Error) => onError(`${name} job ${job.id}: ${error.message}`))
          .finally(() => {
            running--;
            (wake as (() => void) | null)?.();
          });
      } catch (error) {
        if (stopping) break;
        onError(`${name} queue: ${error instanceof Error ? error.message : String(error)}`);
        await pause(POLL_MS);
      }
    }
  })();

  return {
    stop: () => {
      stopping = true;
      (wake as (() => void) | null)?.();
    },
  };
}
