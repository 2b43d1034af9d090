// The offline proposer's code transformations on harnesses of many shapes: the product's example
// seeds (edited in place), code full of traps for a naive reader (braces in strings, regexes,
// comments), and shapes with no anchor (written from a template instead). Every output must
// compile under the studio's rules; the generated code is also run, with a fake ctx, to check
// that it does what the rationale says.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import {
  alreadyApplied,
  buildHarness,
  fromTemplate,
  type FixContext,
  type FixId,
} from "../../../lib/proposer/offline/fixes.ts";
import { SHELL_FIRST_TURNS } from "../../../lib/proposer/offline/templates.ts";
import { findRun, maskSource } from "../../../lib/proposer/offline/source.ts";
import { compileHarness } from "../../../lib/runner/sandbox/compile.ts";
import { scratchDir } from "./helpers.ts";

const scratch = scratchDir("studio-offline-fixes-");
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const examples = path.resolve(import.meta.dirname, "../../../examples");
const label: FixContext = {
  model: "claude-haiku-5-5",
  job: "Label each ticket with one of task.input.labels.",
  answerKind: "label",
};
const number: FixContext = { ...label, job: "Solve the word problem.", answerKind: "number" };

async function compiles(source: string): Promise<string> {
  const compiled = await compileHarness(source);
  if (!compiled.ok) throw new Error(`does not compile: ${JSON.stringify(compiled.errors)}\n${source}`);
  return compiled.code;
}

let modules = 0;
/** The harness compiled as the sandbox would and imported here, to call run/learn with a fake ctx. */
async function load(source: string): Promise<{
  run: (task: unknown, ctx: unknown) => Promise<unknown>;
  learn?: (task: unknown, feedback: unknown, ctx: unknown) => Promise<void>;
}> {
  const file = path.join(scratch, `harness-${++modules}.mjs`);
  // The bundle's inline source map names harness.ts, which is not on disk here: drop it.
  fs.writeFileSync(file, (await compiles(source)).replace(/^\/\/# sourceMappingURL=.*$/m, ""));
  return ((await import(pathToFileURL(file).href)) as { default: never }).default;
}

/** A ctx whose model replies from a script and remembers every request. */
function fakeCtx(
  replies: string[] = ["ok"],
  exec?: (command: string) => { stdout: string; stderr: string; exitCode: number },
) {
  const requests: Record<string, unknown>[] = [];
  const commands: string[] = [];
  return {
    requests,
    commands,
    ctx: {
      state: {} as Record<string, unknown>,
      signal: new AbortController().signal,
      log: () => {},
      model: {
        messages: {
          create: async (params: Record<string, unknown>) => {
            requests.push(structuredClone(params));
            return { content: [{ type: "text", text: replies[Math.min(requests.length - 1, replies.length - 1)] }] };
          },
        },
      },
      exec: async (command: string) => {
        commands.push(command);
        return exec ? exec(command) : { stdout: `output of ${command}\n`, stderr: "", exitCode: 0 };
      },
    },
  };
}

const userText = (request: Record<string, unknown>) =>
  (request.messages as { role: string; content: string }[]).at(-1)!.content;

describe("on the product's example seeds", () => {
  const seeds = {
    classification: path.join(examples, "text-classification/harness.ts"),
    math: path.join(examples, "math-word-problems/harness.ts"),
    terminal: path.join(examples, "terminal-tasks/harness.ts"),
  };
  const cases: [keyof typeof seeds, FixId[], FixContext][] = [
    ["classification", ["bare-answer"], label],
    ["classification", ["learn-examples", "bare-answer"], label],
    ["math", ["step-by-step"], number],
    ["math", ["step-by-step", "bare-answer"], number],
    ["terminal", ["shell-loop"], label],
  ];
  for (const [seed, fixes, context] of cases) {
    it.skipIf(!fs.existsSync(seeds[seed]))(`${seed}: ${fixes.join(" + ")} is an edit that compiles`, async () => {
      const base = fs.readFileSync(seeds[seed], "utf8");
      const built = buildHarness(base, fixes, context, "edit");
      expect(built.fallbackReason).toBeUndefined();
      expect(built.method).toBe("edit");
      expect(built.changes).toHaveLength(fixes.length);
      await compiles(built.source);
      for (const fix of fixes) {
        expect(alreadyApplied(base, fix)).toBe(false);
        expect(alreadyApplied(built.source, fix)).toBe(true);
      }
    });
  }
});

describe("edits land where the code says, not where a naive search would", () => {
  // Braces, quotes and `run(` inside strings, a regex and comments; a system prompt of its own.
  const tricky = `// a comment with a { brace, a "quote and run( in it
const PATTERN = /\\{"run\\(":/g; /* } */
const SYSTEM = \`You sort tickets. Keep {curly} braces: \${"}"}\`;
export default {
  name: "tricky, with a comma: run(",
  async run(task: { input: { text: string } }, ctx: { model: any }): Promise<string> {
    const note = "ignore this: run(";
    const reply = await ctx.model.messages.create({
      model: MODEL,
      system: SYSTEM,
      max_tokens: 50,
      messages: [{ role: "user", content: \`Classify: \${task.input.text.replace(PATTERN, "")}\` }],
    });
    return String(reply.content[0].text + note.slice(0, 0)).trim();
  },
};
const MODEL = "claude-haiku-5-5";
`;

  it("reads the source: literals, comments and regexes do not fool the run() finder", () => {
    const masked = maskSource(tricky);
    expect(masked.code).toHaveLength(tricky.length);
    expect(masked.code).not.toContain("quote");
    const run = findRun(masked)!;
    expect(tricky.slice(run.start, run.paramsOpen)).toBe("async run");
    expect(run.params).toEqual(["task", "ctx"]);
    expect(tricky.slice(run.bodyClose - 4, run.bodyClose + 2)).toBe(";\n  },");
  });

  it("learn-examples + bare-answer: the memory joins the harness's own system prompt, the instruction opens the prompt", async () => {
    const built = buildHarness(tricky, ["learn-examples", "bare-answer"], label, "edit");
    expect(built.method).toBe("edit");
    expect(built.source).toContain("system: exampleMemory.system(ctx, task.input, SYSTEM),");
    const harness = await load(built.source);
    const { ctx, requests } = fakeCtx(["relocation"]);
    await harness.learn!(
      { input: { text: "The parcel went to my old flat" } },
      { expected: "relocation", output: "", score: 0 },
      ctx,
    );
    await harness.learn!({ input: { text: "The camera freezes" } }, { expected: "crash", output: "", score: 0 }, ctx);
    await harness.run({ input: { text: "My parcel is at the old flat again" } }, ctx);
    const system = String(requests[0].system);
    // The harness's own system prompt first, then the examples, the most similar last.
    expect(system).toBe(
      "You sort tickets. Keep {curly} braces: }\n\nLabelled examples from earlier tasks:\nText: The camera freezes\nLabel: crash\nText: The parcel went to my old flat\nLabel: relocation",
    );
    expect(userText(requests[0])).toBe(
      "Answer with only the label, nothing else.\nClassify: My parcel is at the old flat again",
    );
  });

  it("content-words: the memory ignores common words and shows no unrelated example, as an edit or a template", async () => {
    const withMemory = buildHarness(tricky, ["learn-examples", "bare-answer"], label, "edit").source;
    const refined = buildHarness(withMemory, ["content-words"], label, "edit");
    expect(refined).toMatchObject({ method: "edit", changes: [expect.stringContaining("words that carry meaning")] });
    expect(alreadyApplied(withMemory, "content-words")).toBe(false);
    expect(alreadyApplied(refined.source, "content-words")).toBe(true);
    // Without a memory to refine, a template with one (and the fix) is written instead.
    const fallback = buildHarness(tricky, ["content-words"], label, "edit");
    expect(fallback).toMatchObject({
      method: "template",
      fallbackReason: expect.stringContaining("no example memory"),
    });
    expect(alreadyApplied(fallback.source, "content-words")).toBe(true);

    for (const source of [withMemory, refined.source, fallback.source]) {
      const harness = await load(source);
      const { ctx, requests } = fakeCtx(["x"]);
      const teach = (text: string, expected: string) =>
        harness.learn!({ input: { text } }, { expected, output: "", score: 0 }, ctx);
      await teach("I moved to Porto, can the delivery go to my new street?", "change_address");
      await teach("The parcel for my keyboard is late", "shipping_delay");
      await harness.run({ input: { text: "The app crashes when I open it" } }, ctx); // shares only "the"
      await harness.run({ input: { text: "Where is my keyboard parcel?" } }, ctx); // shares "keyboard", "parcel"
      const [unrelated, related] = requests.map((request) => String(request.system ?? ""));
      if (source === withMemory) {
        expect(unrelated).toContain("change_address"); // matched on "the"
      } else {
        expect(unrelated).not.toContain("Labelled examples"); // nothing related: the label names decide
        expect(related).toContain("Text: The parcel for my keyboard is late\nLabel: shipping_delay");
        expect(related).not.toContain("change_address");
      }
    }
  });

  it("a helper with a run() of its own does not pass for the harness's run()", async () => {
    const source = `const shell = { async run(command: string) { return command; } };
export default {
  async run(task: { input: string }, ctx: { model: any }) {
    const reply = await ctx.model.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "Classify: " + task.input }] });
    return shell.run(reply.content[0].text);
  },
};`;
    const built = buildHarness(source, ["learn-examples"], label, "edit");
    expect(built.method).toBe("edit");
    expect(built.source).toContain("const shell = { async run(command: string) { return command; } };");
    expect(built.source).toContain("messages.create({ system: exampleMemory.system(ctx, task.input), model:");
    const looped = buildHarness(source, ["shell-loop"], label, "edit");
    expect(looped.source).toContain("const shell = { async run(command: string) { return command; } };");
    expect(looped.source).toContain("async run(task: { input: unknown }, ctx: ShellContext) {");
    await compiles(looped.source);
  });

  it("run() as a function declaration: learn() joins the exported object, the loop replaces the function", async () => {
    const declared = `import Anthropic from "@anthropic-ai/sdk";
const MODEL = "claude-haiku-5-5";
export async function run(task: { input: string }, ctx: { model: Anthropic; exec: (c: string) => Promise<{ stdout: string }> }) {
  const reply = await ctx.model.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: "user", content: "Task: " + task.input + "\\nReply with one shell command." }] });
  const text = reply.content.map((b) => (b.type === "text" ? b.text : "")).join("");
  return (await ctx.exec(text)).stdout;
}
export default { run };
`;
    const learned = buildHarness(declared, ["learn-examples"], label, "edit");
    expect(learned.method).toBe("edit");
    expect(learned.source).toMatch(/export default \{\n  \/\*\* Sequential suites[^\n]*\n  async learn\(/);
    await compiles(learned.source);

    const looped = buildHarness(declared, ["shell-loop"], label, "edit");
    expect(looped.method).toBe("edit");
    expect(looped.source).toContain("export async function run(task: { input: unknown }, ctx: ShellContext) {");
    expect(looped.source).toContain("messages.create({ model: MODEL, max_tokens: 512, messages }");
    expect(looped.source).toContain("maxTurns: 2,");
    // more-turns raises the loop's limit by one, in place.
    const roomier = buildHarness(looped.source, ["more-turns"], label, "edit");
    expect(roomier.method).toBe("edit");
    expect(roomier.changes).toEqual([expect.stringContaining("allows 3 commands per task (was 2)")]);
    expect(roomier.source.replace("maxTurns: 3,", "maxTurns: 2,")).toBe(looped.source);
    const harness = await load(roomier.source);
    const { ctx, requests, commands } = fakeCtx(["ls -la", "cat notes.txt", "DONE"]);
    const output = await harness.run({ input: "Convert a.csv to a.tsv (tabs instead of commas)." }, ctx);
    expect(commands).toEqual(["ls -la", "cat notes.txt"]);
    expect(requests).toHaveLength(3);
    expect(userText(requests[0])).toBe(
      "Task: Convert a.csv to a.tsv (tabs instead of commas).\nReply with one shell command and nothing else. You will see its output; reply DONE when the task is complete.",
    );
    expect(userText(requests[2])).toBe(
      "$ cat notes.txt\noutput of cat notes.txt\n\nReply with the next shell command, or DONE if the task is complete.",
    );
    expect((requests[2].messages as { role: string }[]).map((message) => message.role)).toEqual([
      "user",
      "assistant",
      "user",
      "assistant",
      "user",
    ]);
    expect(output).toBe("$ ls -la\noutput of ls -la\n$ cat notes.txt\noutput of cat notes.txt");
  });

  it("the command loop is bounded, cuts long output, and reports failed commands", async () => {
    const built = buildHarness(
      fs.readFileSync(path.join(examples, "terminal-tasks/harness.ts"), "utf8"),
      ["shell-loop"],
      label,
      "edit",
    );
    const harness = await load(built.source);
    const { ctx, requests, commands } = fakeCtx(["```sh\n$ yes | head -c 9000\n```"], () => ({
      stdout: "y".repeat(9000),
      stderr: "oops",
      exitCode: 3,
    }));
    await harness.run({ input: "Task: loop forever" }, ctx);
    expect(commands).toHaveLength(SHELL_FIRST_TURNS);
    expect(commands[0]).toBe("yes | head -c 9000");
    const shown = userText(requests[1]);
    expect(shown).toMatch(/^\$ yes \| head -c 9000\ny{4000}\n\[… 5004 more characters cut\]\n\(exit code 3\)\n\n/);
    expect(userText(requests[0]).startsWith("Task: loop forever\n")).toBe(true);
  });
});

describe("the refinements: checking, more room, more commands, the folder up front", () => {
  const mathSeed = fs.readFileSync(path.join(examples, "math-word-problems/harness.ts"), "utf8");
  const number: FixContext = { ...label, answerKind: "number" };

  it("check-steps joins step-by-step at the start of the prompt; more-tokens doubles max_tokens", async () => {
    const reasoned = buildHarness(mathSeed, ["step-by-step"], number, "edit");
    const checked = buildHarness(reasoned.source, ["check-steps"], number, "edit");
    expect(checked.method).toBe("edit");
    expect(checked.source).toContain(
      'content: "Check each step before you go on.\\nThink step by step, and give the final answer last.\\n" + task.input',
    );
    const roomier = buildHarness(checked.source, ["more-tokens"], number, "edit");
    expect(roomier.changes).toEqual([expect.stringContaining("max_tokens is now 160 (was 80)")]);
    expect(roomier.source.replace("max_tokens: 160,", "max_tokens: 80,")).toBe(checked.source);
    await compiles(roomier.source);
    // A template keeps the base's limit, and more-tokens doubles it there too.
    const limits = { maxTokens: 80, maxTurns: null };
    expect(fromTemplate(["step-by-step"], { ...number, limits }).source).toContain("max_tokens: 80,");
    expect(fromTemplate(["step-by-step", "more-tokens"], { ...number, limits }).source).toContain("max_tokens: 160,");
    // With no number to raise, the edit says so and the template takes over.
    const unnamed = mathSeed
      .replace("max_tokens: 80,", "max_tokens: LIMIT,")
      .replace("export default", "const LIMIT = 80;\nexport default");
    const fallback = buildHarness(unnamed, ["more-tokens"], { ...number, limits }, "edit");
    expect(fallback).toMatchObject({
      method: "template",
      fallbackReason: expect.stringContaining("more-tokens: found no max_tokens"),
    });
  });

  it("listing-first: the loop shows `ls -la` in the first message, so the first command can act", async () => {
    const seed = fs.readFileSync(path.join(examples, "terminal-tasks/harness.ts"), "utf8");
    const looped = buildHarness(seed, ["shell-loop"], label, "edit");
    const listed = buildHarness(looped.source, ["listing-first"], label, "edit");
    expect(listed.method).toBe("edit");
    const harness = await load(listed.source);
    const { ctx, requests, commands } = fakeCtx(["cat run.sh", "DONE"]);
    await harness.run({ input: "The script run.sh fails; fix the line marked BUG so it prints OK." }, ctx);
    // ls -la ran before any model call; its output opens the conversation as a `$ ` block.
    expect(commands).toEqual(["ls -la", "cat run.sh"]);
    expect(userText(requests[0])).toBe(
      "Task: The script run.sh fails; fix the line marked BUG so it prints OK.\nReply with one shell command and nothing else. You will see its output; reply DONE when the task is complete.\n\n$ ls -la\noutput of ls -la\n",
    );
    // Not proposed twice; a template with it has it too.
    expect([alreadyApplied(looped.source, "listing-first"), alreadyApplied(listed.source, "listing-first")]).toEqual([
      false,
      true,
    ]);
    const fresh = fromTemplate(["shell-loop", "listing-first", "more-turns"], {
      ...label,
      limits: { maxTokens: null, maxTurns: 3 },
    });
    expect(fresh.source).toContain("maxTurns: 4,");
    expect(fresh.source).toContain('await ctx.exec("ls -la"');
    await compiles(fresh.source);
  });
});

describe("shapes with no anchor get a complete harness from a template", () => {
  const shapes: Record<string, string> = {
    "run as an arrow property": `export default { run: async (task: { input: string }, ctx: { model: any }) => {
  const reply = await ctx.model.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "Classify: " + task.input }] });
  return reply.content[0].text;
} };`,
    "a default export that is not an object literal": `const harness = { async run(task: { input: string }, ctx: { model: any }) {
  const reply = await ctx.model.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: task.input }] });
  return reply.content[0].text;
} };
export default harness;`,
    "a destructured task": `export default { async run({ input }: { input: string }, ctx: { model: any }) {
  const reply = await ctx.model.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: "Label: " + input }] });
  return reply.content[0].text;
} };`,
    "the model called from a helper": `async function ask(ctx: { model: any }, text: string) {
  const reply = await ctx.model.messages.create({ model: "m", max_tokens: 10, messages: [{ role: "user", content: text }] });
  return reply.content[0].text;
}
export default { async run(task: { input: string }, ctx: { model: any }) { return ask(ctx, task.input); } };`,
  };

  for (const [shape, source] of Object.entries(shapes)) {
    it(`${shape}: learn-examples + bare-answer`, async () => {
      const built = buildHarness(source, ["learn-examples", "bare-answer"], label, "edit");
      expect(built.method).toBe("template");
      expect(built.fallbackReason).toMatch(/^learn-examples: /);
      const harness = await load(built.source);
      const { ctx, requests } = fakeCtx(["billing"]);
      await harness.learn!(
        { input: { text: "charged twice this month", labels: ["billing", "shipping"] } },
        { expected: "billing", output: "", score: 1 },
        ctx,
      );
      expect(await harness.run({ input: { text: "charged twice again", labels: ["billing", "shipping"] } }, ctx)).toBe(
        "billing",
      );
      expect(userText(requests[0])).toBe(
        "Label each ticket with one of task.input.labels.\nAnswer with only the label, nothing else.\n\nText: charged twice again\nLabels: billing, shipping",
      );
      expect(requests[0].system).toBe(
        "Labelled examples from earlier tasks:\nText: charged twice this month\nLabel: billing",
      );
      expect(requests[0].model).toBe("claude-haiku-5-5");
    });
  }

  it("a numeric answer comes back as a number when the suite's answers are numbers", async () => {
    const built = buildHarness(
      shapes["a default export that is not an object literal"],
      ["learn-examples", "step-by-step"],
      number,
      "edit",
    );
    expect(built.method).toBe("template");
    const harness = await load(built.source);
    const { ctx, requests } = fakeCtx(["42"]);
    expect(await harness.run({ input: "What is 6 times 7?" }, ctx)).toBe(42);
    expect(userText(requests[0])).toBe(
      "Solve the word problem.\nThink step by step, and give the final answer last.\n\nWhat is 6 times 7?",
    );
    expect(requests[0].system).toBeUndefined();
  });

  it("the command loop, when there is no run() to replace", async () => {
    const built = buildHarness(shapes["run as an arrow property"], ["shell-loop"], label, "edit");
    expect(built.method).toBe("template");
    const harness = await load(built.source);
    const { ctx, commands } = fakeCtx(["ls -la", "DONE"]);
    await harness.run({ input: "The script x.sh fails; fix the line marked BUG so it prints OK." }, ctx);
    expect(commands).toEqual(["ls -la"]);
  });

  it("an edit that would need an anchor the prompt does not have: the instruction goes before the message content", async () => {
    const built = buildHarness(shapes["the model called from a helper"], ["step-by-step"], number, "edit");
    expect(built.method).toBe("edit");
    expect(built.source).toContain('content: "Think step by step, and give the final answer last.\\n" + text');
    await compiles(built.source);
  });
});
