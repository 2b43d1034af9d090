// The container engine: the podman CLI (or docker, with the same arguments, where its daemon
// runs). The studio writes no container runtime of its own. Podman gets the studio's own
// containers.conf through CONTAINERS_CONF, unless the person set one: runc as the runtime where
// crun is absent (crun refuses some cgroup layouts), and default ulimits a rootful container may
// set (podman's defaults are refused in some containers, which fails every `run`).
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

export interface ContainerEngine {
  kind: "podman" | "docker";
  /** The environment each engine command runs with. */
  env: NodeJS.ProcessEnv;
}

/** Said when a container task cannot run here; one sentence. */
export const NO_ENGINE =
  "This task runs in a container and no container engine was found: install podman (Debian/Ubuntu: apt-get install podman runc iptables) or start a docker daemon.";

/** Label on every container and image the studio makes, so they can be listed and removed. */
export const STUDIO_LABEL = "studio.harness=1";

let detected: Promise<ContainerEngine | null> | null = null;

/** The engine on this machine, found once per process; null when there is none. */
export function detectEngine(confDir: string): Promise<ContainerEngine | null> {
  detected ??= Promise.resolve(findEngine(confDir));
  return detected;
}

/** The engine `env` asks for (STUDIO_CONTAINER_ENGINE) or finds; exported for tests, uncached. */
export function findEngine(confDir: string, env: NodeJS.ProcessEnv = process.env): ContainerEngine | null {
  const wanted = env.STUDIO_CONTAINER_ENGINE;
  if (wanted !== "docker" && works("podman", ["--version"])) {
    return { kind: "podman", env: { ...env, CONTAINERS_CONF: containersConf(confDir, env) } };
  }
  // docker's CLI alone is not enough: `docker info` answers only with a daemon behind it.
  if (wanted !== "podman" && works("docker", ["info", "--format", "{{.ServerVersion}}"]))
    return { kind: "docker", env };
  return null;
}

function works(command: string, args: string[]): boolean {
  const result = spawnSync(command, args, { stdio: "ignore", timeout: 10_000 });
  return result.status === 0;
}

/** The person's CONTAINERS_CONF, or the studio's own, written once under confDir. */
function containersConf(confDir: string, env: NodeJS.ProcessEnv): string {
  if (env.CONTAINERS_CONF) return env.CONTAINERS_CONF;
  const lines = ["[containers]", 'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]'];
  if (!works("crun", ["--version"]) && works("runc", ["--version"])) lines.push("[engine]", 'runtime = "runc"');
  const file = path.join(confDir, "containers.conf");
  fs.mkdirSync(confDir, { recursive: true });
  fs.writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

export interface EngineResult {
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  durationMs: number;
}

/** Runs one engine command; output past `keepBytes` per stream is counted, not kept. */
export function runEngine(
  engine: ContainerEngine,
  args: string[],
  options: { timeoutMs?: number; input?: string; keepBytes?: number; signal?: AbortSignal } = {},
): Promise<EngineResult> {
  const started = performance.now();
  const keep = options.keepBytes ?? 1024 * 1024;
  return new Promise((resolve) => {
    const child = spawn(engine.kind, args, { env: engine.env, stdio: ["pipe", "pipe", "pipe"] });
    const out = { stdout: [] as Buffer[], stderr: [] as Buffer[], kept: { stdout: 0, stderr: 0 } };
    for (const stream of ["stdout", "stderr"] as const) {
      child[stream].on("data", (chunk: Buffer) => {
        const room = keep - out.kept[stream];
        if (room > 0) out[stream].push(chunk.subarray(0, room));
        out.kept[stream] += Math.min(room > 0 ? room : 0, chunk.length);
      });
    }
    child.stdin.on("error", () => {});
    child.stdin.end(options.input ?? "");
    let timedOut = false;
    const stop = () => {
      timedOut = true;
      child.kill("SIGKILL");
    };
    const timer = options.timeoutMs ? setTimeout(stop, options.timeoutMs) : null;
    options.signal?.addEventListener("abort", stop, { once: true });
    const finish = (exitCode: number | null, error?: string) => {
      if (timer) clearTimeout(timer);
      options.signal?.removeEventListener("abort", stop);
      resolve({
        exitCode,
        stdout: Buffer.concat(out.stdout).toString("utf8"),
        stderr: Buffer.concat(out.stderr).toString("utf8") + (error ?? ""),
        timedOut,
        durationMs: Math.round((performance.now() - started) * 10) / 10,
      });
    };
    child.once("error", (error) => finish(null, `could not run ${engine.kind}: ${error.message}`));
    child.once("close", (code) => finish(code));
  });
}
