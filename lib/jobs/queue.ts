// The durable job queue: pg-boss in the studio's own Postgres (schema `pgboss`), so jobs
// survive restarts and workers on any machine pointed at the same database share them.
// A button or a CLI command only enqueues; a job worker does the work.
import PgBoss from "pg-boss";

export const QUEUES = {
  /** Run an evaluation: { evaluationId }. */
  evaluate: "evaluate",
  /** Run an optimization (N iterations): { optimizationId }. */
  optimize: "optimize",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/** A job whose worker died is retried after this long (the work itself resumes where it stopped). */
const EXPIRE_SECONDS = 6 * 60 * 60;

let boss: Promise<PgBoss> | undefined;

/** The process's queue connection, started (and its schema installed) on first use. */
export function jobQueue(): Promise<PgBoss> {
  boss ??= (async () => {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set");
    const instance = new PgBoss({
      connectionString: url,
      schema: "pgboss",
      max: 4,
      application_name: "harness-studio",
    });
    instance.on("error", (error) => console.error(`[jobs] ${error.message}`));
    await instance.start();
    for (const name of Object.values(QUEUES)) {
      await instance.createQueue(name, { name, retryLimit: 3, retryDelay: 5, expireInSeconds: EXPIRE_SECONDS });
    }
    return instance;
  })();
  return boss;
}

/** Enqueues a job; `key` makes it a singleton (a second send with the same key is dropped). */
export async function enqueue(name: QueueName, data: Record<string, string>, key?: string): Promise<string | null> {
  const queue = await jobQueue();
  return queue.send(name, data, key ? { singletonKey: key } : {});
}

export async function stopQueue(): Promise<void> {
  const current = boss;
  boss = undefined;
  if (current) await (await current).stop({ graceful: false, close: true, timeout: 5_000 });
}
