// Builds host.ts (with the Anthropic SDK inside, for ctx.model) into one standalone .mjs the
// sandbox can run without node_modules. Built at first use and cached: in memory for this process,
// and in `cacheDir` across processes, keyed by the host's own sources and the tool versions.
import * as esbuild from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compilerVersion, sha256 } from "./compile.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
// The build options below are part of the key too: this file is listed with the sources.
const HOST_SOURCES = ["host.ts", "channel-fetch.ts", "protocol.ts", "limits.ts", "host-bundle.ts"];

const built = new Map<string, Promise<string>>();

/** The host program's code. */
export function hostBundle(cacheDir?: string): Promise<string> {
  const key = sha256(
    [compilerVersion, ...HOST_SOURCES.map((file) => fs.readFileSync(path.join(/*turbopackIgnore: true*/ here, file), "utf8"))].join("\0"),
  );
  let pending = built.get(key);
  if (!pending) {
    pending = buildHost(key, cacheDir);
    built.set(key, pending);
    pending.catch(() => built.delete(key));
  }
  return pending;
}

async function buildHost(key: string, cacheDir?: string): Promise<string> {
  const cacheFile = cacheDir ? path.join(cacheDir, `host-${key}.mjs`) : null;
  if (cacheFile) {
    try {
      return await fs.promises.readFile(cacheFile, "utf8");
    } catch {
      // not built yet
    }
  }
  const result = await esbuild.build({
    entryPoints: [path.join(here, "host.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    outfile: path.join(here, "host.mjs"),
    // Every worker parses this at start: no source map (it only named the host's own lines in a
    // stack) and no whitespace make a worker ready about 20 ms sooner. Names stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "silent",
  });
  const code = result.outputFiles[0].text;
  if (cacheFile) {
    await fs.promises.mkdir(cacheDir!, { recursive: true });
    const temp = `${cacheFile}.${process.pid}.tmp`;
    await fs.promises.writeFile(temp, code);
    await fs.promises.rename(temp, cacheFile);
  }
  return code;
}
