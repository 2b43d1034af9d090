// A task's image: built once from its environment/ folder and cached under a tag made of the
// build context's content hash (the Dockerfile is part of the context), or the task's
// docker_image where it has no Dockerfile. Every build's log is kept beside the cache, so a
// failed build can be shown in full.
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ContainerSpec } from "../../suites/container-spec.ts";
import { fileMode } from "./container.ts";
import { runEngine, STUDIO_LABEL, type ContainerEngine } from "./engine.ts";

export type ImageResult =
  { ok: true; image: string; workdir: string; built: boolean } | { ok: false; message: string; log: string };

/** Builds of this process in flight, so tasks sharing an environment build it once. */
const building = new Map<string, Promise<ImageResult>>();

export function contextHash(context: Record<string, string>): string {
  const hash = createHash("sha256");
  for (const file of Object.keys(context).sort()) hash.update(`${file}\u0000${context[file]}\u0000`);
  return hash.digest("hex");
}

export function ensureImage(engine: ContainerEngine, spec: ContainerSpec, cacheDir: string): Promise<ImageResult> {
  if (!spec.context) return pulledImage(engine, spec.image!);
  const tag = `localhost/studio-task:${contextHash(spec.context).slice(0, 32)}`;
  let result = building.get(tag);
  if (!result) {
    result = buildImage(engine, spec, tag, cacheDir).finally(() => building.delete(tag));
    building.set(tag, result);
  }
  return result;
}

async function buildImage(
  engine: ContainerEngine,
  spec: ContainerSpec,
  tag: string,
  cacheDir: string,
): Promise<ImageResult> {
  if ((await runEngine(engine, ["image", "inspect", tag], { timeoutMs: 30_000 })).exitCode === 0)
    return { ok: true, image: tag, workdir: await workdirOf(engine, tag), built: false };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-build-"));
  try {
    for (const [rel, base64] of Object.entries(spec.context!)) {
      const target = path.join(dir, rel);
      if (!target.startsWith(dir + path.sep)) continue;
      fs.mkdirSync(path.dirname(target), { recursive: true });
      const bytes = Buffer.from(base64, "base64");
      fs.writeFileSync(target, bytes, { mode: fileMode(rel, bytes) });
    }
    const built = await runEngine(engine, ["build", "--label", STUDIO_LABEL, "-t", tag, "-f", "Dockerfile", dir], {
      timeoutMs: spec.buildTimeoutSec * 1000,
    });
    const log = `$ ${engine.kind} build -t ${tag} environment/\n${built.stdout}${built.stderr}`;
    const logDir = path.join(cacheDir, "builds");
    fs.mkdirSync(logDir, { recursive: true });
    fs.writeFileSync(path.join(logDir, `${tag.split(":")[1]}.log`), log);
    if (built.exitCode !== 0) {
      const why = built.timedOut
        ? `did not finish within ${spec.buildTimeoutSec} s`
        : `failed (exit ${built.exitCode})`;
      return { ok: false, message: `Building the image of task "${spec.task}" ${why}; the build log follows.`, log };
    }
    return { ok: true, image: tag, workdir: await workdirOf(engine, tag), built: true };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A named image: used when present; pulled otherwise (where a registry can be reached). */
async function pulledImage(engine: ContainerEngine, image: string): Promise<ImageResult> {
  if ((await runEngine(engine, ["image", "inspect", image], { timeoutMs: 30_000 })).exitCode !== 0) {
    const pulled = await runEngine(engine, ["pull", image], { timeoutMs: 600_000 });
    if (pulled.exitCode !== 0)
      return {
        ok: false,
        message: `The image ${image} is not on this machine and could not be pulled.`,
        log: pulled.stdout + pulled.stderr,
      };
  }
  return { ok: true, image, workdir: await workdirOf(engine, image), built: false };
}

/** The image's WORKDIR, or /app (Harbor's convention) when it sets none. */
async function workdirOf(engine: ContainerEngine, image: string): Promise<string> {
  const inspected = await runEngine(engine, ["image", "inspect", "--format", "{{.Config.WorkingDir}}", image]);
  const workdir = inspected.stdout.trim();
  return workdir && workdir !== "/" ? workdir : "/app";
}
