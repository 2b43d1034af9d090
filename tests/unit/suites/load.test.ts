import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ENV_FILE_LIMIT_BYTES } from "../../../lib/suites/format.ts";
import { SuiteLoadError, loadSuiteFolder, type SuiteProblem } from "../../../lib/suites/load.ts";
import { fixtures, makeSuite, sparseFile, suiteJson, task, tasksJsonl } from "./helpers.ts";

/** Loads `dir`, expecting failure; returns the problems as "file:line: message" strings. */
async function problemsOf(dir: string): Promise<string[]> {
  const error = await loadSuiteFolder(dir).then(
    () => null,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(SuiteLoadError);
  return (error as SuiteLoadError).problems.map(
    (p: SuiteProblem) => `${p.file}${p.line === undefined ? "" : `:${p.line}`}: ${p.message}`,
  );
}

const decode = (files: Record<string, string> | null) =>
  Object.fromEntries(Object.entries(files ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]));

describe("loadSuiteFolder: valid suites", () => {
  it("loads an independent suite with defaults, meta and env folders", async () => {
    const suite = await loadSuiteFolder(path.join(fixtures, "arithmetic"));

    expect(suite.dir).toBe(path.join(fixtures, "arithmetic"));
    expect(suite.config).toEqual({
      name: "Arithmetic",
      description: "Answer each arithmetic question with a single number. Some tasks come with files to read.",
      mode: "independent",
      grader: { type: "numeric", tolerance: 0.01, relative: false },
      timeoutMs: 30000,
      passThreshold: 1,
    });
    expect(suite.graderSource).toBeNull();

    // The blank line in tasks.jsonl is skipped and does not count as a position.
    expect(suite.tasks.map((t) => [t.key, t.split, t.position])).toEqual([
      ["add", "search", 0],
      ["divide", "search", 1],
      ["sum-file", "test", 2],
      ["count-lines", "test", 3],
    ]);
    const [add, divide, sumFile, countLines] = suite.tasks;
    expect(add).toMatchObject({ input: "What is 2 + 3?", expected: 5, meta: null, envFiles: null });
    expect(divide).toMatchObject({
      input: { question: "What is 1 / 3?" },
      meta: { source: "handwritten", difficulty: 2 },
    });
    expect(countLines.meta).toBeNull();
    expect(decode(sumFile.envFiles)).toEqual({ "data/more.csv": "4,5\n6\n", "numbers.txt": "1\n2\n3\n" });
    expect(Object.keys(sumFile.envFiles!)).toEqual(["data/more.csv", "numbers.txt"]);
    expect(decode(countLines.envFiles)).toEqual({ "notes.md": "# Notes\n\nthird line\n" });
  });

  it("loads a sequential suite in file order with its module grader source", async () => {
    const suite = await loadSuiteFolder(path.join(fixtures, "stream"));

    expect(suite.config.mode).toBe("sequential");
    expect(suite.config.grader).toEqual({ type: "module", path: "grader.ts" });
    expect(suite.config.passThreshold).toBe(0.5);
    expect(suite.config.timeoutMs).toBe(60_000);
    expect(suite.graderSource).toBe(fs.readFileSync(path.join(fixtures, "stream", "grader.ts"), "utf8"));
    // Stream order is file order, not id order.
    expect(suite.tasks.map((t) => [t.key, t.position])).toEqual([
      ["w3", 0],
      ["w1", 1],
      ["w2", 2],
    ]);
  });

  it("reads a grader from grader.path and copes with CRLF line endings and a byte-order mark", async () => {
    const dir = makeSuite({
      "suite.json": "\uFEFF" + suiteJson({ grader: { type: "module", path: "graders/check.ts" } }),
      "tasks.jsonl": tasksJsonl(task("a"), task("b", "test")).replace(/\n/g, "\r\n"),
      "graders/check.ts": "export default () => ({ score: 1, explanation: 'ok' });\n",
    });
    const suite = await loadSuiteFolder(dir);
    expect(suite.graderSource).toContain("export default");
    expect(suite.tasks.map((t) => t.key)).toEqual(["a", "b"]);
  });

  it("accepts null as an expected answer and keeps an empty env folder as an empty environment", async () => {
    const dir = makeSuite({
      "suite.json": suiteJson(),
      "tasks.jsonl": tasksJsonl(task("a", "search", { expected: null }), task("b")),
    });
    fs.mkdirSync(path.join(dir, "env", "b"), { recursive: true });
    const suite = await loadSuiteFolder(dir);
    expect(suite.tasks[0]).toMatchObject({ expected: null, envFiles: null });
    expect(suite.tasks[1].envFiles).toEqual({});
  });

  it("never writes to the suite folder", async () => {
    const dir = path.join(fixtures, "arithmetic");
    const snapshot = () =>
      fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .map((e) => {
          const s = fs.lstatSync(path.join(e.parentPath, e.name));
          return `${path.relative(dir, path.join(e.parentPath, e.name))} ${s.size} ${s.mtimeMs}`;
        })
        .sort();
    const before = snapshot();
    await loadSuiteFolder(dir);
    expect(snapshot()).toEqual(before);
  });
});

describe("loadSuiteFolder: problems", () => {
  it("reports a missing folder", async () => {
    expect(await problemsOf(path.join(fixtures, "no-such-suite"))).toEqual([".: folder not found"]);
  });

  it("reports missing suite.json and tasks.jsonl together", async () => {
    expect(await problemsOf(makeSuite({ "README.md": "not a suite" }))).toEqual([
      "suite.json: missing: every suite needs a suite.json",
      "tasks.jsonl: missing: every suite needs a tasks.jsonl with one task per line",
    ]);
  });

  it("reports a JSON syntax error in suite.json with its line", async () => {
    const dir = makeSuite({
      "suite.json": '{\n  "name": "x",\n  "mode": "independent",\n}\n',
      "tasks.jsonl": tasksJsonl(task("a")),
    });
    expect(await problemsOf(dir)).toEqual(["suite.json:4: not valid JSON: trailing comma before '}' (column 1)"]);
  });

  it("reports every invalid suite.json field at once", async () => {
    const dir = makeSuite({
      "suite.json": JSON.stringify({
        name: "",
        mode: "parallel",
        grader: { type: "numeric", tolerence: 0.1 },
        timeoutMs: -5,
        passThreshold: 2,
        author: "me",
      }),
      "tasks.jsonl": tasksJsonl(task("a")),
    });
    expect(await problemsOf(dir)).toEqual([
      "suite.json: name must not be empty",
      "suite.json: description is required",
      'suite.json: mode must be "independent" or "sequential"',
      'suite.json: grader: unknown field "tolerence"',
      "suite.json: timeoutMs must be at least 1",
      "suite.json: passThreshold must be between 0 and 1",
      'suite.json: unknown field "author" (fields are name, description, mode, grader, timeoutMs, passThreshold)',
    ]);
  });

  it("reports an unknown grader type, a bad regex and a grader path outside the suite", async () => {
    const cases: [unknown, string][] = [
      [
        { type: "fuzzy" },
        'suite.json: grader.type must be one of "exact", "normalized", "regex", "numeric", "json", "module", got "fuzzy"',
      ],
      [
        { type: "regex", pattern: "(" },
        "suite.json: grader.pattern is not a valid regular expression: Invalid regular expression: /(/: Unterminated group",
      ],
      [{ type: "regex", flags: "q" }, 'suite.json: grader.flags must be valid regex flags (from "dgimsuvy"), got "q"'],
      [
        { type: "module", path: "../elsewhere.ts" },
        'suite.json: grader.path must be a relative path inside the suite folder, such as "grader.ts"',
      ],
      [{}, 'suite.json: grader.type is required (one of "exact", "normalized", "regex", "numeric", "json", "module")'],
    ];
    for (const [grader, problem] of cases) {
      const dir = makeSuite({ "suite.json": suiteJson({ grader }), "tasks.jsonl": tasksJsonl(task("a")) });
      expect(await problemsOf(dir)).toEqual([problem]);
    }
  });

  it("reports a suite.json that is not an object", async () => {
    const dir = makeSuite({ "suite.json": "[1, 2]", "tasks.jsonl": tasksJsonl(task("a")) });
    expect(await problemsOf(dir)).toEqual(["suite.json: must hold a JSON object, not an array"]);
  });

  it("reports every bad tasks.jsonl line with its line number", async () => {
    const lines = [
      JSON.stringify(task("ok")), // 1
      '{"id": "broken", "input": 1,, "expected": 1}', // 2
      "[1, 2, 3]", // 3
      "", // 4: blank, skipped
      JSON.stringify(task("bad-split", "train")), // 5
      JSON.stringify({ id: "no-expected", input: 1, split: "search" }), // 6
      JSON.stringify(task("typo", "search", { answer: 3 })), // 7
      JSON.stringify(task("ok", "test")), // 8: duplicate of line 1
      JSON.stringify(task("a/b")), // 9
      JSON.stringify(task("meta", "test", { meta: [1] })), // 10
      JSON.stringify({ ...task("num-id"), id: 7 }), // 11
      JSON.stringify(task("nul", "search", { input: "a\u0000b" })), // 12
    ];
    const dir = makeSuite({ "suite.json": suiteJson(), "tasks.jsonl": lines.join("\n") });
    expect(await problemsOf(dir)).toEqual([
      'tasks.jsonl:2: not valid JSON: expected a property name in double quotes, found "," (column 29)',
      "tasks.jsonl:3: each line must be a JSON object (one task), not an array",
      'tasks.jsonl:5: split must be "search" or "test"',
      "tasks.jsonl:6: expected is required",
      'tasks.jsonl:7: unknown field "answer" (fields are id, input, expected, split, meta)',
      'tasks.jsonl:8: duplicate id "ok": line 1 already uses it',
      'tasks.jsonl:9: id must be usable as a folder name (env/<id>/): no "/", "\\", control characters, and not "." or ".."',
      "tasks.jsonl:10: meta must be an object",
      "tasks.jsonl:11: id must be a string",
      "tasks.jsonl:12: input contains a NUL character (\\u0000), which the database cannot store",
    ]);
  });

  it("lists problems as file:line: message in the error message", async () => {
    const dir = makeSuite({ "suite.json": suiteJson(), "tasks.jsonl": tasksJsonl(task("a"), task("b", "train")) });
    const error = (await loadSuiteFolder(dir).catch((err: unknown) => err)) as SuiteLoadError;
    expect(error.message).toContain("(1 problem)");
    expect(error.message).toContain('\n  tasks.jsonl:2: split must be "search" or "test"');
  });

  it("requires at least one task", async () => {
    const dir = makeSuite({ "suite.json": suiteJson(), "tasks.jsonl": "\n  \n" });
    expect(await problemsOf(dir)).toEqual(["tasks.jsonl: has no tasks: write one JSON object per line"]);
  });

  it("requires at least one search task", async () => {
    const dir = makeSuite({
      "suite.json": suiteJson(),
      "tasks.jsonl": tasksJsonl(task("a", "test"), task("b", "test")),
    });
    expect(await problemsOf(dir)).toEqual([
      'tasks.jsonl: has no task with split "search": the proposer optimizes on the search split, so at least one is needed',
    ]);
  });

  it("checks expected answers against the grader", async () => {
    const numeric = makeSuite({
      "suite.json": suiteJson({ grader: { type: "numeric" } }),
      "tasks.jsonl": tasksJsonl(
        task("a", "search", { expected: "42" }),
        task("b", "search", { expected: "forty-two" }),
      ),
    });
    expect(await problemsOf(numeric)).toEqual([
      'tasks.jsonl:2: expected must be a number (or a string holding one) for the numeric grader, got "forty-two"',
    ]);

    const regex = makeSuite({
      "suite.json": suiteJson({ grader: { type: "regex" } }),
      "tasks.jsonl": tasksJsonl(
        task("a", "search", { expected: "^4\\d$" }),
        task("b", "search", { expected: 42 }),
        task("c", "search", { expected: "[" }),
      ),
    });
    expect(await problemsOf(regex)).toEqual([
      "tasks.jsonl:2: expected must be a regex pattern string for the regex grader (or set grader.pattern), got 42",
      "tasks.jsonl:3: expected is not a valid regular expression: Invalid regular expression: /[/: Unterminated character class",
    ]);
  });

  it("requires the module grader file", async () => {
    const dir = makeSuite({
      "suite.json": suiteJson({ grader: { type: "module" } }),
      "tasks.jsonl": tasksJsonl(task("a")),
    });
    expect(await problemsOf(dir)).toEqual([
      'grader.ts: missing: grader.type is "module", so the suite needs its grader module',
    ]);

    const empty = makeSuite({
      "suite.json": suiteJson({ grader: { type: "module" } }),
      "tasks.jsonl": tasksJsonl(task("a")),
      "grader.ts": "\n",
    });
    expect(await problemsOf(empty)).toEqual(["grader.ts: is empty: a module grader must export a grading function"]);
  });

  it("reports env folders that name no task, stray files and symbolic links", async () => {
    const dir = makeSuite({
      "suite.json": suiteJson(),
      "tasks.jsonl": tasksJsonl(task("a"), task("b")),
      "env/a/ok.txt": "fine",
      "env/ghost/x.txt": "no task has this id",
      "env/README.md": "stray",
    });
    fs.symlinkSync("/etc/hostname", path.join(dir, "env", "a", "link.txt"));
    fs.symlinkSync(path.join(dir, "env", "a"), path.join(dir, "env", "b"));
    expect(await problemsOf(dir)).toEqual([
      "env/README.md: env holds only folders named after task ids; move this file into env/<task id>/",
      "env/a/link.txt: is a symbolic link: links are not followed, copy the file in instead",
      "env/b: is a symbolic link: links are not followed, copy the file in instead",
      'env/ghost: no task has id "ghost"',
    ]);
  });

  it("does not blame env/<id> for a task whose line is invalid for another reason", async () => {
    const dir = makeSuite({
      "suite.json": suiteJson(),
      "tasks.jsonl": tasksJsonl(task("a"), task("b", "train")),
      "env/b/file.txt": "x",
    });
    expect(await problemsOf(dir)).toEqual(['tasks.jsonl:2: split must be "search" or "test"']);
  });

  it("caps each env file at 5 MiB and the whole env at 50 MiB", async () => {
    const big = makeSuite({ "suite.json": suiteJson(), "tasks.jsonl": tasksJsonl(task("a")) });
    sparseFile(path.join(big, "env/a/at-limit.bin"), ENV_FILE_LIMIT_BYTES);
    sparseFile(path.join(big, "env/a/huge.bin"), ENV_FILE_LIMIT_BYTES + 1);
    expect(await problemsOf(big)).toEqual([
      "env/a/huge.bin: is 5.0 MiB (5242881 bytes), over the 5 MiB limit for one env file",
    ]);

    const many = makeSuite({ "suite.json": suiteJson(), "tasks.jsonl": tasksJsonl(task("a"), task("b")) });
    for (let i = 0; i < 6; i++) {
      sparseFile(path.join(many, `env/a/part${i}.bin`), 4.5 * 1024 * 1024);
      sparseFile(path.join(many, `env/b/part${i}.bin`), 4.5 * 1024 * 1024);
    }
    expect(await problemsOf(many)).toEqual([
      "env: env files total 54 MiB, over the 50 MiB limit for a suite: they are stored in the database and copied into every sandbox",
    ]);
  });

  it("reports problems from every file in one error", async () => {
    const dir = makeSuite({
      "suite.json": suiteJson({ mode: "batch" }),
      "tasks.jsonl": tasksJsonl(task("a", "test"), task("a", "test")),
      "env/zzz/f.txt": "x",
    });
    expect(await problemsOf(dir)).toEqual([
      'suite.json: mode must be "independent" or "sequential"',
      'tasks.jsonl:2: duplicate id "a": line 1 already uses it',
      'tasks.jsonl: has no task with split "search": the proposer optimizes on the search split, so at least one is needed',
      'env/zzz: no task has id "zzz"',
    ]);
  });
});
