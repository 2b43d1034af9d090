// The bundled example projects (examples/<name>/: a suite folder and a seed harness.ts).
import fs from "node:fs";
import path from "node:path";
import { StudioError } from "../errors.ts";
import { studioRoot } from "../paths.ts";
import { HARBOR_SPLITS_FILE } from "../suites/harbor.ts";

export const examplesDir = path.join(studioRoot, "examples");

export interface Example {
  name: string;
  title: string;
  description: string;
  mode: string;
  tasks: number;
  /** Harbor tasks that run in containers (a folder of task folders with splits.json). */
  harbor: boolean;
}

export function listExamples(): Example[] {
  if (!fs.existsSync(examplesDir)) return [];
  return fs
    .readdirSync(examplesDir, { withFileTypes: true })
    .filter(
      (entry) =>
        entry.isDirectory() &&
        (fs.existsSync(path.join(examplesDir, entry.name, "suite.json")) ||
          fs.existsSync(path.join(examplesDir, entry.name, HARBOR_SPLITS_FILE))) &&
        fs.existsSync(path.join(examplesDir, entry.name, "harness.ts")),
    )
    .map((entry) => {
      const dir = path.join(examplesDir, entry.name);
      if (!fs.existsSync(path.join(dir, "suite.json"))) return harborExample(entry.name, dir);
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
        harbor: false,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The task model of a project made from an example: the one its seed was written for. Every call
 * goes to the project's model whatever the harness names, so the example runs as it was tuned.
 */
export const EXAMPLE_MODEL = "claude-haiku-5-5";

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

function harborExample(name: string, dir: string): Example {
  const tasks = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, HARBOR_SPLITS_FILE), "utf8")) as object).length;
  const readme = fs.existsSync(path.join(dir, "README.md")) ? fs.readFileSync(path.join(dir, "README.md"), "utf8") : "";
  const description = readme.split("\n\n")[1]?.replace(/\s+/g, " ").trim() ?? "";
  return { name, title: name, description, mode: "independent", tasks, harbor: true };
}

/** Where Debian's busybox-static puts its binary; the Harbor example's images are built from it. */
const BUSYBOX = "/bin/busybox";

/**
 * The Harbor example's environments COPY a static busybox that the repository does not carry
 * (2 MB per task): the machine's own is added to each task's environment/ as it is imported.
 */
export function busyboxForExample(taskNames: string[]): Map<string, Uint8Array> {
  const binary = fs.existsSync(BUSYBOX) ? fs.readFileSync(BUSYBOX) : null;
  // A dynamically linked busybox would not run in a FROM scratch image: check for an interpreter.
  if (!binary || binary.includes(Buffer.from("/lib64/ld-linux")))
    throw new StudioError(
      "The harbor-tasks example builds its images from a static busybox, and none was found at /bin/busybox: install busybox-static (Debian/Ubuntu: apt-get install busybox-static).",
      { code: "invalid" },
    );
  return new Map(taskNames.map((task) => [`${task}/environment/busybox`, new Uint8Array(binary)]));
}
