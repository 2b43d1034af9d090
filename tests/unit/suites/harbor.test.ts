// The Harbor importer: task folders become a suite whose tasks carry their container; the split
// comes from --split or splits.json, never a guess; every problem is named by file and line.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { folderFiles } from "../../../lib/suites/files.ts";
import { isHarborFolder, loadHarborSuite, type HarborOptions } from "../../../lib/suites/harbor.ts";
import { SuiteLoadError } from "../../../lib/suites/load.ts";

const fixture = path.resolve(import.meta.dirname, "../../fixtures/harbor");
const folders: string[] = [];
afterAll(() => folders.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** A copy of the fixture, changed by `edit` (path → new content, or null to delete). */
function copy(edit: Record<string, string | null> = {}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-harbor-unit-"));
  folders.push(dir);
  fs.cpSync(fixture, dir, { recursive: true });
  for (const [file, content] of Object.entries(edit)) {
    if (content === null) fs.rmSync(path.join(dir, file), { recursive: true, force: true });
    else {
      fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      fs.writeFileSync(path.join(dir, file), content);
    }
  }
  return dir;
}

async function problemsOf(dir: string, options: HarborOptions = {}): Promise<string[]> {
  const error = await loadHarborSuite(folderFiles(dir), options).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SuiteLoadError);
  return (error as SuiteLoadError).problems.map((p) => `${p.file}${p.line ? `:${p.line}` : ""}: ${p.message}`);
}

const decode = (files: Record<string, string> | null | undefined) =>
  Object.fromEntries(Object.entries(files ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));

describe("loadHarborSuite", () => {
  it("turns task folders into tasks: the instruction is the input, limits from task.toml, splits from splits.json", async () => {
    expect(await isHarborFolder(folderFiles(fixture))).toBe(true);
    const suite = await loadHarborSuite(folderFiles(fixture));
    expect(suite.config).toMatchObject({ mode: "independent", grader: { type: "verifier" }, timeoutMs: 30_000 });
    expect(suite.tasks.map((t) => [t.key, t.split])).toEqual([
      ["sum-numbers", "test"],
      ["write-greeting", "search"],
    ]);
    const [sum, greeting] = suite.tasks;
    expect(greeting.input).toBe("Write the word hello to greeting.txt in the working directory.\n");
    expect(greeting.expected).toBeNull();
    expect(greeting.meta).toEqual({ difficulty: "easy" });
    expect(greeting.container).toMatchObject({
      task: "write-greeting",
      image: null,
      agentTimeoutSec: 30,
      verifierTimeoutSec: 20,
      cpus: 1,
      memoryMb: 128,
      allowInternet: false,
    });
    expect(Object.keys(greeting.container!.context!).sort()).toEqual(["Dockerfile", "app/README"]);
    expect(Object.keys(decode(greeting.container!.tests))).toEqual(["test.sh"]);
    expect(decode(greeting.container!.solution)).toEqual({ "solve.sh": "#!/bin/sh\necho hello > /app/greeting.txt\n" });
    // `memory = "256M"`, the older spelling, counts too.
    expect(sum.container!.memoryMb).toBe(256);
    expect(decode(sum.container!.tests)["expected-total"]).toBe("27\n");
  });

  it("--split puts every task in one split; a single task folder imports on its own", async () => {
    const dir = copy({ "splits.json": null });
    const suite = await loadHarborSuite(folderFiles(dir), { split: "search" });
    expect(suite.tasks.map((t) => t.split)).toEqual(["search", "search"]);

    const single = await loadHarborSuite(folderFiles(path.join(dir, "write-greeting")), { split: "search" });
    expect(single.tasks.map((t) => t.key)).toEqual(["write-greeting"]);
  });

  it("never guesses a split", async () => {
    expect(await problemsOf(copy({ "splits.json": null }))).toEqual([
      "sum-numbers: has no split: pass --split search|test, or map task names to splits in splits.json",
      "write-greeting: has no split: pass --split search|test, or map task names to splits in splits.json",
    ]);
    expect(await problemsOf(fixture, { split: "test" })).toEqual([
      "splits.json: --split test puts every task in one split, and splits.json assigns them too: use one or the other",
    ]);
    expect(await problemsOf(copy({ "splits.json": '{\n  "write-greeting": "search"\n}\n' }))).toEqual([
      'splits.json: names no split for task "sum-numbers": give it "search" or "test"',
    ]);
    expect(
      await problemsOf(
        copy({
          "splits.json": '{\n  "write-greeting": "search",\n  "sum-numbers": "held-out",\n  "nope": "test"\n}\n',
        }),
      ),
    ).toEqual([
      'splits.json:3: "sum-numbers" must be "search" or "test"',
      'splits.json: names no split for task "sum-numbers": give it "search" or "test"',
      'splits.json:4: no task folder is named "nope"',
    ]);
    expect(
      await problemsOf(copy({ "splits.json": '{\n  "write-greeting": "test",\n  "sum-numbers": "test"\n}' })),
    ).toEqual([
      'splits.json: puts no task in the "search" split: the proposer optimizes on the search split, so at least one is needed',
    ]);
  });

  it("reports every problem by file and line", async () => {
    const toml = fs.readFileSync(path.join(fixture, "write-greeting/task.toml"), "utf8");
    const dir = copy({
      "write-greeting/task.toml": toml
        .replace("cpus = 1", 'cpus = "one"')
        .replace("timeout_sec = 20.0", "timeout_sec = -1"),
      "sum-numbers/task.toml": "[agent]\ntimeout_sec = \n",
      "sum-numbers/tests/test.sh": null,
      "sum-numbers/instruction.md": "  \n",
      "stray/notes.txt": "not a task",
      "splits.json": '{\n  "write-greeting": "search",\n  "sum-numbers": "test",\n  "stray": "test"\n}\n',
    });
    expect(await problemsOf(dir)).toEqual([
      "stray: has no task.toml: every folder here must be a Harbor task",
      "sum-numbers/task.toml:2: not valid TOML: invalid value (column 15)",
      "sum-numbers/instruction.md: is empty: it is the task's input",
      "sum-numbers/tests/test.sh: missing: it runs after the agent and writes the reward",
      "write-greeting/task.toml:10: [verifier] timeout_sec must be a positive number",
      "write-greeting/task.toml:13: [environment] cpus must be a positive number",
      'splits.json:4: no task folder is named "stray"',
    ]);
  });

  it("needs a Dockerfile or a docker_image", async () => {
    const dir = copy({ "write-greeting/environment": null });
    expect(await problemsOf(dir)).toEqual([
      "write-greeting/environment/Dockerfile: missing: a task needs an environment/Dockerfile, or [environment] docker_image in task.toml",
    ]);
    const toml = fs.readFileSync(path.join(dir, "write-greeting/task.toml"), "utf8");
    fs.writeFileSync(path.join(dir, "write-greeting/task.toml"), toml + 'docker_image = "debian:bookworm-slim"\n');
    const suite = await loadHarborSuite(folderFiles(dir));
    expect(suite.tasks[1].container).toMatchObject({ image: "debian:bookworm-slim", context: null });
  });
});
