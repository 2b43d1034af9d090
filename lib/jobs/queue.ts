// The durable job queue: pg-boss in the studio's own Postgres (schema `pgboss`), so jobs
// survive restarts and workers on any machine pointed at the same database share them.
// A button or a CLI command only enqueues; a job worker does the work.
import { randomUUID } from "node:crypto";
import PgBoss from "pg-boss";

export const QUEUES = {
  /** Run an evaluation: { evaluationId }. */
  evaluate: "evaluate",
  /** Run an optimization (N iterations): { optimizationId }. */
  optimize: "optimize",
  /** Run one task run of an evaluation spread over the workers (lib/evaluations/spread.ts): { evaluationId, taskRunId }. */
  taskRun: "task-run",
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * A job whose worker died is retried after this long (the work itself resumes where it stopped).
 * A job whose worker lives never expires: the worker keeps it alive while it runs (keepJobAlive).
 * STUDIO_JOB_EXPIRE_SECONDS shortens it (tests); pg-boss 10 allows at most 24 hours.
 */
export function jobExpireSeconds(): number {
  const set = Number(process.env.STUDIO_JOB_EXPIRE_SECONDS);
  return Number.isInteger(set) && set >= 1 ? Math.min(set, 23 * 60 * 60) : 6 * 60 * 60;
}

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
      // Expired jobs are found by this sweep: several times per expiry, so a dead worker's job comes back soon.
      maintenanceIntervalSeconds: Math.max(1, Math.min(120, Math.floor(jobExpireSeconds() / 4))),
    });
    instance.on("error", (error) => console.error(`[jobs] ${error.message}`));
    await instance.start();
    await createQueues(instance);
    return instance;
  })();
  return boss;
}

/**
 * Creates the queues this database lacks. Processes that start together on a new database (a
 * studio and its workers) race here, and pg-boss 10's create_queue attaches a partition to the
 * job table, so two of them can deadlock (supabase/storage#703). Postgres ends one of the two;
 * it tries again and finds the queue made (create_queue skips a queue that exists).
 */
export async function createQueues(instance: PgBoss): Promise<void> {
  const made = new Set((await instance.getQueues()).map((queue) => queue.name));
  for (const name of Object.values(QUEUES)) {
    if (made.has(name)) continue;
    for (let attempt = 1; ; attempt++) {
      try {
        await instance.createQueue(name, { name, retryLimit: 3, retryDelay: 5, expireInSeconds: jobExpireSeconds() });
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== DEADLOCK || attempt === 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 100 * attempt));
      }
    }
  }
}

/** Postgres's SQLSTATE for a transaction it ended to break a deadlock. */
const DEADLOCK = "40P01";

/** Enqueues many jobs of one queue in one statement; answers their ids, in order. */
export async function enqueueMany(name: QueueName, data: Record<string, string>[]): Promise<string[]> {
  if (data.length === 0) return [];
  const queue = await jobQueue();
  const ids = data.map(() => randomUUID());
  await queue.insert(data.map((item, i) => ({ id: ids[i], name, data: item, expireInSeconds: jobExpireSeconds() })));
  return ids;
}

/**
 * Of these jobs, the ones still on their way to a handler: waiting to be taken, or taken less
 * than `takenWithinMs` ago. A job taken longer ago than that, ended, or gone is not.
 */
export async function jobsOnTheirWay(name: QueueName, ids: string[], takenWithinMs: number): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const queue = await jobQueue();
  const { rows } = await queue.getDb().executeSql(
    `select id from pgboss.job where name = $1 and id = any($2::uuid[])
       and (state in ('created', 'retry') or (state = 'active' and started_on > now() - make_interval(secs => $3)))`,
    [name, ids, takenWithinMs / 1000],
  );
  return new Set(rows.map((row: { id: string }) => row.id));
}

/** Enqueues a job; `key` makes it a singleton (a second send with the same key is dropped). */
export async function enqueue(name: QueueName, data: Record<string, string>, key?: string): Promise<string | null> {
  const queue = await jobQueue();
  return queue.send(name, data, { expireInSeconds: jobExpireSeconds(), ...(key ? { singletonKey: key } : {}) });
}

/**
 * Moves a running job's expiry to a full period from now. pg-boss 10 has no API for this (its
 * expiry is a fixed time from the start, like SQS's visibility timeout; timgit/pg-boss#579), so
 * this updates its job row: the job's expire_in grows, its start time stays true. Only an active
 * job is touched; false when the job is no longer active (it expired, or was completed).
 */
export async function keepJobAlive(name: QueueName, id: string): Promise<boolean> {
  const queue = await jobQueue();
  const { rows } = await queue.getDb().executeSql(
    `update pgboss.job set expire_in = (now() - started_on) + make_interval(secs => $3)
       where name = $1 and id = $2 and state = 'active' returning id`,
    [name, id, jobExpireSeconds()],
  );
  return rows.length > 0;
}

export async function stopQueue(): Promise<void> {
  const current = boss;
  boss = undefined;
  if (current) await (await current).stop({ graceful: false, close: true, timeout: 5_000 });
}
