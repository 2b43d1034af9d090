// Opens the studio's database: DATABASE_URL when set, else the embedded Postgres.
// Either way the same code path follows: check it answers, migrate, export DATABASE_URL.
import pg from "pg";
import { StudioError } from "../errors.ts";
import { dataDir } from "../paths.ts";
import { startEmbeddedPostgres } from "./embedded.ts";
import { migrate } from "./migrate.ts";

export interface OpenDatabase {
  url: string;
  embedded: boolean;
  /** Stops Postgres if this process started it; otherwise does nothing. */
  close(): Promise<void>;
}

export const CONNECT_TIMEOUT_MS = 10_000;

export async function openDatabase(
  options: { log?: (line: string) => void; migrate?: boolean } = {},
): Promise<OpenDatabase> {
  const log = options.log ?? (() => {});
  const configured = process.env.DATABASE_URL;
  const opened = configured
    ? { url: configured, embedded: false, close: async () => {} }
    : await startEmbeddedPostgres(dataDir(), log).then((server) => ({
        url: server.url,
        embedded: true,
        close: server.stop,
      }));
  try {
    await checkReachable(opened.url);
    if (options.migrate !== false) await migrate(opened.url, log);
  } catch (error) {
    await opened.close();
    throw error;
  }
  process.env.DATABASE_URL = opened.url;
  return opened;
}

/** A one-line error naming the host, within CONNECT_TIMEOUT_MS. */
export async function checkReachable(url: string): Promise<void> {
  const target = describeUrl(url);
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("select 1");
  } catch (error) {
    const reason = (error as Error).message || (error as NodeJS.ErrnoException).code || "no answer";
    throw new StudioError(`Cannot reach the database at ${target}: ${reason.split("\n")[0]}`);
  } finally {
    await client.end().catch(() => {});
  }
}

/** host:port/database, never the password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}
