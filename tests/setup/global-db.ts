// One throwaway embedded Postgres per test run: its own data folder in the system temp
// dir, migrated once, removed at the end. Tests get its URL through inject("databaseUrl").
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startEmbeddedPostgres } from "../../lib/db/embedded.ts";
import { migrate } from "../../lib/db/migrate.ts";

declare module "vitest" {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

export default async function setup(project: TestProject) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "studio-test-db-"));
  fs.chmodSync(scratch, 0o755);
  const server = await startEmbeddedPostgres(scratch);
  await migrate(server.url);
  project.provide("databaseUrl", server.url);
  return async () => {
    await server.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  };
}
