// The one Prisma client of a process. DATABASE_URL is set before first use: by the
// user, or by lib/db/embedded.ts when the studio starts its own Postgres.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/client.ts";

export * from "./generated/client.ts";

const globalForDb = globalThis as unknown as { studioDb?: PrismaClient };

function createClient(): PrismaClient {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: start the studio with `npm start` or `npx studio start`.");
  return new PrismaClient({ adapter: new PrismaPg({ connectionString: url, max: 10 }) });
}

/** Lazily created so that importing this module never opens a connection. */
export const db: PrismaClient = new Proxy({} as PrismaClient, {
  get(_target, prop) {
    globalForDb.studioDb ??= createClient();
    const value = Reflect.get(globalForDb.studioDb, prop);
    return typeof value === "function" ? value.bind(globalForDb.studioDb) : value;
  },
});

export async function disconnectDb(): Promise<void> {
  const client = globalForDb.studioDb;
  globalForDb.studioDb = undefined;
  await client?.$disconnect();
}
