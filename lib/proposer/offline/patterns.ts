// Failure patterns the offline proposer recognises in raw traces, each tied to the fix that
// addresses it. A finding carries its evidence as "<trace file>: what the events show", quoted
// from the events themselves, so the rationale can name exactly what was read and seen.
import { cutOff, listingSpent, loopCutShort } from "./budget-patterns.ts";
import { alreadyApplied, type FixId } from "./fixes.ts";
import { COMMON_WORDS } from "./templates.ts";
import { quote, type TraceFacts } from "./trace-facts.ts";

export interface Evidence {
  /** Workspace path the evidence comes from. */
  path: string;
  text: string;
}

export interface Finding {
  fix: FixId;
  /** The cause, in one sentence, for the hypothesis. */
  cause: string;
  evidence: Evidence[];
}

export interface SuiteFacts {
  mode: "independent" | "sequential";
  /** The grader type named in README.md, or null when it could not be read. */
  grader: string | null;
}

/** Rule 0's phrases that ask for a bare answer, and Rule 2's that ask for reasoning (lib/offline/RULES.md). */
const REASONING = ["step by step", "show your work", "think carefully", "reason"];
/** Rule 2's phrases that, with reasoning, make the model check each step. */
const CHECKING = ["check each step", "double-check", "verify"];
/** A worked line of a reply: "12 + 5 = 17". */
const WORKED_STEP = /^\s*(-?\d+(?:\.\d+)?) ([-+*/]) (-?\d+(?:\.\d+)?) = (-?\d+(?:\.\d+)?)/;
const RIGHT_VALUE = "(the right value, wrapped in a sentence)";
const EXAMPLE_LINES = /(^|\n)\s*text:[^\n]*\n\s*label:|=>/i;

/**
 * What the failing traces of the base show, strongest first (most traces; ties in FIX order).
 * `basePath` names the base's harness.ts for evidence about the source itself.
 */
export function findPatterns(traces: TraceFacts[], suite: SuiteFacts, baseSource: string, basePath: string): Finding[] {
  const findings: Finding[] = [];
  const add = (fix: FixId, cause: string, evidence: Evidence[]) => {
    if (evidence.length && !alreadyApplied(baseSource, fix)) findings.push({ fix, cause, evidence });
  };

  add(
    "shell-loop",
    "The harness runs the model's first command and stops: the model never sees what the command printed, so it never gets past exploring.",
    traces.flatMap(noFollowUp),
  );
  // Right values inside a sentence are the clearest evidence, so they are quoted first.
  const wraps = traces.flatMap((trace) => wrapped(trace, suite));
  add("bare-answer", "The grader compares bare values, and the model wraps its answers in a sentence.", [
    ...wraps.filter((item) => item.text.endsWith(RIGHT_VALUE)),
    ...wraps.filter((item) => !item.text.endsWith(RIGHT_VALUE)),
  ]);
  add(
    "more-turns",
    "The command loop stops the model after a few commands while it is still looking around: the command that does the task never runs.",
    traces.flatMap((trace) => loopCutShort(trace, baseSource)),
  );
  add(
    "listing-first",
    "Each task spends its first command on listing the folder, a command the loop's limit cannot spare.",
    traces.flatMap((trace) => listingSpent(trace, baseSource)),
  );
  add(
    "step-by-step",
    "The model answers arithmetic at once, without reasoning, and its results are off on multi-step problems.",
    traces.flatMap(arithmeticOff),
  );
  add(
    "check-steps",
    "The model reasons step by step, but on the longest problems its last step starts from the wrong number.",
    traces.flatMap(workedSlip),
  );
  add("more-tokens", "Replies are cut off at max_tokens before they reach the answer.", traces.flatMap(cutOff));
  if (suite.mode === "sequential") {
    const evidence = [
      {
        path: "README.md",
        text: "the suite is sequential: after each task learn(task, feedback, ctx) receives the right answer, and ctx.state carries over to later tasks",
      },
      { path: basePath, text: "defines no learn(), so every right answer the suite hands back is thrown away" },
      ...traces.flatMap(noExamples),
    ];
    add(
      "learn-examples",
      "The suite streams the right answer after every task, and the harness keeps none of them: each prompt starts from nothing.",
      evidence,
    );
  }
  add(
    "content-words",
    "The examples shown are picked, and copied, on words every text has (the, you, please): the model takes the label of an unrelated example.",
    traces.flatMap(commonWordMatch),
  );
  // Most evidence first: the exploit candidate leads with the fix most traces call for.
  return findings
    .map((finding, order) => ({
      finding,
      order,
      weight: finding.evidence.filter((item) => item.path.endsWith(".jsonl")).length,
    }))
    .sort((a, b) => b.weight - a.weight || a.order - b.order)
    .map(({ finding }) => finding);
}

/** A shell task where the harness ran a command and no model call came after it. */
function noFollowUp(trace: TraceFacts): Evidence[] {
  if (trace.execs.length === 0 || trace.grade?.passed) return [];
  const first = trace.execs[0];
  if (trace.modelCalls.some((call) => call.seq > first.seq)) return [];
  const asked = trace.modelCalls.at(-1);
  const lines = first.output.trim() ? first.output.trim().split("\n").length : 0;
  const ran =
    trace.execs.length === 1
      ? `ran \`${quote(first.command, 80)}\` once`
      : `ran ${trace.execs.length} commands, starting with \`${quote(first.command, 80)}\``;
  const verdict = trace.grade
    ? `; the grader said \`${quote(trace.grade.explanation)}\``
    : trace.error
      ? `; the task ended in ${trace.error.kind}: ${quote(trace.error.message)}`
      : "";
  return [
    {
      path: trace.path,
      text: `${asked ? `the model replied \`${quote(asked.reply, 80)}\`; ` : ""}the harness ${ran} (exit ${first.exitCode ?? "?"}, ${lines} line${lines === 1 ? "" : "s"} of output) and stopped: no later model call saw that output${verdict}`,
    },
  ];
}

/**
 * The model's own answer, when the harness returned it: the output is the last reply's text.
 * A harness that works through commands returns what they printed, which is no answer of the
 * model's to judge the wording of.
 */
function modelAnswer(trace: TraceFacts): string | null {
  const output = trace.grade?.output;
  const call = trace.modelCalls.at(-1);
  if (trace.execs.length > 0 || typeof output !== "string" || !call) return null;
  return output.trim() !== "" && call.reply.includes(output.trim()) ? output.trim() : null;
}

/** A bare value expected, a sentence given. */
function wrapped(trace: TraceFacts, suite: SuiteFacts): Evidence[] {
  const grade = trace.grade;
  const output = modelAnswer(trace);
  if (!grade || grade.passed || output === null) return [];
  const expected = grade.expected;
  if (typeof expected === "number") {
    // A numeric grader reads the last number out of a sentence, so wrapping is no failure there.
    if (suite.grader === "numeric" || output === String(expected) || lastNumber(output) !== expected) return [];
    return [
      {
        path: trace.path,
        text: `the model answered \`${quote(output)}\` but the grader wanted \`${expected}\` ${RIGHT_VALUE}`,
      },
    ];
  }
  if (typeof expected !== "string" || expected.length === 0 || expected.length > 60) return [];
  if (words(output).length <= words(expected).length + 1 || normalize(output) === normalize(expected)) return [];
  const contains = new RegExp(`(^|[^a-z0-9])${escape(expected.toLowerCase())}([^a-z0-9]|$)`).test(output.toLowerCase());
  return [
    {
      path: trace.path,
      text: `the model answered \`${quote(output)}\` but the grader wanted \`${quote(expected, 60)}\`${contains ? ` ${RIGHT_VALUE}` : ""}`,
    },
  ];
}

/** A number expected, a different one given, by a prompt that never asked for reasoning. */
function arithmeticOff(trace: TraceFacts): Evidence[] {
  const grade = trace.grade;
  if (!grade || grade.passed) return [];
  const expected =
    typeof grade.expected === "number"
      ? grade.expected
      : typeof grade.expected === "string" && /^-?\d+(\.\d+)?$/.test(grade.expected.trim())
        ? Number(grade.expected)
        : null;
  if (expected === null) return [];
  const call = trace.modelCalls.at(-1);
  if (
    !call ||
    trace.execs.length > 0 ||
    !/\d/.test(call.prompt) ||
    REASONING.some((phrase) => call.prompt.toLowerCase().includes(phrase))
  )
    return [];
  const given =
    typeof grade.output === "number"
      ? grade.output
      : typeof grade.output === "string"
        ? lastNumber(grade.output)
        : null;
  if (given !== null && Math.abs(given - expected) < 1e-9) return [];
  return [
    {
      path: trace.path,
      text: `the prompt \`${quote(call.lastUser, 90)}\` asks for no reasoning; the model answered \`${quote(call.reply, 80)}\`${given === null ? "" : ` (${given})`} but the grader wanted \`${expected}\``,
    },
  ];
}

/** A reasoned answer, not checked, whose last worked step does not start from the result before it. */
function workedSlip(trace: TraceFacts): Evidence[] {
  const grade = trace.grade;
  const call = trace.modelCalls.at(-1);
  if (!grade || grade.passed || !call || trace.execs.length > 0 || call.stopReason === "max_tokens") return [];
  const prompt = call.prompt.toLowerCase();
  if (!REASONING.some((phrase) => prompt.includes(phrase)) || CHECKING.some((phrase) => prompt.includes(phrase)))
    return [];
  const steps = call.reply
    .split("\n")
    .map((line) => WORKED_STEP.exec(line))
    .filter((match) => match !== null);
  if (steps.length < 2) return [];
  const [last, before] = [steps[steps.length - 1], steps[steps.length - 2]];
  if (Number(last[1]) === Number(before[4])) return [];
  return [
    {
      path: trace.path,
      text: `the model worked it step by step, but its last step \`${quote(last[0].trim(), 40)}\` starts from ${last[1]}, not from the result before it (${before[4]}); the grader wanted \`${quote(grade.expected, 30)}\``,
    },
  ];
}

/** A failed task whose prompt showed no labelled example. */
function noExamples(trace: TraceFacts): Evidence[] {
  const grade = trace.grade;
  const call = trace.modelCalls.at(-1);
  if (!grade || grade.passed || !call || EXAMPLE_LINES.test(call.prompt)) return [];
  return [
    {
      path: trace.path,
      text: `the prompt held no labelled examples from earlier tasks; the model answered \`${quote(call.reply, 80)}\` and the grader wanted \`${quote(grade.expected, 60)}\``,
    },
  ];
}

const COMMON = new Set(COMMON_WORDS);

/** A failed task whose answer copied the label of an example that shares only common words with the text. */
function commonWordMatch(trace: TraceFacts): Evidence[] {
  const grade = trace.grade;
  const call = trace.modelCalls.at(-1);
  if (!grade || grade.passed || !call) return [];
  const examples = [...call.prompt.matchAll(/^[ \t]*text:[ \t]*(.*)\n[ \t]*label:[ \t]*(.*)$/gim)].map((match) => ({
    text: match[1],
    label: match[2].trim(),
  }));
  const text = [...call.lastUser.split("\n")].reverse().find((line) => /^\s*text:/i.test(line));
  const reply = call.reply.trim();
  if (!text || examples.length === 0 || reply === String(grade.expected)) return [];
  const wanted = keywords(text.replace(/^\s*text:/i, ""));
  // The example the model copied: of those with its answer as label, the one sharing most words.
  const copied = examples
    .filter((example) => example.label === reply)
    .map((example) => ({ example, shared: [...keywords(example.text)].filter((word) => wanted.has(word)) }))
    .sort((a, b) => b.shared.length - a.shared.length)[0];
  if (!copied || copied.shared.length === 0 || !copied.shared.every((word) => COMMON.has(word))) return [];
  return [
    {
      path: trace.path,
      text: `the model answered \`${quote(reply, 60)}\`, the label of the example \`${quote(copied.example.text, 70)}\`, which shares only \`${copied.shared.join(", ")}\` with the text; the grader wanted \`${quote(grade.expected, 60)}\``,
    },
  ];
}

/** Words as the offline model compares texts (lib/offline/RULES.md, Rule 1). */
function keywords(text: string): Set<string> {
  return new Set((text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((word) => word.length >= 3));
}

function lastNumber(text: string): number | null {
  const numbers = text.replace(/,(?=\d{3})/g, "").match(/-?\d+(?:\.\d+)?/g);
  return numbers ? Number(numbers[numbers.length - 1]) : null;
}

function words(text: string): string[] {
  return text.split(/\s+/).filter(Boolean);
}

function normalize(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, " ")
    .trim();
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * Whether the suite's answers are numbers (so a bare answer is "the number", not "the label"):
 * a numeric grader says so; otherwise the expected values of the failing traces.
 */
export function answerKindOf(traces: TraceFacts[], suite: SuiteFacts): "label" | "number" {
  if (suite.grader === "numeric") return "number";
  const expected = traces
    .map((trace) => trace.grade?.expected)
    .filter((value) => value !== undefined && value !== null);
  const numeric = expected.filter(
    (value) => typeof value === "number" || (typeof value === "string" && /^-?\d+(\.\d+)?$/.test(value.trim())),
  ).length;
  return expected.length > 0 && numeric * 2 > expected.length ? "number" : "label";
}
