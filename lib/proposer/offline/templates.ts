// The harness code the offline proposer writes: the pieces its edits insert into a base harness,
// and the complete harnesses it writes when a base has no place for an edit. Both paths use the
// same pieces, so a fix behaves the same whichever way it got into a candidate.
//
// Everything here is plain TypeScript that imports only @anthropic-ai/sdk (the studio's rule),
// and it is typed, so a person reading a proposal reads ordinary code.
import { listFirst } from "./budget-fixes.ts";

/** The prompt lines each fix adds. Worded to trigger only the rule they are for (lib/offline/RULES.md). */
export const INSTRUCTIONS = {
  /** Rule 0: a bare value. "label" would make an arithmetic question look like classification, so each kind gets its own word. */
  bareLabel: "Answer with only the label, nothing else.",
  bareNumber: "Answer with only the number, nothing else.",
  /** Rule 2: reasoning first. Says nothing about the format, so it does not clash with a bare answer. */
  stepByStep: "Think step by step, and give the final answer last.",
  /** Rule 2: with reasoning, checking keeps longer chains exact. */
  checkSteps: "Check each step before you go on.",
  /** Rule 3: the request that makes a model answer with commands. */
  shell:
    "Reply with one shell command and nothing else. You will see its output; reply DONE when the task is complete.",
} as const;

export interface Names {
  /** The object holding the example memory helpers. */
  memory: string;
  /** The object holding the shell loop's helpers. */
  shell: string;
}

// ── Example memory (learn-examples) ─────────────────────────────────────────────────────

/**
 * Words too common to tell two texts apart (content-words). The failure pattern and the harness
 * code use this one list, so what the traces are judged by is what the fix changes.
 */
export const COMMON_WORDS: readonly string[] = [
  "the",
  "and",
  "you",
  "your",
  "for",
  "not",
  "but",
  "with",
  "this",
  "that",
  "have",
  "has",
  "was",
  "are",
  "can",
  "hello",
  "thanks",
  "thank",
  "there",
  "please",
  "regards",
  "its",
  "from",
  "what",
  "when",
  "why",
  "how",
  "will",
  "get",
  "did",
  "does",
  "since",
  "than",
  "any",
];

/** The pieces of the memory helpers that content-words changes: each appears once in memoryHelpers' code. */
export const CONTENT_WORDS_EDITS: readonly { anchor: string; text: string }[] = [
  {
    anchor: "  shown: 8,\n",
    text: `  shown: 8,\n  /** Words every text has: matching on them picks unrelated examples (offline proposer: content-words). */\n  commonWords: new Set(${JSON.stringify(COMMON_WORDS)}),\n`,
  },
  {
    anchor: ".filter((word) => word.length >= 3));",
    text: ".filter((word) => word.length >= 3 && !this.commonWords.has(word)));",
  },
  {
    anchor: "      .slice(0, this.shown)",
    text: "      .filter(({ overlap }) => overlap > 0) // none shown beats an unrelated one: the model then goes by the label names\n      .slice(0, this.shown)",
  },
];

/** `code` with content-words' edits made, or null when an anchor is not there exactly once. */
export function withContentWords(code: string): string | null {
  let edited = code;
  for (const { anchor, text } of CONTENT_WORDS_EDITS) {
    if (edited.split(anchor).length !== 2) return null;
    edited = edited.replace(anchor, text);
  }
  return edited;
}

/**
 * Module-level helpers for learn(): it stores each task's text with its right label in
 * ctx.state; run() shows the stored examples most like the current input as `Text:` / `Label:`
 * lines in the system prompt (kept out of the user message, where the question's own `Text:` is).
 * With `contentWords`, likeness ignores COMMON_WORDS and an example sharing no other word is not shown.
 */
export function memoryHelpers(name: string, contentWords = false): string {
  const code = plainMemoryHelpers(name);
  return contentWords ? withContentWords(code)! : code;
}

function plainMemoryHelpers(name: string): string {
  return `
// ── Labelled examples from earlier tasks (offline proposer: learn-examples) ──
// learn() stores each task's text with its right label in ctx.state; run() shows the stored
// examples most like the current input, as Text:/Label: lines, so the model can copy a label
// it has been shown instead of guessing one.
type LabelledExample = { text: string; label: string };

const ${name} = {
  /** Examples kept; the oldest go first. */
  limit: 500,
  /** Examples shown per prompt. */
  shown: 8,

  store(ctx: unknown): LabelledExample[] {
    const holder = ctx as { state?: Record<string, unknown> };
    const state = (holder.state ??= {});
    if (!Array.isArray(state.labelledExamples)) state.labelledExamples = [];
    return state.labelledExamples as LabelledExample[];
  },

  textOf(input: unknown): string {
    if (typeof input === "string") return input;
    if (input && typeof input === "object") {
      const record = input as Record<string, unknown>;
      for (const key of ["text", "question", "input", "prompt", "message"]) if (typeof record[key] === "string") return record[key] as string;
    }
    return JSON.stringify(input) ?? "";
  },

  words(text: string): Set<string> {
    return new Set((text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((word) => word.length >= 3));
  },

  remember(ctx: unknown, input: unknown, expected: unknown): void {
    const text = this.textOf(input).replace(/\\s+/g, " ").trim();
    const label = typeof expected === "string" ? expected.trim() : JSON.stringify(expected);
    if (!text || !label) return;
    const store = this.store(ctx);
    store.push({ text, label });
    if (store.length > this.limit) store.splice(0, store.length - this.limit);
  },

  /** The system prompt with the most similar stored examples added (most similar last); unchanged when none are stored. */
  system<T extends string | { type: "text"; text: string }[] | undefined>(ctx: unknown, input: unknown, existing?: T): T | string {
    const wanted = this.words(this.textOf(input));
    const ranked = this.store(ctx)
      .map((example, index) => ({ example, index, overlap: [...this.words(example.text)].filter((word) => wanted.has(word)).length }))
      .sort((a, b) => b.overlap - a.overlap || b.index - a.index)
      .slice(0, this.shown)
      .reverse();
    if (ranked.length === 0) return existing as T;
    const block = ["Labelled examples from earlier tasks:", ...ranked.flatMap(({ example }) => [\`Text: \${example.text}\`, \`Label: \${example.label}\`])].join("\\n");
    if (Array.isArray(existing)) return [...existing, { type: "text", text: block }] as T;
    return existing ? \`\${existing}\\n\\n\${block}\` : block;
  },
};
`;
}

/** The learn() method, as an object-literal member. */
export function learnMethod(memory: string): string {
  return `
  /** Sequential suites: remember this task's text with its right label for later prompts. */
  async learn(task: { input: unknown }, feedback: { expected: unknown }, ctx: { state: Record<string, unknown> }) {
    ${memory}.remember(ctx, task.input, feedback.expected);
  },`;
}

// ── Shell loop (shell-loop) ─────────────────────────────────────────────────────────────

/**
 * Commands per task in the loop shell-loop first writes: one to look and one to act. A small
 * first budget, raised by more-turns one command at a time when the traces show it hit.
 */
export const SHELL_FIRST_TURNS = 2;

/**
 * `run` as a loop: ask for a command, run it, show `$ command` and its output back, and ask
 * again, until the model says DONE or the turns run out. `form` is how the base declared run.
 */
export function shellRun(shell: string, model: string, form: "method" | "function"): string {
  const head = form === "method" ? "async run" : "async function run";
  const close = form === "method" ? "  }," : "}";
  const pad = form === "method" ? "    " : "  ";
  const body = [
    `// One command per turn; each command's output goes back to the model before it picks the next.`,
    `const messages: { role: "user" | "assistant"; content: string }[] = [{ role: "user", content: ${shell}.firstMessage(task.input) }];`,
    `const transcript: string[] = [];`,
    `for (let turn = 0; turn < ${shell}.maxTurns; turn++) {`,
    `  const reply = await ctx.model.messages.create({ model: ${model}, max_tokens: 512, messages }, { signal: ctx.signal });`,
    `  const command = ${shell}.commandOf(reply.content);`,
    `  if (!command || /^DONE\\b/i.test(command)) break;`,
    `  const result = await ctx.exec(command, { timeoutMs: ${shell}.commandTimeoutMs });`,
    `  const shown = ${shell}.shown(result);`,
    `  transcript.push(\`$ \${command}\`, shown);`,
    `  messages.push({ role: "assistant", content: command }, { role: "user", content: \`$ \${command}\\n\${shown}\\n\\n\${${shell}.nextStep}\` });`,
    `}`,
    `return transcript.join("\\n");`,
  ];
  const signature = `${head}(task: { input: unknown }, ctx: ShellContext) {`;
  return [form === "method" ? `  ${signature}` : signature, ...body.map((line) => pad + line), close].join("\n");
}

export function shellHelpers(shell: string, maxTurns = SHELL_FIRST_TURNS): string {
  return `
// ── Command loop helpers (offline proposer: shell-loop) ──
type ShellContext = {
  model: { messages: { create(params: object, options?: { signal?: AbortSignal }): Promise<{ content: { type: string; text?: string }[] }> } };
  exec(command: string, options?: { timeoutMs?: number }): Promise<{ stdout: string; stderr: string; exitCode: number | null; timedOut?: boolean }>;
  signal: AbortSignal;
};

const ${shell} = {
  /** Commands per task; each is one model call. */
  maxTurns: ${maxTurns},
  commandTimeoutMs: 20_000,
  /** Output shown back per command; the rest is cut with a marker, so a huge file cannot flood the prompt. */
  outputChars: 4_000,
  nextStep: "Reply with the next shell command, or DONE if the task is complete.",

  firstMessage(input: unknown): string {
    const goal = (typeof input === "string" ? input : ((input as { task?: unknown } | null)?.task ?? JSON.stringify(input))) as string;
    const taskLine = /^\\s*task:/i.test(goal) ? goal.trim() : \`Task: \${String(goal).trim()}\`;
    return \`\${taskLine}\\n${INSTRUCTIONS.shell}\`;
  },

  /** The command in a reply: the text, without a code fence or a leading "$ ". */
  commandOf(content: { type: string; text?: string }[]): string {
    const text = content.map((block) => (block.type === "text" ? (block.text ?? "") : "")).join("").trim();
    const fenced = /\`\`\`[a-z]*\\n([\\s\\S]*?)\`\`\`/.exec(text);
    return (fenced ? fenced[1] : text).trim().replace(/^\\$\\s+/, "");
  },

  shown(result: { stdout: string; stderr: string; exitCode: number | null; timedOut?: boolean }): string {
    let text = (result.stdout + result.stderr).trimEnd();
    if (text.length > this.outputChars) text = \`\${text.slice(0, this.outputChars)}\\n[… \${text.length - this.outputChars} more characters cut]\`;
    const status = result.timedOut ? "(timed out)" : result.exitCode === 0 ? "" : \`(exit code \${result.exitCode})\`;
    return [text, status].filter(Boolean).join("\\n") || "(no output)";
  },
};
`;
}

// ── Complete harnesses ──────────────────────────────────────────────────────────────────

export interface PromptTemplateOptions {
  model: string;
  /** What the suite asks, from the workspace README; opens every prompt so the model knows the job. */
  job: string;
  instructions: string[];
  learn: boolean;
  /** Return a bare number as a number (graders that compare JSON values exactly want 42, not "42"). */
  numericAnswers: boolean;
  /** The model call's max_tokens. */
  maxTokens: number;
  /** The memory matches on content words only (content-words). */
  contentWords?: boolean;
  names: Names;
}

/** One model call per task: the job, the fixes' instructions, and the input rendered as `Field: value` lines. */
export function promptHarness(options: PromptTemplateOptions): string {
  const memory = options.names.memory;
  const system = options.learn ? `\n        system: ${memory}.system(ctx, task.input),` : "";
  const answer = options.numericAnswers
    ? `return /^-?\\d+(?:\\.\\d+)?$/.test(text) ? Number(text) : text;`
    : "return text;";
  return `// Written by the offline proposer from its prompt template (the base harness had no place for the edit).
import Anthropic from "@anthropic-ai/sdk";

const MODEL = ${JSON.stringify(options.model)};
/** The suite's own description of the job. */
const JOB = ${JSON.stringify(options.job)};
/** What earlier traces showed the model needs to be told. */
const INSTRUCTIONS: string[] = ${JSON.stringify(options.instructions)};

export default {
  async run(task: { input: unknown }, ctx: { model: Anthropic; signal: AbortSignal; state: Record<string, unknown> }) {
    const prompt = [JOB, ...INSTRUCTIONS, "", render(task.input)].join("\\n");
    const reply = await ctx.model.messages.create(
      {
        model: MODEL,
        max_tokens: ${options.maxTokens},${system}
        messages: [{ role: "user", content: prompt }],
      },
      { signal: ctx.signal },
    );
    const text = reply.content.map((block) => (block.type === "text" ? block.text : "")).join("").trim();
    ${answer}
  },${options.learn ? learnMethod(memory) : ""}
};

/** The input as the model reads it best: a string as is, an object as one \`Field: value\` line per field. */
function render(input: unknown): string {
  if (typeof input === "string") return input;
  if (input && typeof input === "object" && !Array.isArray(input)) {
    return Object.entries(input as Record<string, unknown>)
      .map(([key, value]) => \`\${key.charAt(0).toUpperCase()}\${key.slice(1)}: \${Array.isArray(value) ? value.join(", ") : typeof value === "string" ? value : JSON.stringify(value)}\`)
      .join("\\n");
  }
  return JSON.stringify(input);
}
${options.learn ? memoryHelpers(memory, options.contentWords) : ""}`;
}

/** A complete terminal-task harness: the command loop and nothing else. */
export function shellHarness(
  model: string,
  names: Names,
  options: { maxTurns: number; listingFirst: boolean } = { maxTurns: SHELL_FIRST_TURNS, listingFirst: false },
): string {
  const source = `// Written by the offline proposer from its command-loop template (the base harness had no place for the edit).
const MODEL = ${JSON.stringify(model)};

export default {
${shellRun(names.shell, "MODEL", "method")}
};
${shellHelpers(names.shell, options.maxTurns)}`;
  if (!options.listingFirst) return source;
  const listed = listFirst(source);
  return "source" in listed ? listed.source : source;
}
