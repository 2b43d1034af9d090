// The studio as a person starts it: `studio start` on a fresh data folder, stopped with
// SIGTERM / Ctrl-C, started again; refusals for unsafe or broken configurations.
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import {
  freePort,
  postgresProcessesFor,
  runCli,
  startStudio,
  studioEnv,
  tempDataDir,
  type RunningStudio,
} from "../helpers/studio.ts";

const started: RunningStudio[] = [];
afterAll(async () => {
  await Promise.all(started.map((studio) => studio.stop("SIGTERM")));
});

async function connect(dataDir: string): Promise<pg.Client> {
  const { user, password } = JSON.parse(fs.readFileSync(path.join(dataDir, "postgres-credentials.json"), "utf8"));
  const port = Number(fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[3]);
  const client = new pg.Client({ host: "127.0.0.1", port, user, password, database: "studio" });
  await client.connect();
  return client;
}

describe("studio start (embedded Postgres)", () => {
  it("serves the projects page, stops cleanly, and keeps the data for the next start", async () => {
    const dataDir = tempDataDir();
    const first = await startStudio({ dataDir });
    started.push(first);

    const page = await fetch(`${first.url}/projects`, { headers: first.authHeaders() });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("No projects yet");

    const client = await connect(dataDir);
    const tables = await client.query(`select table_name from information_schema.tables where table_schema = 'public'`);
    expect(tables.rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        "Project",
        "TaskSuite",
        "Task",
        "Candidate",
        "CandidateParent",
        "Evaluation",
        "TaskRun",
        "TraceEvent",
        "Iteration",
        "InstructionVersion",
        "Optimization",
        "_prisma_migrations",
      ]),
    );
    await client.query(
      `insert into "Project" (id, name, "updatedAt") values ('kept-project', 'Survives a restart', now())`,
    );
    await client.end();

    expect(await first.stop("SIGTERM")).toBe(0);
    expect(postgresProcessesFor(dataDir)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, "postgres", "postmaster.pid"))).toBe(false);

    const second = await startStudio({ dataDir });
    started.push(second);
    expect(second.output()).not.toContain("Creating a new Postgres data folder");
    expect(await (await fetch(`${second.url}/projects`, { headers: second.authHeaders() })).text()).toContain(
      "Survives a restart",
    );
    expect(await second.stop("SIGINT")).toBe(0);
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  });

  it("adopts a Postgres left behind by a studio that was SIGKILLed, and stops it", async () => {
    const dataDir = tempDataDir();
    const first = await startStudio({ dataDir });
    started.push(first);
    await first.stop("SIGKILL");
    expect(postgresProcessesFor(dataDir).length).toBe(1); // orphaned, as SIGKILL allows nothing else

    const second = await startStudio({ dataDir });
    started.push(second);
    expect(second.output()).toContain("Adopting the Postgres");
    expect((await fetch(`${second.url}/projects`, { headers: second.authHeaders() })).status).toBe(200);
    expect(await second.stop("SIGTERM")).toBe(0);
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  });
});

describe("the per-install secret", () => {
  it("is made once in a 0600 file, kept across restarts, printed as the one link, and `studio link` prints it again", async () => {
    const dataDir = tempDataDir();
    const env = studioEnv({ STUDIO_DATA_DIR: dataDir });
    const before = await runCli(["link"], env);
    expect(before.code).toBe(1);
    expect(before.stderr).toContain(`No studio is running on ${dataDir}`);

    const first = await startStudio({ dataDir });
    started.push(first);
    const secretFile = path.join(dataDir, "studio-secret");
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    expect(first.secret.length).toBeGreaterThanOrEqual(32);
    expect(fs.statSync(path.join(dataDir, "studio-server.json")).mode & 0o777).toBe(0o600);
    // `npm start` prints the one link; loopback alone opens nothing.
    expect(first.output()).toContain(`Sign in (once per browser): ${first.signInUrl}\n`);
    expect((await fetch(`${first.url}/projects`)).status).toBe(401);

    const printed = await runCli(["link"], env);
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toBe(`${first.signInUrl}\n`);
    const signedIn = await fetch(printed.stdout.trim(), { redirect: "manual" });
    expect(signedIn.status).toBe(303);
    const cookie = signedIn.headers.get("set-cookie")!.split(";")[0];
    expect((await fetch(`${first.url}/projects`, { headers: { cookie } })).status).toBe(200);

    expect(await first.stop("SIGTERM")).toBe(0);
    expect(fs.existsSync(path.join(dataDir, "studio-server.json"))).toBe(false);
    const stopped = await runCli(["link"], env);
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain("npm start");

    fs.chmodSync(secretFile, 0o644); // loosened by hand: tightened again at start
    const second = await startStudio({ dataDir });
    started.push(second);
    expect(second.secret).toBe(first.secret);
    expect(fs.statSync(secretFile).mode & 0o777).toBe(0o600);
    // The same secret, so a browser's cookie from before the restart still opens the studio.
    const samePort = cookie.replace(/_\d+=/, `_${second.port}=`); // a restart on the same port, as usual
    expect((await fetch(`${second.url}/projects`, { headers: { cookie: samePort } })).status).toBe(200);
    expect((await runCli(["link"], env)).stdout).toBe(`${second.signInUrl}\n`);
    expect(await second.stop("SIGTERM")).toBe(0);
  });
});

describe("studio start refuses what it should", () => {
  it("refuses a non-loopback address without STUDIO_TOKEN, before starting anything", async () => {
    const dataDir = tempDataDir();
    const result = await runCli(
      ["start"],
      studioEnv({ HOST: "0.0.0.0", STUDIO_DATA_DIR: dataDir, PORT: String(await freePort()) }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("Refusing to listen on 0.0.0.0");
    expect(result.stderr).toContain("STUDIO_TOKEN");
    expect(fs.existsSync(path.join(dataDir, "postgres"))).toBe(false);
  });

  it("names the port that is already in use", async () => {
    const blocker = net.createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, "127.0.0.1", () => resolve((blocker.address() as net.AddressInfo).port)),
    );
    try {
      const result = await runCli(["start"], studioEnv({ PORT: String(port), STUDIO_DATA_DIR: tempDataDir() }));
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Port ${port} on 127.0.0.1 is already in use`);
    } finally {
      blocker.close();
    }
  });

  it("gives a one-line error naming the host of an unreachable DATABASE_URL", async () => {
    const port = await freePort(); // nothing listens there
    const result = await runCli(
      ["migrate"],
      studioEnv({ DATABASE_URL: `postgresql://someone:secret@127.0.0.1:${port}/studio` }),
    );
    expect(result.code).toBe(1);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(`Cannot reach the database at 127.0.0.1:${port}/studio`);
    expect(result.stderr).not.toContain("secret");
  });

  it("gives up on a database that never answers within 10 seconds", async () => {
    const silent = net.createServer(() => {}); // accepts, then says nothing
    const port = await new Promise<number>((resolve) =>
      silent.listen(0, "127.0.0.1", () => resolve((silent.address() as net.AddressInfo).port)),
    );
    try {
      const result = await runCli(
        ["migrate"],
        studioEnv({ DATABASE_URL: `postgresql://someone:secret@127.0.0.1:${port}/studio` }),
        30_000,
      );
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`Cannot reach the database at 127.0.0.1:${port}`);
      expect(result.ms).toBeLessThan(13_000);
    } finally {
      silent.close();
    }
  });

  it("reports a data folder that is not Postgres, and leaves it untouched", async () => {
    const dataDir = tempDataDir();
    fs.mkdirSync(path.join(dataDir, "postgres"));
    fs.writeFileSync(path.join(dataDir, "postgres", "notes.txt"), "my files");
    const result = await runCli(["migrate"], studioEnv({ STUDIO_DATA_DIR: dataDir }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("is not a Postgres data folder");
    expect(fs.readdirSync(path.join(dataDir, "postgres"))).toEqual(["notes.txt"]);
  });

  it("reports a data folder of another Postgres version, and leaves it untouched", async () => {
    const dataDir = tempDataDir();
    fs.mkdirSync(path.join(dataDir, "postgres"));
    fs.writeFileSync(path.join(dataDir, "postgres", "PG_VERSION"), "15\n");
    const result = await runCli(["migrate"], studioEnv({ STUDIO_DATA_DIR: dataDir }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("holds a Postgres 15 data folder");
    expect(fs.readdirSync(path.join(dataDir, "postgres"))).toEqual(["PG_VERSION"]);
  });
});

describe.runIf(process.getuid?.() === 0)("as root", () => {
  it("explains when user postgres cannot reach the data folder, instead of failing obscurely", async () => {
    const closed = fs.mkdtempSync(path.join(os.tmpdir(), "studio-closed-")); // 0700: closed to others
    const result = await runCli(["migrate"], studioEnv({ STUDIO_DATA_DIR: path.join(closed, "data") }));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("cannot reach");
    expect(result.stderr).toContain("STUDIO_DATA_DIR");
  });
});

describe("studio CLI", () => {
  it("prints help and exits 0", async () => {
    const result = await runCli(["--help"], studioEnv());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("studio start");
    expect(result.stdout).toContain("studio migrate");
    expect(result.stdout).toContain("studio link");
  });

  it("rejects an unknown command with a non-zero exit", async () => {
    const result = await runCli(["frobnicate"], studioEnv());
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('unknown command "frobnicate"');
  });
});
