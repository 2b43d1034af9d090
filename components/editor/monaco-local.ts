// Monaco from the local `monaco-editor` package, never from a CDN. This module touches
// `window`, so only the dynamically imported (ssr: false) editors may import it.
// The workers are bundled from the same package (Turbopack follows `new Worker(new URL(…))`).
import { loader } from "@monaco-editor/react";
import * as monaco from "monaco-editor";

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string) {
    if (label === "typescript" || label === "javascript") {
      return new Worker(new URL("monaco-editor/languages/features/typescript/ts.worker.js", import.meta.url), {
        type: "module",
        name: label,
      });
    }
    return new Worker(new URL("monaco-editor/editor/editor.worker.js", import.meta.url), {
      type: "module",
      name: label,
    });
  },
};

// A harness imports @anthropic-ai/sdk, whose types the browser does not have: keep syntax
// errors (useful while editing), drop "cannot find module" noise. The server compiles for real.
monaco.typescript.typescriptDefaults.setDiagnosticsOptions({
  noSemanticValidation: true,
  noSuggestionDiagnostics: true,
  noSyntaxValidation: false,
});
monaco.typescript.typescriptDefaults.setCompilerOptions({
  target: monaco.typescript.ScriptTarget.ESNext,
  module: monaco.typescript.ModuleKind.ESNext,
  allowNonTsExtensions: true,
});

loader.config({ monaco });

/** Light and dark editor themes on the page's own surface colours (app/globals.css). */
export function studioTheme(dark: boolean): string {
  const token = (name: string, fallback: string) => toHex(`var(${name})`) ?? fallback;
  const name = dark ? "studio-dark" : "studio-light";
  monaco.editor.defineTheme(name, {
    base: dark ? "vs-dark" : "vs",
    inherit: true,
    rules: [],
    colors: {
      "editor.background": token("--surface", dark ? "#18181b" : "#ffffff"),
      "editorGutter.background": token("--surface", dark ? "#18181b" : "#ffffff"),
      "editorLineNumber.foreground": token("--text-3", dark ? "#74747e" : "#8a8983"),
    },
  });
  return name;
}

/** A CSS colour as Monaco wants it (#rrggbb): minified CSS says #fff, Monaco refuses that. */
function toHex(color: string): string | null {
  const probe = document.createElement("span");
  probe.style.color = color;
  probe.style.display = "none";
  document.body.appendChild(probe);
  const computed = getComputedStyle(probe).color;
  probe.remove();
  const match = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(computed);
  if (!match) return null;
  return `#${match
    .slice(1, 4)
    .map((part) => Number(part).toString(16).padStart(2, "0"))
    .join("")}`;
}

export { monaco };
