// Runs `prisma generate` at install. Prisma's CLI wants a schema-engine binary it would
// download; generating a client never runs it, so any existing file satisfies the check.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? path.join(root, "package.json"),
  CHECKPOINT_DISABLE: "1",
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
};
const prisma = path.join(root, "node_modules", "prisma", "build", "index.js");
const result = spawnSync(process.execPath, [prisma, "generate"], { cwd: root, env, stdio: "inherit" });
process.exit(result.status ?? 1);
