// What the browser is sent: every module a client component ("use client") imports, followed
// through the repository's own files, stays clear of server-only packages. zod came in once
// through one helper beside a schema: 105 KB, a seventh of the overview's scripts.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { studioRoot } from "../../../lib/paths.ts";

/** Packages no page's scripts should carry: schemas, the database, Node-only libraries. */
const SERVER_ONLY = ["zod", "pg", "@prisma/client", "@prisma/adapter-pg", "@anthropic-ai/sdk", "pg-boss"];

function sourceFiles(folder: string): string[] {
  return fs
    .readdirSync(path.join(studioRoot, folder), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.tsx?$/.test(file) && !file.includes("generated"))
    .map((file) => path.join(studioRoot, folder, file));
}

/** The modules a file imports for their values (`import type` and `export type` are erased). */
function valueImports(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  const found: string[] = [];
  for (const match of text.matchAll(/^(?:import|export)\s+(type\s+)?(?:[^;]*?\sfrom\s+)?["']([^"']+)["']/gms)) {
    if (!match[1]) found.push(match[2]);
  }
  return found;
}

function resolveLocal(from: string, specifier: string): string | null {
  const base = specifier.startsWith("@/")
    ? path.join(studioRoot, specifier.slice(2))
    : specifier.startsWith(".")
      ? path.resolve(path.dirname(from), specifier)
      : null;
  if (!base) return null;
  for (const candidate of [
    base,
    `${base}.ts`,
    `${base}.tsx`,
    path.join(base, "index.ts"),
    path.join(base, "index.tsx"),
  ])
    if (/\.tsx?$/.test(candidate) && fs.existsSync(candidate)) return candidate;
  return null;
}

/** The first chain of imports from `entry` to a server-only package, or null. */
function serverOnlyChain(entry: string): string[] | null {
  const seen = new Set<string>([entry]);
  const queue: string[][] = [[entry]];
  while (queue.length) {
    const chain = queue.shift()!;
    const file = chain.at(-1)!;
    for (const specifier of valueImports(file)) {
      if (SERVER_ONLY.some((name) => specifier === name || specifier.startsWith(`${name}/`)))
        return [...chain, specifier].map((step) => path.relative(studioRoot, step) || step);
      const local = resolveLocal(file, specifier);
      if (local && !seen.has(local)) {
        seen.add(local);
        queue.push([...chain, local]);
      }
    }
  }
  return null;
}

describe("client components' imports", () => {
  const clients = ["app", "components", "lib"]
    .flatMap(sourceFiles)
    .filter((file) => /^\s*["']use client["']/.test(fs.readFileSync(file, "utf8")));

  it("finds the client components", () => {
    expect(clients.length).toBeGreaterThan(20);
    expect(clients.map((file) => path.relative(studioRoot, file))).toContain("components/RunControls.tsx");
  });

  it("reach no server-only package", () => {
    const problems = clients.map(serverOnlyChain).filter((chain) => chain !== null);
    expect(problems.map((chain) => chain.join(" → "))).toEqual([]);
  });

  it("would see one that did: the settings schema brings zod", () => {
    expect(serverOnlyChain(path.join(studioRoot, "lib/projects/settings.ts"))).toEqual([
      "lib/projects/settings.ts",
      "zod",
    ]);
    expect(serverOnlyChain(path.join(studioRoot, "lib/projects/progress-line.ts"))).toBeNull();
  });
});
