// The bundled example projects (examples/<name>/: a suite folder and a seed harness.ts).
import fs from "node:fs";
import path from "node:path";
import { StudioError } from "../errors.ts";
import { studioRoot } from "../paths.ts";

export const examplesDir = path.join(studioRoot, "examples");

export interface Example {
  name: string;
  title: string;
  description: string;
  mode: string;
  tasks: number;
}

export function listExamples(): Example[] {
  if (!fs.existsSync(examplesDir)) return [];
  return fs
    .readdirSync(examplesDir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        fs.existsSync(path.join(examplesDir, entry.name, "suite.json")) &&
        fs.existsSync(path.join(examplesDir, entry.name, "harness.ts")),
    )
    .map((entry) => {
      const dir = path.join(examplesDir, entry.name);
      const suite = JSON.parse(fs.readFileSync(path.join(dir, "suite.json"), "utf8")) as {
        name?: string;
        description?: string;
        mode?: string;
      };
      const tasks = fs
        .readFileSync(path.join(dir, "tasks.jsonl"), "utf8")
        .split("\n")
        .filter((line) => line.trim()).length;
      return {
        name: entry.name,
        title: suite.name ?? entry.name,
        description: suite.description ?? "",
        mode: suite.mode ?? "independent",
        tasks,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The example's folder; a clear error naming the ones that exist otherwise. */
export function exampleDir(name: string): string {
  const known = listExamples().map((example) => example.name);
  if (!known.includes(name)) {
    throw new StudioError(`No example "${name}".`, {
      code: "invalid",
      hint: known.length ? `Bundled examples: ${known.join(", ")}.` : "This copy of the studio has no examples folder.",
    });
  }
  return path.join(examplesDir, name);
}
