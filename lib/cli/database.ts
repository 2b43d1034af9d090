// CLI commands that touch data: open the database (a running studio's embedded Postgres is
// reused), run, and leave nothing running behind.
import { disconnectDb } from "../db/client.ts";
import { openDatabase } from "../db/database.ts";

export async function withDatabase<T>(work: () => Promise<T>): Promise<T> {
  const database = await openDatabase({ log: (line) => process.stderr.write(`[studio] ${line}\n`) });
  try {
    return await work();
  } finally {
    await disconnectDb().catch(() => {});
    await database.close();
  }
}
