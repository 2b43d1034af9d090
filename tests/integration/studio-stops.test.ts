// A studio never outlives what it needs: a start that fails after its server listens leaves
// nothing running, and a studio whose output nobody reads any more (a closed terminal or pipe)
// stops, instead of serving on with no one to stop it.
import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ownDatabase } from "../helpers/own-database.ts";
import { freePort, postgresProcessesFor, runCli, studioEnv, tempDataDir } from "../helpers/studio.ts";
import { studioRoot } from "../../lib/paths.ts";

const TOKEN = "a-token-of-the-operators-own-choosing";
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await ownDatabase("stops");
});

/** True when nothing listens on the port any more. */
function portClosed(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", () => resolve(true));
  });
}

describe("a studio's end", () => {
  it("after a start that fails once its server listens: exit 1 with the reason, and the port released", async () => {
    // A data folder that is a file: with DATABASE_URL and STUDIO_TOKEN nothing touches it until the
    // server file is written, after the server listens and the worker started.
    const dataDir = path.join(tempDataDir(), "a-file");
    fs.writeFileSync(dataDir, "not a folder");
    const port = await freePort();
    const result = await runCli(
      ["start"],
      studioEnv({ DATABASE_URL: databaseUrl, STUDIO_TOKEN: TOKEN, STUDIO_DATA_DIR: dataDir, PORT: String(port) }),
      120_000,
    );
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain(dataDir);
    expect(await portClosed(port)).toBe(true);
  });

  it("when its output pipe closes: it stops as on Ctrl-C, its Postgres too, releasing its port", async () => {
    const dataDir = tempDataDir();
    const port = await freePort();
    // `head -c 1` reads one byte of the first line and exits: every later write of the studio's
    // meets a closed pipe. The pipeline ends only when the studio does.
    const pipeline = spawn("bash", ["-c", `"${process.execPath}" bin/studio.js start | head -c 1 > /dev/null`], {
      cwd: studioRoot,
      // Its own embedded Postgres: a studio that dies of the closed pipe instead of stopping leaves it running.
      env: studioEnv({ STUDIO_DATA_DIR: dataDir, PORT: String(port) }),
    });
    let stderr = "";
    pipeline.stderr.on("data", (chunk) => (stderr += chunk));
    const ended = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => (pipeline.kill("SIGKILL"), resolve(null)), 120_000);
      pipeline.on("exit", (code) => (clearTimeout(timer), resolve(code)));
    });
    expect(ended, `the pipeline did not end: the studio kept running\n${stderr}`).not.toBeNull();
    expect(await portClosed(port)).toBe(true);
    expect(fs.existsSync(path.join(dataDir, "studio-server.json"))).toBe(false);
    expect(postgresProcessesFor(dataDir)).toEqual([]);
  });
});
