// DATABASE_URL takes the same path as the embedded default: check, migrate, serve.
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, expect, inject, it } from "vitest";
import { postgresProcessesFor, startStudio, tempDataDir, type RunningStudio } from "../helpers/studio.ts";

let studio: RunningStudio | undefined;
afterAll(async () => {
  await studio?.stop();
});

it("uses the server DATABASE_URL names, migrating a fresh database, and starts no Postgres of its own, in a data folder it makes", async () => {
  const adminUrl = inject("databaseUrl");
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const name = `studio_url_${Date.now()}`;
  await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;

  // With DATABASE_URL and STUDIO_TOKEN nothing else makes the data folder: the studio must, for its server file.
  const dataDir = path.join(tempDataDir(), "not-made-yet");
  const token = "a-token-of-the-operators-own-choosing";
  studio = await startStudio({ dataDir, env: { DATABASE_URL: url.toString(), STUDIO_TOKEN: token } });
  expect(JSON.parse(fs.readFileSync(path.join(dataDir, "studio-server.json"), "utf8"))).toMatchObject({
    url: studio.url,
    secret: "STUDIO_TOKEN",
  });
  expect(studio.output()).toContain("(DATABASE_URL)");
  expect(studio.output()).not.toContain(url.password);
  expect((await fetch(`${studio.url}/projects`, { headers: studio.authHeaders() })).status).toBe(200);
  expect(postgresProcessesFor(dataDir)).toEqual([]);

  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  const { rows } = await client.query(`select migration_name from "_prisma_migrations" where finished_at is not null`);
  expect(rows.length).toBeGreaterThan(0);
  await client.end();

  expect(await studio.stop()).toBe(0);
  await admin.query(`drop database ${name} with (force)`);
  await admin.end();
});
