// Where the studio's own files live. Used by the CLI and server start-up, never by the browser.
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the folder holding package.json). `studio start` passes it to the web server in STUDIO_ROOT, whose bundled modules cannot locate themselves. */
export const studioRoot = process.env.STUDIO_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The git-ignored folder for the embedded database and other local state. */
export function dataDir(): string {
  // (turbopackIgnore: a runtime folder, not a source the web build should trace)
  return path.resolve(/*turbopackIgnore: true*/ process.env.STUDIO_DATA_DIR ?? path.join(studioRoot, "data"));
}
