// CLI commands that touch data: open the database (a running studio's embedded Postgres is
// reused), run, and leave nothing running behind. Their model calls share each API key's rate
// limit with every worker on the database.
import { disconnectDb } from "../db/client.ts";
import { openDatabase } from "../db/database.ts";
import { shareRateLimitsInDatabase } from "../jobs/rate-limit.ts";

export async function withDatabase<T>(work: () => Promise<T>): Promise<T> {
  const database = await openDatabase({ log: (line) => process.stderr.write(`[studio] ${line}\n`) });
  shareRateLimitsInDatabase();
  try {
    return await work();
  } finally {
    await disconnectDb().catch(() => {});
    await database.close();
  }
}
