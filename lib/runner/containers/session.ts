// A task run's container from start to end, as the runner sees it: find the engine, get the
// image (built once, cached), start the container, hand ctx.exec to it, run the verifier, and
// say what happened in trace events. The caller removes the container whatever happened.
import path from "node:path";
import { dataDir } from "../../paths.ts";
import type { ContainerSpec } from "../../suites/container-spec.ts";
import { noteEvent } from "../../traces/build.ts";
import type { TraceEventRow } from "../../traces/events.ts";
import type { ContainerExecServer } from "../sandbox/worker-options.ts";
import { TaskContainer } from "./container.ts";
import { detectEngine, NO_ENGINE } from "./engine.ts";
import { ensureImage } from "./image.ts";
import { runVerifier, type VerifierBody } from "./verifier.ts";

/** The engine's containers.conf and the build logs. */
export function containerCacheDir(): string {
  return path.join(dataDir(), "cache", "containers");
}

/** Build logs are long; the trace keeps their end, where the error is. */
const BUILD_LOG_CHARS = 20_000;

export type Opened =
  | { ok: true; container: TaskContainer; events: TraceEventRow[] }
  | { ok: false; error: { kind: "environment"; message: string }; events: TraceEventRow[] };

export async function openContainer(spec: ContainerSpec, cacheDir = containerCacheDir()): Promise<Opened> {
  const engine = await detectEngine(cacheDir);
  if (!engine) return { ok: false, error: { kind: "environment", message: NO_ENGINE }, events: [] };
  const image = await ensureImage(engine, spec, cacheDir);
  if (!image.ok) {
    const log = image.log.length > BUILD_LOG_CHARS ? `…${image.log.slice(-BUILD_LOG_CHARS)}` : image.log;
    return { ok: false, error: { kind: "environment", message: `${image.message}\n\n${log}` }, events: [] };
  }
  try {
    const container = await TaskContainer.start(engine, spec, image);
    const limits = [
      `network ${container.network}`,
      spec.memoryMb ? `memory ${spec.memoryMb} MiB` : null,
      spec.cpus ? `${spec.cpus} CPUs` : null,
    ].filter(Boolean);
    const note = noteEvent(
      `container ${container.name} started from ${image.image}${image.built ? " (built now)" : ""}: ${limits.join(", ")}, working directory ${container.workdir}`,
      new Date(),
      {
        engine: engine.kind,
        container: container.name,
        image: image.image,
        built: image.built,
        network: container.network,
        memoryMb: spec.memoryMb,
        cpus: spec.cpus,
        workdir: container.workdir,
      },
    );
    return { ok: true, container, events: [note] };
  } catch (error) {
    return { ok: false, error: { kind: "environment", message: (error as Error).message }, events: [] };
  }
}

/** ctx.exec's server for the worker: each command within the harness's time left. */
export function execServer(container: TaskContainer): ContainerExecServer {
  return {
    name: container.name,
    workdir: container.workdir,
    exec: (command, options) => container.exec(command, options),
  };
}

export interface Verified {
  score: number;
  explanation: string;
  verifier: VerifierBody;
  error?: { kind: "verifier"; message: string };
}

/** Copies the tests in (hidden until now), runs them, reads the reward. */
export async function verify(container: TaskContainer, spec: ContainerSpec): Promise<Verified> {
  const verdict = await runVerifier(container, spec);
  const body = verdict.body;
  if (!verdict.ok)
    return { score: 0, explanation: "", verifier: body, error: { kind: "verifier", message: verdict.message } };
  return {
    score: body.reward!,
    explanation: `${body.rewardFile} holds ${body.reward}; tests/test.sh exited ${body.exitCode}`,
    verifier: body,
  };
}

/** `studio eval --oracle`: solution/solve.sh in place of a harness, then the verifier. */
export async function runOracle(
  spec: ContainerSpec,
): Promise<{ score: number; message: string; solveExit: number | null }> {
  if (!spec.solution?.["solve.sh"]) return { score: 0, message: "has no solution/solve.sh", solveExit: null };
  const opened = await openContainer(spec);
  if (!opened.ok) return { score: 0, message: opened.error.message, solveExit: null };
  const { container } = opened;
  try {
    await container.copyIn(spec.solution, "/solution");
    const solved = await container.exec(
      "if command -v bash >/dev/null 2>&1; then exec bash /solution/solve.sh; else exec sh /solution/solve.sh; fi",
      { timeoutMs: spec.agentTimeoutSec * 1000 },
    );
    const verified = await verify(container, spec);
    const message = verified.error
      ? verified.error.message
      : `${verified.explanation}${solved.exitCode === 0 ? "" : `; solve.sh exited ${solved.exitCode}: ${solved.stderr.trim().slice(-300)}`}`;
    return { score: verified.score, message, solveExit: solved.exitCode };
  } finally {
    await container.remove();
  }
}
