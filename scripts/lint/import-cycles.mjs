// ESLint rule `local/no-type-import-cycle`: an `import type` (or `export type … from`, or a type
// `import("…")`) that closes an import cycle. `import/no-cycle` skips type-only imports, so a cycle
// with one type-only edge in it (proxy/exchange.ts ↔ proxy/stream-relay.ts was one) passes it; this
// rule reports those, and import/no-cycle reports cycles made of value imports only.
//
// The graph is every file tsconfig.json includes, resolved by TypeScript itself (the `@/` alias,
// `.ts` extensions), counting value and type imports alike. It is read once per ESLint process; the
// file being linted is re-read from its live text.
import path from "node:path";
import ts from "typescript";

let project; // { options, files: Map<file, Set<file>> }

function loadProject(cwd) {
  const configPath = ts.findConfigFile(cwd, ts.sys.fileExists, "tsconfig.json");
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const { options, fileNames } = ts.parseJsonConfigFileContent(config, ts.sys, path.dirname(configPath));
  const files = new Map();
  for (const file of fileNames) {
    if (!/\.[cm]?[jt]sx?$/.test(file) || file.includes("/node_modules/")) continue;
    files.set(path.resolve(file), importsOf(file, ts.sys.readFile(file) ?? "", options));
  }
  return { options, files };
}

function resolve(specifier, fromFile, options) {
  const { resolvedModule } = ts.resolveModuleName(specifier, fromFile, options, ts.sys);
  if (!resolvedModule || resolvedModule.isExternalLibraryImport) return undefined;
  return path.resolve(resolvedModule.resolvedFileName);
}

function importsOf(file, text, options) {
  const targets = new Set();
  for (const { fileName } of ts.preProcessFile(text, true, true).importedFiles) {
    const target = resolve(fileName, file, options);
    if (target) targets.add(target);
  }
  return targets;
}

/** The files that can reach `start` and that `start` can reach (its strongly connected component). */
function componentOf(start, files) {
  const reach = (edges) => {
    const seen = new Set([start]);
    const todo = [start];
    while (todo.length) {
      for (const next of edges(todo.pop()) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          todo.push(next);
        }
      }
    }
    return seen;
  };
  const importers = new Map();
  for (const [from, targets] of files)
    for (const to of targets) importers.set(to, [...(importers.get(to) ?? []), from]);
  const forward = reach((f) => files.get(f));
  const backward = reach((f) => importers.get(f));
  return new Set([...forward].filter((f) => backward.has(f)));
}

/** The shortest path from `from` back to `to` inside `within`, as paths relative to `cwd`. */
function pathBack(from, to, within, files, cwd) {
  const prev = new Map([[from, null]]);
  const todo = [from];
  while (todo.length) {
    const f = todo.shift();
    if (f === to) break;
    for (const next of files.get(f) ?? []) {
      if (within.has(next) && !prev.has(next)) {
        prev.set(next, f);
        todo.push(next);
      }
    }
  }
  const chain = [];
  for (let f = to; f; f = prev.get(f)) chain.unshift(path.relative(cwd, f));
  return chain;
}

const isTypeOnly = (node) =>
  node.importKind === "type" ||
  node.exportKind === "type" ||
  (node.type === "ImportDeclaration" &&
    node.specifiers.length > 0 &&
    node.specifiers.every((s) => s.importKind === "type"));

export const noTypeImportCycle = {
  meta: {
    type: "problem",
    docs: { description: "Forbid a type-only import that closes an import cycle." },
    schema: [],
  },
  create(context) {
    const file = path.resolve(context.physicalFilename);
    const cwd = context.cwd;
    project ??= loadProject(cwd);
    const { options } = project;
    const files = new Map(project.files);
    files.set(file, importsOf(file, context.sourceCode.text, options));
    let component;

    function check(node, specifier) {
      if (typeof specifier !== "string") return;
      const target = resolve(specifier, file, options);
      if (!target) return;
      component ??= componentOf(file, files);
      if (!component.has(target)) return;
      const cycle = [path.relative(cwd, file), ...pathBack(target, file, component, files, cwd)];
      context.report({ node, message: `Type import closes an import cycle: ${cycle.join(" → ")}` });
    }

    return {
      "ImportDeclaration, ExportNamedDeclaration, ExportAllDeclaration"(node) {
        if (node.source && isTypeOnly(node)) check(node, node.source.value);
      },
      TSImportType(node) {
        // typescript-eslint 8: `argument` is a TSLiteralType holding the string.
        check(node, node.argument?.literal?.value ?? node.argument?.value);
      },
    };
  },
};

const plugin = { rules: { "no-type-import-cycle": noTypeImportCycle } };
export default plugin;
