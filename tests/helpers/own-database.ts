// A database of its own in the test run's Postgres, migrated, for a test file that runs a job
// worker: workers share a queue through their database, so a worker started by another test
// file on the common database could take this file's jobs (and this one theirs).
import { randomBytes } from "node:crypto";
import pg from "pg";
import { inject } from "vitest";
import { migrate } from "../../lib/db/migrate.ts";

export async function ownDatabase(prefix: string): Promise<string> {
  const common = new URL(inject("databaseUrl"));
  const name = `${prefix}_${randomBytes(4).toString("hex")}`;
  const client = new pg.Client({ connectionString: common.toString() });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(common);
  url.pathname = `/${name}`;
  await migrate(url.toString());
  return url.toString();
}
