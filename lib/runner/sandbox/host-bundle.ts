// Builds what every worker runs, as standalone .mjs files the sandbox can load without
// node_modules: `sdk.mjs` (the Anthropic SDK, once) and `host.mjs` (host.ts, importing it).
// A harness's own `import ... from "@anthropic-ai/sdk"` resolves to the same sdk.mjs through the
// small package `writeProgram` lays out, so ctx.model, and the errors it throws, are instances of the
// classes the harness imports. Built at first use and cached: in memory for this process, and in
// `cacheDir` across processes, keyed by the host's own sources and the tool versions.
import * as esbuild from "esbuild";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { compilerVersion, sha256 } from "./compile.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
// The build options below are part of the key too: this file is listed with the sources.
// Every file the host program is built from (limits.ts imports lib/format.ts): a change to any rebuilds it.
const HOST_SOURCES = [
  "host.ts",
  "host-exec.ts",
  "host-values.ts",
  "channel-fetch.ts",
  "protocol.ts",
  "limits.ts",
  "../../format.ts",
  "host-bundle.ts",
];
const SDK = "@anthropic-ai/sdk";

export interface HostProgram {
  host: string;
  sdk: string;
}

const built = new Map<string, Promise<HostProgram>>();

/** The host program and the SDK it shares with the harness. */
export function hostBundle(cacheDir?: string): Promise<HostProgram> {
  const key = sha256(
    [
      compilerVersion,
      ...HOST_SOURCES.map((file) => fs.readFileSync(path.join(/*turbopackIgnore: true*/ here, file), "utf8")),
    ].join("\0"),
  );
  let pending = built.get(key);
  if (!pending) {
    pending = buildOrRead(key, cacheDir);
    built.set(key, pending);
    pending.catch(() => built.delete(key));
  }
  return pending;
}

/**
 * Lays out a worker's program folder: host.mjs, sdk.mjs, the harness (or grader) as module.mjs,
 * and `node_modules/@anthropic-ai/sdk`, a package whose only module re-exports ../../../sdk.mjs,
 * so Node's own resolution finds the shared copy for the harness. Readable by other users.
 */
export async function writeProgram(dir: string, code: string, program: HostProgram): Promise<void> {
  const files: Record<string, string> = {
    "host.mjs": program.host,
    "sdk.mjs": program.sdk,
    "module.mjs": code,
    [`node_modules/${SDK}/package.json`]: JSON.stringify({
      name: SDK,
      type: "module",
      exports: { ".": "./index.mjs" },
    }),
    [`node_modules/${SDK}/index.mjs`]:
      'export * from "../../../sdk.mjs";\nexport { default } from "../../../sdk.mjs";\n',
  };
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    await fs.promises.mkdir(path.dirname(file), { recursive: true, mode: 0o755 });
    await fs.promises.writeFile(file, text, { mode: 0o644 });
  }
}

async function buildOrRead(key: string, cacheDir?: string): Promise<HostProgram> {
  const files = cacheDir
    ? { host: path.join(cacheDir, `host-${key}.mjs`), sdk: path.join(cacheDir, `sdk-${key}.mjs`) }
    : null;
  if (files) {
    try {
      const [host, sdk] = await Promise.all([
        fs.promises.readFile(files.host, "utf8"),
        fs.promises.readFile(files.sdk, "utf8"),
      ]);
      return { host, sdk };
    } catch {
      // not built yet
    }
  }
  const program = await build();
  if (files) {
    await fs.promises.mkdir(cacheDir!, { recursive: true });
    // sdk first: a reader that finds host-<key> finds its sdk-<key> too.
    for (const name of ["sdk", "host"] as const) {
      const temp = `${files[name]}.${process.pid}.tmp`;
      await fs.promises.writeFile(temp, program[name]);
      await fs.promises.rename(temp, files[name]);
    }
  }
  return program;
}

async function build(): Promise<HostProgram> {
  const options: esbuild.BuildOptions = {
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    write: false,
    // Every worker parses these at start: no source map (it only named the host's own lines in a
    // stack) and no whitespace make a worker ready about 20 ms sooner. Names stay readable.
    minifyWhitespace: true,
    minifySyntax: true,
    legalComments: "none",
    logLevel: "silent",
  };
  const [sdk, host] = await Promise.all([
    esbuild.build({
      ...options,
      stdin: {
        contents: `export * from "${SDK}";\nexport { default } from "${SDK}";\n`,
        resolveDir: here,
        loader: "js",
      },
    }),
    esbuild.build({
      ...options,
      entryPoints: [path.join(here, "host.ts")],
      outfile: path.join(here, "host.mjs"),
      plugins: [
        {
          name: "shared-sdk",
          setup: (b) => b.onResolve({ filter: /^@anthropic-ai\/sdk$/ }, () => ({ path: "./sdk.mjs", external: true })),
        },
      ],
    }),
  ]);
  return { sdk: sdk.outputFiles![0].text, host: host.outputFiles![0].text };
}
