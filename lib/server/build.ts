// `npm start` must work on a fresh clone: build the Next.js app when there is no build, or
// when the sources changed since the last one (a stamp of paths, sizes and mtimes).
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { StudioError } from "../errors.ts";

const SOURCES = ["app", "components", "lib", "public", "next.config.js", "tsconfig.json", "package-lock.json"];
const IGNORED = new Set(["node_modules", ".next", "data", "generated"]);
const BUILD_HEARTBEAT_MS = 10_000;

export function sourceStamp(root: string): string {
  const hash = crypto.createHash("sha256");
  const visit = (relative: string) => {
    const full = path.join(root, relative);
    if (!fs.existsSync(full)) return;
    const stat = fs.statSync(full);
    if (stat.isDirectory()) {
      for (const entry of fs.readdirSync(full).sort()) if (!IGNORED.has(entry)) visit(path.join(relative, entry));
    } else {
      hash.update(`${relative}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  };
  SOURCES.forEach(visit);
  return hash.digest("hex");
}

function stampFile(root: string): string {
  return path.join(root, ".next", "studio-source-stamp");
}

export function buildIsCurrent(root: string): boolean {
  const stamp = stampFile(root);
  return (
    fs.existsSync(path.join(root, ".next", "BUILD_ID")) &&
    fs.existsSync(stamp) &&
    fs.readFileSync(stamp, "utf8") === sourceStamp(root)
  );
}

export async function ensureBuild(root: string, log: (line: string) => void): Promise<void> {
  if (buildIsCurrent(root)) return;
  const first = !fs.existsSync(path.join(root, ".next", "BUILD_ID"));
  log(
    first
      ? "Building the web app (first start only: about 20 s on a laptop, longer on a busy machine)…"
      : "Rebuilding the web app (the sources changed since the last build)…",
  );
  const started = Date.now();
  // Next prints nothing while it compiles: say every few seconds that the build is still going.
  const heartbeat = setInterval(
    () => log(`Still building (${Math.round((Date.now() - started) / 1000)} s)…`),
    BUILD_HEARTBEAT_MS,
  );
  const stamp = sourceStamp(root);
  const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");
  const code = await new Promise<number>((resolve) => {
    const child = spawn(process.execPath, [nextBin, "build"], {
      cwd: root,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" },
      stdio: ["ignore", "inherit", "inherit"],
    });
    child.on("exit", (status) => resolve(status ?? 1));
  }).finally(() => clearInterval(heartbeat));
  if (code !== 0) throw new StudioError("The web app failed to build (see the output above).");
  fs.writeFileSync(stampFile(root), stamp);
  log(`Built the web app in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}
