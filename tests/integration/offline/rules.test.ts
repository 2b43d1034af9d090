// The offline model's rules engine (lib/offline/rules.ts), rule by rule as RULES.md states them.
// Pure functions: no server, no database. The terminal commands are also run for real with
// /bin/sh on files laid out as the Rule 3 templates describe.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatNumber, operationIn, REACH, readChain, solve } from "../../../lib/offline/arithmetic.ts";
import { classify, findExamples, findLabels, findTextToClassify } from "../../../lib/offline/classify.ts";
import {
  promptCharacters,
  promptText,
  tokensFor,
  words,
  type OfflineMessage,
  type OfflineRequest,
} from "../../../lib/offline/prompt.ts";
import { FALLBACK_ANSWER, answer, explain } from "../../../lib/offline/rules.ts";
import { commandFor, findCommandRuns, namesSeen, parseTask, shellReply } from "../../../lib/offline/shell.ts";

const user = (content: string): OfflineMessage => ({ role: "user", content });
const assistant = (content: string): OfflineMessage => ({ role: "assistant", content });
const ask = (content: string, system?: string) => answer({ system, messages: [user(content)] });

const LABELS = "Labels: billing, refund, password_reset, shipping_delay";

describe("the prompt", () => {
  it("is the system text and every message's text blocks, in order, with tool results as text", () => {
    const request: OfflineRequest = {
      model: "m",
      system: [{ type: "text", text: "SYS" }],
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "one" },
            { type: "image", source: {} },
            { type: "text", text: "two" },
          ],
        },
        { role: "assistant", content: [{ type: "tool_use", id: "t", name: "run", input: { cmd: "ls" } }] },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "out" }] }],
        },
      ],
    };
    expect(promptText(request)).toBe("SYS\none\ntwo\nout");
    // Characters of the texts (3 + 3 + 3 + 3) plus the tool_use input's JSON ({"cmd":"ls"}: 12).
    expect(promptCharacters(request)).toBe(24);
    expect(promptCharacters({ ...request, tools: [{ name: "run" }] })).toBe(
      24 + JSON.stringify([{ name: "run" }]).length,
    );
  });

  it("reads what it can of malformed nested content instead of failing", () => {
    const messages = [
      {
        role: "user",
        content: [{ type: "tool_result", content: 42 }, null, { type: "text", text: "What is 1 plus 1?" }],
      },
    ] as unknown as OfflineMessage[];
    expect(promptText({ messages })).toBe("What is 1 plus 1?");
    expect(answer({ messages })).toBe("Let me see. The answer is 2.");
    expect(promptCharacters({ messages })).toBe("What is 1 plus 1?".length);
  });

  it("counts tokens as ceil(characters / 4), at least one, with code points as characters", () => {
    expect(tokensFor(0)).toBe(1);
    expect(tokensFor(4)).toBe(1);
    expect(tokensFor(5)).toBe(2);
    expect(promptCharacters({ messages: [user("😀😀")] })).toBe(2);
  });

  it("finds words of three or more letters or digits, lowercased", () => {
    expect([...words("My card was CHARGED twice, card #4471 (ok) on_time")]).toEqual([
      "card",
      "was",
      "charged",
      "twice",
      "4471",
      "time",
    ]);
  });
});

describe("Rule 0: answer format", () => {
  it.each([
    "Answer with only the label.",
    "Respond with only one word.",
    "Reply with only the category.",
    "Output only the label",
    "Give only the label",
    "just the label please",
  ])("a bare label when the prompt says %j", (phrase) => {
    expect(ask(`Classify this ticket. ${phrase}\n${LABELS}\nText: my password stopped working`)).toBe("password_reset");
  });

  it("wraps a classification in a sentence otherwise", () => {
    expect(ask(`Classify this ticket.\n${LABELS}\nText: my password stopped working`)).toBe(
      "I think this is about password_reset.",
    );
  });

  it("takes the bare request from anywhere in the prompt, the system prompt included", () => {
    expect(answer({ system: "Answer with only the number.", messages: [user("What is 6 times 7?")] })).toBe("42");
    expect(ask("What is 6 times 7? Just the number.")).toBe("42");
    expect(ask("What is 6 times 7?")).toBe("Let me see. The answer is 42.");
  });
});

describe("Rule 1: classification", () => {
  it("applies when the last user message says classify, classification, category, categories or label", () => {
    for (const word of ["Classify", "classification", "Category", "categories", "LABEL"]) {
      expect(explain({ messages: [user(`${word}?\n${LABELS}\nText: refund please`)] }).rule).toBe("classification");
    }
    // The words must be in the last user message, not only earlier.
    expect(explain({ messages: [user("Classify things."), assistant("ok"), user("hello")] }).rule).toBe("fallback");
  });

  it("reads the text after the last Text: line that is not an example", () => {
    expect(findTextToClassify("Classify.\nText: first\nLabel: a\nText: the real one\nmore")).toBe("the real one");
    expect(findTextToClassify("Classify the parcel delay")).toBe("Classify the parcel delay");
  });

  it("reads the last Labels: line of the prompt, dropping quotes", () => {
    expect(findLabels('Labels: a, b\nlater\nlabels: `x`, "y" , z,')).toEqual(["x", "y", "z"]);
    expect(findLabels("no list here")).toEqual([]);
  });

  it("finds examples in both forms, in prompt order, and does not take the question for one", () => {
    const prompt =
      "- card charged twice => billing\nText: where is my parcel\nLabel: shipping_delay\nText: money back?\nLabels: a, b\nx => y => `z`";
    expect(findExamples(prompt)).toEqual([
      { text: "- card charged twice", label: "billing" },
      { text: "where is my parcel", label: "shipping_delay" },
      { text: "x => y", label: "z" },
    ]);
  });

  it("answers with the label of the example sharing the most distinct words", () => {
    const prompt = [
      "Classify the ticket. Answer with only the label.",
      "my card was charged twice => billing",
      "the parcel is late again, the parcel tracking is stuck => shipping_delay",
      "I want my money back for the order => refund",
      LABELS,
      "Text: my parcel tracking has not moved",
    ].join("\n");
    // "parcel" and "tracking" (2) beat "the" nowhere / "my" (too short): shipping_delay.
    expect(ask(prompt)).toBe("shipping_delay");
    expect(classify(prompt, prompt).by).toBe("example");
  });

  it("counts distinct words: a word repeated in an example counts once", () => {
    const prompt = "Label it.\nparcel parcel parcel => shipping_delay\nparcel money => refund\nText: parcel money";
    expect(ask(`${prompt}\nAnswer with only the label.`)).toBe("refund");
  });

  it("breaks ties in favour of the example that appears last", () => {
    const examples = ["card charged => billing", "card refund => refund"];
    const question = "Answer with only the label.\nText: card problem";
    expect(ask(`Classify.\n${examples.join("\n")}\n${question}`)).toBe("refund");
    expect(ask(`Classify.\n${[...examples].reverse().join("\n")}\n${question}`)).toBe("billing");
  });

  it("uses examples from earlier messages and the system prompt too", () => {
    const request = {
      system: "Text: forgot my password\nLabel: password_reset",
      messages: [
        user("Classify: my card => billing"),
        assistant("noted"),
        user(`Classify. Answer with only the label.\n${LABELS}\nText: I forgot the password`),
      ],
    };
    expect(answer(request)).toBe("password_reset");
  });

  it("falls through to label names when no example shares a word", () => {
    const prompt = `Classify. Answer with only the label.\ncard charged => billing\n${LABELS}\nText: please reset it`;
    expect(ask(prompt)).toBe("password_reset");
    expect(classify(prompt, prompt).by).toBe("label-name");
  });

  it("picks the label whose name shares most words, ties to the first listed, none to the first label", () => {
    const labels = "Labels: damaged_item, wrong_item, shipping_delay";
    expect(ask(`Classify. Just the label.\n${labels}\nText: the wrong item came`)).toBe("wrong_item"); // 2 words beat 1
    expect(ask(`Classify. Just the label.\n${labels}\nText: an item came`)).toBe("damaged_item"); // tie: first listed
    expect(ask(`Classify. Just the label.\n${labels}\nText: hello there`)).toBe("damaged_item"); // none: first listed
  });

  it("answers unknown without examples or labels", () => {
    expect(ask("Classify this. Just the label.\nText: hello there")).toBe("unknown");
    expect(ask("Classify this.\nText: hello there")).toBe("I think this is about unknown.");
  });
});

describe("Rule 2: arithmetic", () => {
  it("reads numbers and the operation word closest before each one", () => {
    expect(readChain("Sam has 12 apples, buys 5 more, then shares them equally among 3 friends. How many?")).toEqual({
      numbers: [12, 5, 3],
      operations: ["+", "/"],
    });
    expect(readChain("What is 2 + 3 * 4 - 1 / 2 × 6 ÷ 3?")).toEqual({
      numbers: [2, 3, 4, 1, 2, 6, 3],
      operations: ["+", "*", "-", "/", "*", "/"],
    });
    expect(readChain("What is 3.5 multiplied by 2 divided by 7 minus 1?")).toEqual({
      numbers: [3.5, 2, 7, 1],
      operations: ["*", "/", "-"],
    });
    expect(readChain("no numbers")).toBeNull();
    expect(operationIn(" apples and ")).toBe("+"); // no operation word: added
    expect(operationIn(" km/h and a well-known ")).toBe("+"); // symbols touching letters name nothing
    expect(readChain("route v2 has 1,200 cars")).toEqual({ numbers: [1, 200], operations: ["+"] });
  });

  it("applies the operations in order, without precedence", () => {
    expect(ask("What is 2 + 3 * 4? Think step by step.")).toContain("The answer is 20.");
  });

  it("answers one-operation problems right without being asked to reason", () => {
    expect(ask("Ann has 12 apples and buys 5 more. How many apples does she have?")).toBe(
      "Let me see. The answer is 17.",
    );
    expect(ask("How much is 7 times 6? Answer with only the number.")).toBe("42");
    expect(ask("Calculate 10 divided by 4")).toBe("Let me see. The answer is 2.5.");
    expect(ask("What is 19?")).toBe("Let me see. The answer is 19.");
  });

  it("slips on the last operation of longer problems: applied to the number before it", () => {
    // (12 + 5) - 3 = 14, but the slip computes 5 - 3 = 2.
    const problem = "Ann has 12 apples, buys 5 more and then gives away 3. How many apples are left?";
    expect(ask(problem)).toBe("Let me see. The answer is 2.");
    expect(ask(`${problem} Answer with only the number.`)).toBe("2");
    // ((2 * 3) + 4) / 5 = 2; the slip computes 4 / 5.
    expect(solve(readChain("What is 2 times 3 plus 4 divided by 5")!, REACH.hasty)).toMatchObject({
      result: 0.8,
      slipped: true,
    });
  });

  it("says one more when the slip would land on the right answer anyway", () => {
    // (4 - 2) * 5 = 10, and the slip 2 * 5 = 10 too: the model answers 11.
    expect(solve({ numbers: [4, 2, 5], operations: ["-", "*"] }, REACH.hasty)).toMatchObject({
      result: 11,
      slipped: true,
    });
    expect(ask("What is 4 minus 2 times 5?")).toBe("Let me see. The answer is 11.");
  });

  it.each(["step by step", "show your work", "Think carefully", "reason about it first"])(
    "computes exactly when the prompt says %j",
    (phrase) => {
      const problem = "Ann has 12 apples, buys 5 more and then gives away 3. How many apples are left?";
      const text = answer({ system: `Please ${phrase}.`, messages: [user(problem)] });
      expect(text).toBe("Let me work through it step by step.\n12 + 5 = 17\n17 - 3 = 14\nThe answer is 14.");
    },
  );

  it("answers at once when a bare answer is asked for, even with reasoning asked too (no room to work)", () => {
    // (12 + 5) - 3 = 14 when worked; answered at once the last step slips: 5 - 3 = 2.
    expect(ask("What is 12 plus 5 minus 3? Think step by step. Answer with only the number.")).toBe("2");
    expect(ask("What is 12 plus 5? Think step by step. Answer with only the number.")).toBe("17");
  });

  it("reasoning keeps two operations exact; a third slips unless the prompt asks to check each step", () => {
    const problem = "Ann has 12 apples, buys 5 more, gives away 3, then shares them equally among 2 friends. How many?";
    // ((12 + 5) - 3) / 2 = 7; the slip on the last step computes 3 / 2.
    expect(answer({ system: "Think step by step.", messages: [user(problem)] })).toBe(
      "Let me work through it step by step.\n12 + 5 = 17\n17 - 3 = 14\n3 / 2 = 1.5\nThe answer is 1.5.",
    );
    expect(solve(readChain(problem)!, REACH.reasoned)).toMatchObject({ result: 1.5, slipped: true });
    // Checking alone, without reasoning, changes nothing.
    expect(answer({ system: "Check each step.", messages: [user(problem)] })).toBe("Let me see. The answer is 1.5.");
    expect(answer({ system: "Think step by step. Check each step before you go on.", messages: [user(problem)] })).toBe(
      [
        "Let me work through it step by step, checking each step.",
        `Problem: ${problem}`,
        "12 + 5 = 17 (check: 17 - 5 = 12)",
        "17 - 3 = 14 (check: 14 + 3 = 17)",
        "14 / 2 = 7 (check: 7 * 2 = 14)",
        "The answer is 7.",
      ].join("\n"),
    );
    expect(ask(`${problem} Show your work and double-check it.`)).toContain("The answer is 7.");
  });

  it("writes numbers plainly with at most six decimals", () => {
    expect(formatNumber(17)).toBe("17");
    expect(formatNumber(-0)).toBe("0");
    expect(formatNumber(2.5)).toBe("2.5");
    expect(formatNumber(1 / 3)).toBe("0.333333");
    expect(formatNumber(1e-9)).toBe("0");
    expect(ask("What is 17 divided by 3? Show your work.")).toBe(
      "Let me work through it step by step.\n17 / 3 = 5.666667\nThe answer is 5.666667.",
    );
  });

  it("needs a question phrase and a number in the last user message", () => {
    expect(explain({ messages: [user("12 plus 5")] }).rule).toBe("fallback");
    expect(explain({ messages: [user("What is the capital of France?")] }).rule).toBe("fallback");
    expect(explain({ messages: [user("What is 2 plus 2?"), assistant("4"), user("thanks")] }).rule).toBe("fallback");
  });

  it("gives up on a division by zero", () => {
    expect(ask("What is 5 divided by 0?")).toBe(FALLBACK_ANSWER);
  });
});

// ── Rule 3 ───────────────────────────────────────────────────────────────────────────────

const LISTING = [
  "total 20",
  "drwxr-xr-x 2 user user 4096 Jan  1 10:00 .",
  "drwxr-xr-x 3 user user 4096 Jan  1 10:00 ..",
  "-rw-r--r-- 1 user user  120 Jan  1 10:00 app.log",
  "-rwxr-xr-x 1 user user   80 Jan  1 10:00 run.sh",
  "-rw-r--r-- 1 user user   40 Jan  1 10:00 data.csv",
  "lrwxrwxrwx 1 user user    7 Jan  1 10:00 latest -> app.log",
].join("\n");

const FIX = "Task: The script run.sh fails; fix the line marked BUG so it prints OK.";
const LOG = "Task: In app.log, find the value of request_id for the request that failed and write it to answer.txt.";
const CONVERT = "Task: Convert data.csv to data.tsv (tabs instead of commas).";
const INSTRUCTION = "Reply with one shell command and nothing else.";

/** A harness's conversation: the task, then each command the model gave and its output. */
function terminalPrompt(task: string, turns: { command: string; output: string }[]): OfflineRequest {
  const messages: OfflineMessage[] = [user(`${task}\n${INSTRUCTION}`)];
  for (const turn of turns) {
    messages.push(assistant(turn.command));
    messages.push(user(`$ ${turn.command}\n${turn.output}\n\n${INSTRUCTION}`));
  }
  return { model: "m", messages };
}

describe("Rule 3: shell tasks", () => {
  it("parses the three Task-line templates, and nothing else", () => {
    expect(parseTask(FIX.slice(6))).toEqual({ kind: "fix", input: "run.sh", argument: undefined });
    expect(parseTask(LOG.slice(6))).toEqual({ kind: "log", input: "app.log", argument: "request_id" });
    expect(parseTask(CONVERT.slice(6))).toEqual({ kind: "convert", input: "data.csv", argument: "data.tsv" });
    expect(parseTask("convert data.csv to data.tsv (tabs instead of commas)")).toMatchObject({ kind: "convert" }); // case, final period
    expect(parseTask("Convert data.csv to ../x.tsv (tabs instead of commas).")).toBeNull(); // no paths
    expect(parseTask("Fix the failing script run.sh.")).toBeNull();
  });

  it("reads command outputs up to a blank line, and listing names from ls -l and plain ls", () => {
    const runs = findCommandRuns(
      `$ ls -la\n${LISTING}\n\nReply with one shell command.\n$ ls\n\`\`\`\nnotes.txt  b.csv\n\`\`\`\n$ cat notes.txt\nnot a listing`,
    );
    expect(runs.map((run) => run.command)).toEqual(["ls -la", "ls", "cat notes.txt"]);
    expect([...namesSeen(runs)].sort()).toEqual(["app.log", "b.csv", "data.csv", "latest", "notes.txt", "run.sh"]);
  });

  it("explores first: ls -la while no listing is in the prompt", () => {
    expect(answer(terminalPrompt(FIX, []))).toBe("ls -la");
    expect(explain(terminalPrompt(FIX, [])).rule).toBe("shell");
  });

  it("needs both the Task line and the reply-with-one-command request", () => {
    expect(explain({ messages: [user(FIX)] }).rule).not.toBe("shell");
    expect(explain({ messages: [user(INSTRUCTION)] }).rule).not.toBe("shell");
  });

  it.each([
    [FIX, ["cat run.sh", "sh run.sh"], commandFor({ kind: "fix", input: "run.sh" })],
    [LOG, [], commandFor({ kind: "log", input: "app.log", argument: "request_id" })],
    [CONVERT, ["head -n 3 data.csv"], commandFor({ kind: "convert", input: "data.csv", argument: "data.tsv" })],
  ])(
    "after a listing, the looks for %j, then its command, then DONE once its output is shown",
    (task, looks, command) => {
      const runs = [{ command: "ls -la", output: LISTING }];
      // One reply per turn: each look in order, each asked only once its predecessor's output is shown.
      for (const look of looks) {
        expect(answer(terminalPrompt(task, runs))).toBe(look);
        runs.push({ command: look, output: "(output)" });
      }
      expect(answer(terminalPrompt(task, runs))).toBe(command);
      expect(answer(terminalPrompt(task, [...runs, { command, output: "(no output)" }]))).toBe("DONE");
      // The looks come after the listing: without it the model explores.
      expect(answer(terminalPrompt(task, runs.slice(1)))).toBe("ls -la");
    },
  );

  it("uses only files seen in a listing: a file named in the task but never listed means more exploring", () => {
    const listing = "-rw-r--r-- 1 user user 10 Jan  1 10:00 other.txt";
    expect(answer(terminalPrompt(FIX, [{ command: "ls -la", output: listing }]))).toBe("ls -la");
    // A harness that echoes the task or a cat output does not count as a listing.
    expect(answer(terminalPrompt(FIX, [{ command: "cat run.sh", output: "run.sh app.log" }]))).toBe("ls -la");
  });

  it("only ls -la for a harness that never shows command output", () => {
    const messages: OfflineMessage[] = [user(`${FIX}\n${INSTRUCTION}`), assistant("ls -la"), user(INSTRUCTION)];
    expect(answer({ messages })).toBe("ls -la");
  });

  it("looks around once and then says DONE for a task it has no template for", () => {
    const task = "Task: Make the tests pass.";
    expect(answer(terminalPrompt(task, []))).toBe("ls -la");
    expect(answer(terminalPrompt(task, [{ command: "ls -la", output: LISTING }]))).toBe("DONE");
  });

  it("replies bare commands even when the prompt asks for sentences elsewhere", () => {
    expect(shellReply(`${FIX}\n${INSTRUCTION}`)).toBe("ls -la");
  });
});

describe("Rule 3's commands on real files with /bin/sh", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "offline-shell-"));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const sh = (command: string) => execFileSync("/bin/sh", ["-c", command], { cwd: dir, encoding: "utf8" });

  it("fix: comments out the line marked BUG and the script prints OK", () => {
    fs.writeFileSync(
      path.join(dir, "check-disk.sh"),
      '#!/bin/sh\nDEBUG=0\nstatus=OK\nstatus=BROKEN  # BUG: overwrites the status\necho "$status"\n',
    );
    expect(sh("sh check-disk.sh")).toBe("BROKEN\n");
    expect(sh(commandFor({ kind: "fix", input: "check-disk.sh" }))).toBe("OK\n");
    expect(fs.readFileSync(path.join(dir, "check-disk.sh"), "utf8")).toContain("DEBUG=0\n"); // "DEBUG" is not the marker
  });

  it("log: writes the failed request's value of the key, even when another key ends the same way", () => {
    fs.writeFileSync(
      path.join(dir, "server.log"),
      "ts=1 id=7 request_id=r-100 status=ok\nts=2 request_id=r-200 status=error id=8 latency_ms=31\nts=3 status=errors request_id=r-300\n",
    );
    expect(sh(commandFor({ kind: "log", input: "server.log", argument: "request_id" }))).toBe("r-200\n");
    expect(fs.readFileSync(path.join(dir, "answer.txt"), "utf8")).toBe("r-200\n");
    expect(sh(commandFor({ kind: "log", input: "server.log", argument: "id" }))).toBe("8\n");
    expect(sh(commandFor({ kind: "log", input: "server.log", argument: "ts" }))).toBe("2\n"); // first field of the line
  });

  it("convert: writes the rows with tabs between the fields, empty fields kept", () => {
    fs.writeFileSync(path.join(dir, "people.csv"), "name,age,city\nAna,31,Porto\nBen,,Leeds\n");
    sh(commandFor({ kind: "convert", input: "people.csv", argument: "people.tsv" }));
    expect(fs.readFileSync(path.join(dir, "people.tsv"), "utf8")).toBe(
      "name\tage\tcity\nAna\t31\tPorto\nBen\t\tLeeds\n",
    );
  });
});

describe("anything else", () => {
  it("gets the fallback answer, and tools change nothing", () => {
    expect(ask("Tell me a joke")).toBe(FALLBACK_ANSWER);
    const withTools = {
      messages: [user("What is 2 plus 3?")],
      tools: [{ name: "calculator", input_schema: { type: "object" } }],
    };
    expect(answer(withTools)).toBe("Let me see. The answer is 5.");
  });

  it("is deterministic", () => {
    const request = { messages: [user(`Classify.\n${LABELS}\nText: where is my refund`)] };
    expect(answer(request)).toBe(answer(structuredClone(request)));
  });
});
