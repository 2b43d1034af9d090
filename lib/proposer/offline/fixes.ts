// The offline proposer's code transformations. Each fix edits a base harness's source at an
// anchor it can find for certain (the prompt text, the model call, the default export, the run
// function); when an anchor is missing, the whole candidate is written from a template that
// implements the same fixes instead, and the reason is kept for the rationale. Nothing here
// guesses: an edit either lands where the reader (source.ts) proved the shape is, or is not made.
import { hasListingFirst, listFirst, moreTokens, raiseMaxTokens, raiseMaxTurns } from "./budget-fixes.ts";
import {
  INSTRUCTIONS,
  SHELL_FIRST_TURNS,
  learnMethod,
  memoryHelpers,
  promptHarness,
  shellHarness,
  shellHelpers,
  shellRun,
  withContentWords,
  type Names,
} from "./templates.ts";
import {
  applyEdits,
  declaresTopLevel,
  defaultExportObject,
  findModelCalls,
  findProperty,
  findRun,
  freshName,
  literalText,
  maskSource,
  type Literal,
  type MaskedSource,
} from "./source.ts";

export type FixId =
  | "bare-answer"
  | "step-by-step"
  | "check-steps"
  | "more-tokens"
  | "learn-examples"
  | "content-words"
  | "shell-loop"
  | "more-turns"
  | "listing-first";

/**
 * The order fixes are applied in: the loop rewrites run whole, so it goes first, and its
 * refinements right after; content-words refines the memory learn-examples adds; limits and
 * prompt lines last.
 */
export const FIX_ORDER: FixId[] = [
  "shell-loop",
  "more-turns",
  "listing-first",
  "learn-examples",
  "content-words",
  "more-tokens",
  "step-by-step",
  "check-steps",
  "bare-answer",
];

export interface FixContext {
  /** The project's model, for code that has to name one (from the workspace README). */
  model: string;
  /** The suite's description, for templates. */
  job: string;
  /** What a bare answer is in this suite: a label or a number (from the expected values in the traces). */
  answerKind: "label" | "number";
  /** The base's own limits, so a template starts where the base stands (null: the base sets none). */
  limits?: { maxTokens: number | null; maxTurns: number | null };
}

export interface BuiltHarness {
  source: string;
  /** "edit": the base with the fixes applied; "template": a new harness implementing them. */
  method: "edit" | "template";
  /** What each fix did, in words for the rationale. */
  changes: string[];
  /** Why the edit could not be made, when method is "template". */
  fallbackReason?: string;
}

type Edit = { source: string; change: string } | { missing: string };

/** Whether the base already does what a fix would add (then the fix is not proposed again). */
export function alreadyApplied(source: string, fix: FixId): boolean {
  const text = source.toLowerCase();
  switch (fix) {
    case "bare-answer":
      return [
        "answer with only",
        "respond with only",
        "reply with only",
        "output only",
        "only the label",
        "only the number",
        "just the label",
        "just the number",
      ].some((phrase) => text.includes(phrase));
    case "step-by-step":
      return ["step by step", "show your work", "think carefully"].some((phrase) => text.includes(phrase));
    case "check-steps":
      return ["check each step", "double-check", "verify"].some((phrase) => text.includes(phrase));
    case "listing-first":
      return hasListingFirst(source);
    case "more-tokens":
    case "more-turns":
      // A limit can be raised again whenever the traces show it hit: never "already applied".
      return false;
    case "learn-examples":
      return /\blearn\s*\(|\blearn\s*:/.test(maskSource(source).code);
    case "content-words":
      return source.includes("commonWords");
    case "shell-loop":
      // A harness that already feeds command output back shows `$ command` lines to the model.
      return (
        /for\s*\(|while\s*\(/.test(maskSource(source).code) && /\$ \$\{/.test(source) && /\bexec\s*\(/.test(source)
      );
  }
}

/** The base with `fixes` applied, or a template harness with them when an anchor is missing. */
export function buildHarness(
  base: string,
  fixes: FixId[],
  context: FixContext,
  style: "edit" | "template",
): BuiltHarness {
  const ordered = FIX_ORDER.filter((fix) => fixes.includes(fix));
  const names: Names = { memory: freshName(base, "exampleMemory"), shell: freshName(base, "commandLoop") };
  if (style === "edit") {
    let source = base;
    const changes: string[] = [];
    for (const fix of ordered) {
      const edit = applyFix(source, fix, context, names);
      if ("missing" in edit) return { ...fromTemplate(ordered, context), fallbackReason: `${fix}: ${edit.missing}` };
      source = edit.source;
      changes.push(edit.change);
    }
    return { source, method: "edit", changes };
  }
  return fromTemplate(ordered, context);
}

export function fromTemplate(fixes: FixId[], context: FixContext): BuiltHarness {
  const names: Names = { memory: "exampleMemory", shell: "commandLoop" };
  if (fixes.some((fix) => SHELL_FIXES.includes(fix))) {
    const base = context.limits?.maxTurns ?? SHELL_FIRST_TURNS;
    const maxTurns = fixes.includes("more-turns") ? base + 1 : base;
    const listingFirst = fixes.includes("listing-first");
    return {
      source: shellHarness(context.model, names, { maxTurns, listingFirst }),
      method: "template",
      changes: [
        `a complete command-loop harness: each command's output is shown back to the model until it replies DONE (at most ${maxTurns} commands)`,
        ...(listingFirst ? ["the folder's listing (`ls -la`) is shown in the first message"] : []),
      ],
    };
  }
  const baseTokens = context.limits?.maxTokens ?? TEMPLATE_MAX_TOKENS;
  const maxTokens = fixes.includes("more-tokens") ? moreTokens(baseTokens) : baseTokens;
  const instructions = [
    ...(fixes.includes("check-steps") ? [INSTRUCTIONS.checkSteps] : []),
    ...(fixes.includes("step-by-step") ? [INSTRUCTIONS.stepByStep] : []),
    ...(fixes.includes("bare-answer") ? [bareInstruction(context)] : []),
  ];
  const contentWords = fixes.includes("content-words");
  const learn = fixes.includes("learn-examples") || contentWords;
  const source = promptHarness({
    model: context.model,
    job: context.job,
    instructions,
    learn,
    contentWords,
    numericAnswers: context.answerKind === "number",
    maxTokens,
    names,
  });
  const changes = [
    `a complete one-call harness that states the job (the suite's description) and renders the input field by field`,
    ...instructions.map((line) => `its prompt says "${line}"`),
    ...(learn
      ? [
          "learn() stores each task's text and right label; run() shows the most similar stored examples as Text:/Label: lines",
        ]
      : []),
    ...(contentWords ? [CONTENT_WORDS_CHANGE] : []),
    `max_tokens ${maxTokens}${fixes.includes("more-tokens") ? ` (twice the base's ${baseTokens})` : ""}`,
  ];
  return { source, method: "template", changes };
}

function applyFix(source: string, fix: FixId, context: FixContext, names: Names): Edit {
  switch (fix) {
    case "bare-answer":
      return addInstruction(source, bareInstruction(context));
    case "step-by-step":
      return addInstruction(source, INSTRUCTIONS.stepByStep);
    case "check-steps":
      return addInstruction(source, INSTRUCTIONS.checkSteps);
    case "more-tokens":
      return raiseMaxTokens(source);
    case "more-turns":
      return raiseMaxTurns(source);
    case "listing-first":
      return listFirst(source);
    case "learn-examples":
      return addLearn(source, names.memory);
    case "content-words":
      return refineMemory(source);
    case "shell-loop":
      return loopRun(source, context, names.shell);
  }
}

/** The fixes that make or refine a command loop: a template for them is the loop template. */
const SHELL_FIXES: FixId[] = ["shell-loop", "more-turns", "listing-first"];

/** A template's max_tokens when the base sets none. */
const TEMPLATE_MAX_TOKENS = 1024;

const CONTENT_WORDS_CHANGE =
  "the example memory matches on words that carry meaning (common words such as the, you, please are left out) and shows no example that shares none, so the model falls back on the label names";

/** content-words: the memory helpers learn-examples wrote, matching on content words only. */
function refineMemory(source: string): Edit {
  const edited = withContentWords(source);
  return edited
    ? { source: edited, change: CONTENT_WORDS_CHANGE }
    : { missing: "found no example memory written by learn-examples to refine" };
}

function bareInstruction(context: FixContext): string {
  return context.answerKind === "number" ? INSTRUCTIONS.bareNumber : INSTRUCTIONS.bareLabel;
}

// ── Prompt instructions ─────────────────────────────────────────────────────────────────

/** Words that mark a string as prompt text rather than a model name, a log message or a key. */
const PROMPT_WORDS =
  /classif|categor|label|text:|question|what is|how many|how much|comput|calculat|solve|problem|answer|task:|reply|respond/i;

/**
 * Puts `line` on its own line at the start of the prompt text: in the first prompt-like string
 * literal (one inside the model call first, then inside run, then anywhere but an import), or
 * failing that, in front of the first message's `content` expression.
 */
function addInstruction(source: string, line: string): Edit {
  const masked = maskSource(source);
  const literal = promptLiteral(masked);
  if (literal) {
    // A literal that starts an expression starts the prompt; one in the middle of a concatenation
    // may follow text on the same line, so it gets its own line break first.
    const before = masked.code.slice(0, literal.start).trimEnd();
    const startsExpression = before === "" || /(?:[=(:,[?{]|\breturn)$/.test(before);
    const text = literalText(startsExpression ? `${line}\n` : `\n${line}\n`, literal.quote);
    return {
      source: applyEdits(source, [{ from: literal.start + 1, to: literal.start + 1, text }]),
      change: `the prompt now says "${line}"`,
    };
  }
  const content = firstMessageContent(masked);
  if (content && !/^[[{]/.test(source.slice(content.from, content.to))) {
    const value = source.slice(content.from, content.to);
    return {
      source: applyEdits(source, [
        { from: content.from, to: content.to, text: `${JSON.stringify(`${line}\n`)} + ${value}` },
      ]),
      change: `the prompt now says "${line}" (put before the message content)`,
    };
  }
  return {
    missing:
      "found no prompt text to add an instruction to (no prompt-like string literal, no message content in a model call)",
  };
}

function promptLiteral(masked: MaskedSource): Literal | null {
  const run = findRun(masked);
  const calls = findModelCalls(masked);
  const inside = (literal: Literal, from: number, to: number) => literal.start > from && literal.end <= to;
  const candidates = masked.literals.filter(
    (literal) => PROMPT_WORDS.test(literal.raw) && !isImportOrLog(masked, literal),
  );
  return (
    candidates.find((literal) => calls.some((call) => inside(literal, call.objectOpen, call.objectClose))) ??
    (run ? candidates.find((literal) => inside(literal, run.bodyOpen, run.bodyClose)) : undefined) ??
    candidates[0] ??
    null
  );
}

/** Literals that are module names, log messages or object keys: never prompt text. */
function isImportOrLog(masked: MaskedSource, literal: Literal): boolean {
  const before = masked.code.slice(Math.max(0, literal.start - 40), literal.start);
  const after = masked.code.slice(literal.end, literal.end + 3);
  return (
    /\b(from|import)\s*$|\bimport\s*\(\s*$|\b(log|error|warn|info|debug)\s*\(\s*$|\bthrow\s+new\s+\w*Error\s*\(\s*$/.test(
      before,
    ) || /^\s*:/.test(after)
  );
}

/** The value range of `content` in the first message of the first model call's `messages: [{ … }]`. */
function firstMessageContent(masked: MaskedSource): { from: number; to: number } | null {
  for (const call of findModelCalls(masked)) {
    const messages = findProperty(masked, call.objectOpen, call.objectClose, "messages");
    if (!messages || masked.code[messages.valueFrom] !== "[") continue;
    const open = masked.code.indexOf("{", messages.valueFrom);
    if (open === -1 || open > messages.valueTo) continue;
    const close = matching(masked, open);
    const content = close === -1 ? null : findProperty(masked, open, close, "content");
    if (content) return { from: content.valueFrom, to: content.valueTo };
  }
  return null;
}

function matching(masked: MaskedSource, open: number): number {
  let depth = 0;
  for (let i = open; i < masked.code.length; i++) {
    if (masked.code[i] === "{") depth++;
    else if (masked.code[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

// ── learn() with an example memory ──────────────────────────────────────────────────────

/**
 * Adds a learn() to the default export, shows remembered examples in the system prompt of the
 * model call in run(), and appends the memory helpers. Needs run(task, ctx) with plain parameter
 * names, a model call inside run, and `export default { … }`.
 */
function addLearn(source: string, memory: string): Edit {
  const masked = maskSource(source);
  const exported = defaultExportObject(masked);
  if (exported === -1)
    return {
      missing:
        "the default export is not an object literal (`export default { … }`), so there is nowhere to add learn()",
    };
  const run = findRun(masked);
  if (!run) return { missing: "found no run(task, ctx) method or function" };
  const [task, ctxName] = run.params;
  if (!task) return { missing: "run's first parameter is not a plain name, so the task's input cannot be named" };
  const call = findModelCalls(masked, { from: run.bodyOpen, to: run.bodyClose })[0];
  if (!call) return { missing: "run() makes no ctx.model.messages.create/stream call of its own to show examples in" };

  const edits: { from: number; to: number; text: string }[] = [];
  let ctx = ctxName;
  if (!ctx) {
    if (run.params.length > 1)
      return { missing: "run's second parameter is not a plain name, so ctx.state cannot be reached" };
    ctx = freshName(source, "ctx");
    edits.push({
      from: run.paramsClose,
      to: run.paramsClose,
      text: `${run.params.length ? ", " : ""}${ctx}: { state: Record<string, unknown> }`,
    });
  }
  const system = findProperty(masked, call.objectOpen, call.objectClose, "system");
  if (system) {
    edits.push({
      from: system.valueFrom,
      to: system.valueTo,
      text: `${memory}.system(${ctx}, ${task}.input, ${source.slice(system.valueFrom, system.valueTo)})`,
    });
  } else {
    // On its own line when the request object is written one property a line.
    const indent = /^\n([ \t]*)/.exec(source.slice(call.objectOpen + 1))?.[1];
    const property = `system: ${memory}.system(${ctx}, ${task}.input),`;
    edits.push({
      from: call.objectOpen + 1,
      to: call.objectOpen + 1,
      text: indent === undefined ? ` ${property}` : `\n${indent}${property}`,
    });
  }
  edits.push({ from: exported + 1, to: exported + 1, text: learnMethod(memory) });
  edits.push({ from: source.length, to: source.length, text: memoryHelpers(memory) });
  return {
    source: applyEdits(source, edits),
    change:
      "learn() stores each task's text with its right label (feedback.expected) in ctx.state; run() shows the most similar stored examples in the system prompt as Text:/Label: lines",
  };
}

// ── The command loop ────────────────────────────────────────────────────────────────────

/** Replaces run() with the command loop, keeping the rest of the module and its model. */
function loopRun(source: string, context: FixContext, shell: string): Edit {
  const masked = maskSource(source);
  const run = findRun(masked);
  if (!run) return { missing: "found no run(task, ctx) method or function to turn into a loop" };
  const text = shellRun(shell, modelExpression(masked, run, context), run.form);
  const edits = [
    {
      from: run.start,
      to: run.bodyClose + (run.form === "method" && source[run.bodyClose + 1] === "," ? 2 : 1),
      text: run.form === "method" ? text.trimStart() : text,
    },
    { from: source.length, to: source.length, text: shellHelpers(shell) },
  ];
  return {
    source: applyEdits(source, edits),
    change: `run() is now a loop: ask for one command, run it with ctx.exec, append \`$ command\` and its output to the conversation, and ask again until the model replies DONE (at most ${SHELL_FIRST_TURNS} commands, a small first budget that more-turns raises when the traces show it hit)`,
  };
}

/** The base's own model (a string literal or a module-level constant), else the project's. */
function modelExpression(
  masked: MaskedSource,
  run: NonNullable<ReturnType<typeof findRun>>,
  context: FixContext,
): string {
  for (const call of findModelCalls(masked, { from: run.bodyOpen, to: run.bodyClose })) {
    const model = findProperty(masked, call.objectOpen, call.objectClose, "model");
    if (!model) continue;
    const value = masked.source.slice(model.valueFrom, model.valueTo);
    if (/^(["'])[^"'\\\n]*\1$/.test(value)) return value;
    if (/^[A-Za-z_$][\w$]*$/.test(value) && declaresTopLevel(masked, value)) return value;
  }
  return JSON.stringify(context.model);
}
