// The studio's side of giving folders to the worker's uid (when the studio is root) and of checking
// that the worker may use them: chowned without following links, reachable from /, inside envRoot.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { StudioError } from "../../errors.ts";
import { UID_POOL_START } from "./uid-pool.ts";

/**
 * Gives `dir` and its contents to the worker's uid, not following symlinks. A file with several
 * hard links that is not already a sandbox uid's is left alone: the harness could have linked a
 * file it must not own into its folder.
 */
export function chownTree(dir: string, uid: number): void {
  const visit = (file: string, stat: fs.Stats) => {
    const mayChown = stat.isDirectory() || stat.nlink === 1 || stat.uid >= UID_POOL_START;
    if (mayChown && (stat.uid !== uid || stat.gid !== uid)) fs.lchownSync(file, uid, uid);
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(file)) {
        const child = path.join(file, name);
        visit(child, fs.lstatSync(child));
      }
    }
  };
  visit(dir, fs.lstatSync(dir));
}

/** The worker's uid must be able to walk down to `dir` (bubblewrap's mounts need it too). */
export function assertReachable(dir: string, uid: number): void {
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    const stat = fs.statSync(current);
    if (!(stat.mode & 0o001) && stat.uid !== uid) {
      throw new StudioError(
        `${dir} cannot be reached by the sandbox user: ${current} is closed to other users`,
        `put sandbox folders under a folder others may enter (chmod o+x ${current}), e.g. in ${os.tmpdir()}`,
      );
    }
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}

/** A task's envDir, resolved; it must be a folder inside the worker's envRoot. */
export function checkEnvDir(envRoot: string, envDir: string): string {
  const resolved = path.resolve(envDir);
  const inside = path.relative(envRoot, resolved);
  if (inside.startsWith("..") || path.isAbsolute(inside)) {
    throw new StudioError(`envDir ${resolved} is outside the worker's envRoot ${envRoot}`);
  }
  if (!fs.statSync(resolved, { throwIfNoEntry: false })?.isDirectory())
    throw new StudioError(`envDir ${resolved} is not a folder`);
  return resolved;
}
