// The proposer's file tools on a real folder: paging of long files and of long trace lines,
// grep's bounds, globs and long-line windows, and the write rules, as the model sees them.
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { grep, globToRegExp } from "../../../lib/proposer/grep.ts";
import { GREP_MATCHES, READ_LINE_CHARS, READ_PAGE_CHARS, READ_PAGE_LINES } from "../../../lib/proposer/limits.ts";
import { runTool } from "../../../lib/proposer/tools.ts";
import { ToolError, WorkspaceFiles } from "../../../lib/proposer/workspace-files.ts";
import { makeWorkspace, type TestWorkspace } from "./workspace.ts";

let workspace: TestWorkspace;
afterEach(() => workspace?.remove());

function open() {
  workspace = makeWorkspace();
  return WorkspaceFiles.open(workspace.workspaceDir, workspace.proposalDir);
}

const put = (relative: string, content: string | Buffer) => {
  const file = path.join(workspace.workspaceDir, relative);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
};

describe("read_file", () => {
  it("pages a long file by lines and says how to read on", () => {
    const files = open();
    const total = READ_PAGE_LINES + 500;
    put("big.txt", Array.from({ length: total }, (_, i) => `line ${i + 1}`).join("\n") + "\n");
    const page = files.readFile("big.txt");
    expect(page).toMatchObject({ startLine: 1, endLine: READ_PAGE_LINES, totalLines: total });
    expect(page.text.split("\n")[0]).toBe(`big.txt (lines 1-${READ_PAGE_LINES} of ${total})`);
    expect(page.text).toContain(`     1\tline 1\n`);
    expect(page.text.split("\n").at(-1)).toBe(`[… 500 more lines: continue with start_line=${READ_PAGE_LINES + 1}]`);
    const rest = files.readFile("big.txt", READ_PAGE_LINES + 1);
    expect(rest).toMatchObject({ startLine: READ_PAGE_LINES + 1, endLine: total });
    expect(rest.text).toContain(`${total}\tline ${total}`);
    expect(rest.text).not.toContain("more lines");
    expect(files.readFile("big.txt", 10, 12).text.split("\n")).toEqual([
      "big.txt (lines 10-12 of 2500)",
      "    10\tline 10",
      "    11\tline 11",
      "    12\tline 12",
      "[… 2488 more lines: continue with start_line=13]",
    ]);
    expect(() => files.readFile("big.txt", total + 1)).toThrow(
      `start_line ${total + 1} is past the end: big.txt has ${total} lines`,
    );
  });

  it("cuts a very long trace line inside a page and reads it whole, piece by piece, on its own", () => {
    const files = open();
    const long = `{"kind":"model_call","body":"${"x".repeat(READ_PAGE_CHARS + 1000)}","tail":"THE END"}`;
    put("t.jsonl", `{"kind":"log"}\n${long}\n{"kind":"grade"}\n`);
    const page = files.readFile("t.jsonl");
    expect(page.endLine).toBe(3);
    expect(page.text).toContain(
      `[… line 2 continues: ${long.length - READ_LINE_CHARS} more characters; read it alone (start_line=end_line=2, char_offset=${READ_LINE_CHARS}) for the rest]`,
    );
    expect(page.text).toContain('     3\t{"kind":"grade"}');

    const first = files.readFile("t.jsonl", 2, 2);
    expect(first.text).toContain(`(line 2 of 3, characters 0-${READ_PAGE_CHARS} of ${long.length})`);
    const rest = long.length - READ_PAGE_CHARS;
    expect(first.text).toContain(`[… ${rest} more characters in line 2: continue with char_offset=${READ_PAGE_CHARS}]`);
    const second = files.readFile("t.jsonl", 2, 2, READ_PAGE_CHARS);
    expect(second.text).toContain('"tail":"THE END"}');
    expect(second.text).not.toContain("more characters");
    // Nothing is lost between the two pieces.
    const body = (text: string) => text.split("\n")[1].split("\t")[1];
    expect(body(first.text) + body(second.text)).toBe(long);
    expect(() => files.readFile("t.jsonl", 1, 3, 10)).toThrow(ToolError);
  });

  it("says what a binary file, an empty file and a folder are instead of dumping them", () => {
    const files = open();
    put("blob.bin", Buffer.from([1, 0, 2, 3]));
    put("empty.txt", "");
    expect(files.readFile("blob.bin").text).toBe("blob.bin: binary file of 4 B; not shown");
    expect(files.readFile("empty.txt").text).toBe("empty.txt: empty file");
    expect(() => files.readFile("candidates")).toThrow("candidates is a folder; list it with list_dir");
    expect(() => files.readFile("nope.txt")).toThrow("nope.txt: no such file or folder in the workspace");
  });
});

describe("list_dir", () => {
  it("lists the root and sub-folders with sizes and entry counts", () => {
    const files = open();
    const root = files.listDir();
    expect(root.split("\n")[0]).toMatch(/^\.\/ \(\d+ entries\)$/);
    expect(root).toContain("candidates/  (2 entries)");
    expect(root).toContain("README.md  (");
    expect(files.listDir("candidates/cand-seed")).toContain("traces/  (2 entries)");
    expect(() => files.listDir("README.md")).toThrow("README.md is a file, not a folder");
  });
});

describe("grep", () => {
  it("finds lines under a path, filtered by a glob on names or paths", async () => {
    const files = open();
    const byName = await grep(files, { pattern: '"kind":"grade"', glob: "*.jsonl" });
    expect(byName).toMatch(/^3 matching lines in 3 files under the workspace/);
    expect(byName).toContain("candidates/cand-seed/traces/add.jsonl:3: ");
    const byPath = await grep(files, { pattern: '"status":"failed"', path: "candidates", glob: "*/scores.json" });
    expect(byPath.split("\n").slice(1)).toEqual([expect.stringMatching(/^candidates\/cand-seed\/scores\.json:5: /)]);
    expect(await grep(files, { pattern: "DIVIDE", path: "candidates/cand-two/scores.json", ignoreCase: true })).toMatch(
      /^1 matching lines/,
    );
    expect(await grep(files, { pattern: "no-such-text" })).toMatch(
      /^no matches for \/no-such-text\/ in the workspace \(\d+ files searched\)$/,
    );
    await expect(grep(files, { pattern: "(" })).rejects.toThrow(/invalid regular expression/);
  });

  it("stops at its bound and shows a window around the match of a long line", async () => {
    const files = open();
    put("many.txt", Array.from({ length: GREP_MATCHES + 50 }, (_, i) => `hit ${i}`).join("\n"));
    const many = await grep(files, { pattern: "hit", path: "many.txt" });
    expect(many.split("\n").filter((line) => line.startsWith("many.txt:"))).toHaveLength(GREP_MATCHES);
    expect(many).toContain(
      `[stopped after ${GREP_MATCHES} matching lines; more exist. Narrow the search with path or glob.]`,
    );

    put("long.jsonl", `${"a".repeat(50_000)}NEEDLE${"b".repeat(50_000)}\n`);
    const window = await grep(files, { pattern: "NEEDLE", path: "long.jsonl" });
    expect(window).toMatch(/long\.jsonl:1:\[characters \d+-\d+ of 100006; match at 50000\] …a+NEEDLEb+…/);
    expect(window.length).toBeLessThan(1_000);
  });

  it("skips hidden folders and symbolic links while walking", async () => {
    const files = open();
    put(".studio/manifest.json", "FINDME");
    fs.symlinkSync(workspace.outsideDir, path.join(workspace.workspaceDir, "link"));
    fs.writeFileSync(path.join(workspace.outsideDir, "more.txt"), "FINDME");
    put("visible.txt", "FINDME");
    expect((await grep(files, { pattern: "FINDME" })).split("\n").slice(1)).toEqual(["visible.txt:1: FINDME"]);
  });

  it("turns globs into anchored patterns", () => {
    expect(globToRegExp("*.json").test("scores.json")).toBe(true);
    expect(globToRegExp("*.json").test("a/scores.json")).toBe(false);
    expect(globToRegExp("candidates/*/traces/*.jsonl").test("candidates/c1/traces/add.jsonl")).toBe(true);
    expect(globToRegExp("**/scores.json").test("candidates/c1/scores.json")).toBe(true);
    expect(globToRegExp("**/scores.json").test("scores.json")).toBe(true);
    expect(globToRegExp("*.{ts,md}").test("harness.ts")).toBe(true);
    expect(globToRegExp("*.{ts,md}").test("a,b")).toBe(false);
    expect(globToRegExp("a,b").test("a,b")).toBe(true);
  });
});

describe("write_file", () => {
  it("writes and appends under the proposal folder only, never through a link", () => {
    const files = open();
    expect(files.writeFile("proposals/3/a/harness.ts", "line 1\n")).toBe(
      "wrote proposals/3/a/harness.ts (now 7 B, 1 lines)",
    );
    expect(files.writeFile("proposals/3/a/harness.ts", "line 2\n", true)).toBe(
      "appended to proposals/3/a/harness.ts (now 14 B, 2 lines)",
    );
    expect(fs.readFileSync(path.join(workspace.proposalDir, "a/harness.ts"), "utf8")).toBe("line 1\nline 2\n");
    // A link to a file outside, planted in the proposal folder.
    fs.symlinkSync(path.join(workspace.outsideDir, "secret.txt"), path.join(workspace.proposalDir, "planted.ts"));
    expect(() => files.writeFile("proposals/3/planted.ts", "x")).toThrow(
      "proposals/3/planted.ts is a symbolic link; writing through it is refused",
    );
    expect(fs.readFileSync(path.join(workspace.outsideDir, "secret.txt"), "utf8")).toBe("the studio's secret\n");
    expect(() => files.writeFile("proposals/2/harness.ts", "x")).toThrow(
      /writing is allowed only under proposals\/3\//,
    );
    expect(() => files.writeFile("proposals/3", "x")).toThrow(/writing is allowed only under proposals\/3\//);
    expect(() => files.writeFile("proposals/3/a/../../3/ok.ts", "x")).not.toThrow();
    expect(() => files.writeFile("proposals/3/huge.ts", "x".repeat(1024 * 1024 + 1))).toThrow(/the limit is 1 MiB/);
  });

  it("comes back to the model as a tool error, with the input checked against the schema", async () => {
    const files = open();
    const context = { files, candidatesWanted: 3, onFileRead: () => {}, onNote: () => {} };
    expect(await runTool("write_file", { path: "../escape.ts", content: "x" }, context)).toEqual({
      text: "../escape.ts is outside the workspace; refused",
      isError: true,
    });
    expect(await runTool("read_file", { path: "README.md", start_line: "two" }, context)).toMatchObject({
      isError: true,
      text: expect.stringContaining("invalid input for read_file"),
    });
    expect(await runTool("rm_rf", {}, context)).toMatchObject({
      isError: true,
      text: expect.stringContaining("unknown tool rm_rf"),
    });
  });
});
