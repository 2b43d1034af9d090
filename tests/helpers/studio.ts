// Starts a real studio (`node bin/studio.js ...`) in its own data folder and port, the way
// a person would, and stops it the way Ctrl-C would.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort as freePortNow } from "../../lib/net.ts";
import { studioRoot } from "../../lib/paths.ts";

export interface RunningStudio {
  url: string;
  port: number;
  dataDir: string;
  /** What every request must carry: STUDIO_TOKEN when the test set it, else <data>/studio-secret. */
  secret: string;
  /** The link that signs a browser in (sets the session cookie, then opens `/`). */
  signInUrl: string;
  /** Headers that authenticate an API request: spread them into any fetch to the studio. */
  authHeaders(): Record<string, string>;
  child: ChildProcess;
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export function tempDataDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-test-data-"));
  fs.chmodSync(dir, 0o755); // Postgres runs as `postgres` when tests run as root
  return dir;
}

export { freePort } from "../../lib/net.ts";

/** The URL of the embedded Postgres a studio started in `dataDir` (while it runs). */
export function studioDatabaseUrl(dataDir: string): string {
  const { user, password } = JSON.parse(fs.readFileSync(path.join(dataDir, "postgres-credentials.json"), "utf8"));
  const port = fs.readFileSync(path.join(dataDir, "postgres", "postmaster.pid"), "utf8").split("\n")[3];
  return `postgresql://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/studio`;
}

/** The studio's environment for tests: nothing inherited that would change its behaviour. */
export function studioEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  for (const key of [
    "DATABASE_URL",
    "HOST",
    "PORT",
    "STUDIO_TOKEN",
    "STUDIO_DATA_DIR",
    "ANTHROPIC_API_KEY",
    "ANTHROPIC_BASE_URL",
    // A developer's own OTLP endpoint is not the tests' to send to.
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "OTEL_EXPORTER_OTLP_HEADERS",
    "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
  ])
    delete env[key];
  for (const [key, value] of Object.entries(extra)) if (value !== undefined) env[key] = value;
  return env;
}

export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(studioRoot, "bin", "studio.js"), ...args], {
      cwd: studioRoot,
      env,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

export async function startStudio(
  options: { dataDir?: string; env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<RunningStudio> {
  const dataDir = options.dataDir ?? tempDataDir();
  const port = await freePortNow();
  const env = studioEnv({ STUDIO_DATA_DIR: dataDir, PORT: String(port), ...options.env });
  const child = spawn(process.execPath, [path.join(studioRoot, "bin", "studio.js"), "start"], { cwd: studioRoot, env });
  let output = "";
  child.stdout!.on("data", (chunk) => (output += chunk));
  child.stderr!.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));

  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`studio did not start in time:\n${output}`)),
      options.timeoutMs ?? 90_000,
    );
    const check = () => {
      if (output.includes("is ready on")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout!.on("data", check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`studio exited with ${code} before it was ready:\n${output}`));
    });
  });

  const url = `http://127.0.0.1:${port}`;
  const secret = options.env?.STUDIO_TOKEN ?? fs.readFileSync(path.join(dataDir, "studio-secret"), "utf8").trim();
  return {
    url,
    port,
    dataDir,
    secret,
    signInUrl: `${url}/login?token=${encodeURIComponent(secret)}`,
    authHeaders: () => ({ authorization: `Bearer ${secret}` }),
    child,
    output: () => output,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** Postgres processes whose command line names this data folder. */
export function postgresProcessesFor(dataDir: string): string[] {
  return fs
    .readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .map((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
      } catch {
        return "";
      }
    })
    .filter((cmdline) => cmdline.includes("postgres") && cmdline.includes(dataDir));
}
