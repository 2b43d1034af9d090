// `studio start`: configuration check → build if needed → database (embedded or
// DATABASE_URL) and migrations → Next.js behind the guard. Ctrl-C / SIGTERM stop all of it.
import { spawn } from "node:child_process";
import http from "node:http";
import path from "node:path";
import { parseArgs } from "node:util";
import { describeUrl, openDatabase } from "../db/database.ts";
import { disconnectDb } from "../db/client.ts";
import { dataDir, studioRoot } from "../paths.ts";
import { ensureBuild } from "../server/build.ts";
import { slotsOption } from "./slots.ts";
import { checkPortFree, portError, readServerConfig } from "../server/config.ts";
import { createGuard } from "../server/guard.ts";
import { readOrCreateSecret, removeServerFile, serverUrl, signInLink, writeServerFile } from "../server/secret.ts";

export async function start(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { host: { type: "string" }, port: { type: "string" }, slots: { type: "string" } },
  });
  // Output nobody reads any more (a closed terminal or pipe): stop as on Ctrl-C, once there is a
  // studio to stop, as a Unix program stops on SIGPIPE. Unhandled, the first failed write killed
  // the process and left its embedded Postgres running.
  let outputClosed = false;
  // eslint-disable-next-line prefer-const -- set once there is a studio to stop; the handler reads it before
  let stopOnClosedOutput: ((why: string) => void) | undefined;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EPIPE") throw error;
      outputClosed = true;
      stopOnClosedOutput?.("output closed (EPIPE)");
    });
  }
  const slots = slotsOption(values.slots);
  const config = readServerConfig(values);
  await checkPortFree(config.host, config.port);
  // Every request needs the secret, loopback included (guard.ts): the operator's, or the install's file.
  const secret = config.token ?? readOrCreateSecret(dataDir());
  process.env.NEXT_TELEMETRY_DISABLED = "1";
  process.env.STUDIO_ROOT = studioRoot;
  await ensureBuild(studioRoot, log);

  const database = await openDatabase({ log });
  log(database.embedded ? "Database: embedded Postgres." : `Database: ${describeUrl(database.url)} (DATABASE_URL).`);

  let stopping: Promise<void> | undefined;
  // The job worker runs in its own process, so long evaluations never slow the web server.
  const worker = spawn(process.execPath, [path.join(studioRoot, "bin", "studio.js"), "worker"], {
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      STUDIO_PARENT_PID: String(process.pid),
      STUDIO_SLOTS: String(slots),
    },
    stdio: ["ignore", "inherit", "inherit"],
  });
  const workerExited = new Promise<void>((resolve) => worker.once("exit", () => resolve()));
  worker.once("exit", (code, signal) => {
    if (!stopping) log(`The job worker stopped (${signal ?? `exit ${code}`}); queued work waits until a worker runs.`);
  });

  let server: http.Server | undefined;
  const url = serverUrl(config.host, config.port);
  const stop = (signal: string) => {
    stopping ??= (async () => {
      log(`${signal}: stopping…`);
      const force = setTimeout(() => process.exit(1), 20_000).unref();
      removeServerFile(dataDir());
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server!.close(resolve));
      }
      if (worker.exitCode === null) worker.kill("SIGTERM");
      await Promise.race([workerExited, new Promise((resolve) => setTimeout(resolve, 15_000))]);
      await disconnectDb().catch(() => {});
      await database.close();
      clearTimeout(force);
      // Again: a stop that came while the studio was starting may have run before the file was written.
      removeServerFile(dataDir());
      log("Stopped.");
      process.exit(0);
    })();
    return stopping;
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  stopOnClosedOutput = (why) => void stop(why);
  if (outputClosed) stopOnClosedOutput("output closed (EPIPE)");

  try {
    const createNext = (await import("next")).default;
    const app = createNext({
      dev: false,
      dir: studioRoot,
      hostname: config.host,
      port: config.port,
      customServer: true,
    });
    await app.prepare();
    const handle = app.getRequestHandler();
    const guard = createGuard(config, secret);
    server = http.createServer(async (req, res) => {
      try {
        if (await guard(req, res)) return;
        await handle(req, res);
      } catch (error) {
        console.error(error);
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end("Internal error");
      }
    });
    await new Promise<void>((resolve, reject) => {
      server!.once("error", (error: NodeJS.ErrnoException) => reject(portError(error, config.host, config.port)));
      server!.listen(config.port, config.host, resolve);
    });
    writeServerFile(dataDir(), { url, pid: process.pid, secret: config.token ? "STUDIO_TOKEN" : "file" });
  } catch (error) {
    // Nothing may outlive a failed start: it would hold the port and the worker, with no one to stop it.
    server?.closeAllConnections();
    server?.close();
    worker.kill("SIGTERM");
    await workerExited;
    await database.close();
    throw error;
  }
  // One write, so the link and the ready line arrive together. An operator's STUDIO_TOKEN
  // stays out of logs; the install's own secret is printed, as Jupyter prints its token.
  console.log(
    [
      `[studio] Harness Studio is ready on ${url}`,
      config.token
        ? `[studio] Sign in at ${url}/login with STUDIO_TOKEN (or print the link: npx studio link).`
        : `[studio] Sign in (once per browser): ${signInLink(url, secret)}`,
    ].join("\n"),
  );
  if (!process.env.ANTHROPIC_API_KEY) log("No ANTHROPIC_API_KEY: real model runs are off until you set it.");
  await new Promise(() => {}); // serve until a signal stops us
  return 0;
}

function log(line: string): void {
  console.log(`[studio] ${line}`);
}
