// Processes that start together on a new database (a studio and its workers) all create the job
// queues. pg-boss 10 can deadlock two of them doing so (CI saw a worker die of it at start);
// each process must still come up with every queue made once.
import { afterAll, describe, expect, it } from "vitest";
import PgBoss from "pg-boss";
import { ownDatabase } from "../helpers/own-database.ts";
import { createQueues, QUEUES } from "../../lib/jobs/queue.ts";

const PROCESSES = 8;
const started: PgBoss[] = [];

afterAll(async () => {
  await Promise.all(started.map((boss) => boss.stop({ graceful: false, wait: true })));
});

describe("creating the job queues", () => {
  it("comes through for eight processes starting at once on a new database, each queue made once", async () => {
    const url = await ownDatabase("queues");
    for (let round = 0; round < 3; round++) {
      // A schema of its own each round, so every round races on a database with no queues.
      const schema = `pgboss_race_${round}`;
      const bosses = Array.from(
        { length: PROCESSES },
        () => new PgBoss({ connectionString: url, schema, max: 2, supervise: false, schedule: false }),
      );
      started.push(...bosses);
      for (const boss of bosses) boss.on("error", () => {});
      await Promise.all(bosses.map((boss) => boss.start()));
      const outcomes = await Promise.allSettled(bosses.map((boss) => createQueues(boss)));
      expect(outcomes.filter((outcome) => outcome.status === "rejected")).toEqual([]);
      const queues = await bosses[0].getQueues();
      expect(queues.map((queue) => queue.name).sort()).toEqual(Object.values(QUEUES).sort());
    }
  });
});
