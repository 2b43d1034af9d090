// The offline model's mind: a pure function from a Messages API request to the answer text, by
// the rules of RULES.md (kept in step with this file; the tests check every rule). The server in
// model.ts only wraps this in the API's shapes.
import { formatCheckedStep, formatNumber, formatStep, REACH, readChain, solve } from "./arithmetic.ts";
import { classify } from "./classify.ts";
import { lastUserText, mentions, promptText, systemText, type OfflineRequest } from "./prompt.ts";
import { SHELL_TRIGGER, findTaskLine, shellReply } from "./shell.ts";
import { SUMMARY_TRIGGER, summaryReply } from "./summary.ts";

/** Rule 0: phrases that ask for the bare value. */
export const BARE_PHRASES = [
  "answer with only",
  "respond with only",
  "reply with only",
  "output only",
  "only the label",
  "only the number",
  "just the label",
  "just the number",
] as const;

/** Rule 1: words in the last user message that make it a classification question. */
export const CLASSIFY_WORDS = ["classify", "classification", "category", "categories", "label"] as const;

/** Rule 2: phrases in the last user message that make it an arithmetic question (with a number). */
export const ARITHMETIC_PHRASES = ["what is", "compute", "calculate", "how many", "how much"] as const;

/** Rule 2: phrases anywhere in the prompt that make the model work carefully. */
export const REASONING_PHRASES = ["step by step", "show your work", "think carefully", "reason"] as const;

/** Rule 2: phrases that, with a reasoning phrase, make the model check each step (and so keep any chain exact). */
export const CHECK_PHRASES = ["check each step", "double-check", "verify"] as const;

export const FALLBACK_ANSWER = "I am the offline model and cannot help with that.";

export type RuleName = "summary" | "shell" | "classification" | "arithmetic" | "fallback";

export interface Answer {
  text: string;
  rule: RuleName;
}

/** The answer text for a request. Deterministic: the same request always gets the same text. */
export function answer(request: Pick<OfflineRequest, "system" | "messages">): string {
  return explain(request).text;
}

/** The answer with the rule that produced it (the rules are tried in the order RULES.md gives). */
export function explain(request: Pick<OfflineRequest, "system" | "messages">): Answer {
  const prompt = promptText(request);
  const question = lastUserText(request);
  const bare = mentions(prompt, BARE_PHRASES);

  // Rule 4 first: a trace holds prompts that would match every other rule.
  if (mentions(systemText(request), [SUMMARY_TRIGGER])) return { text: summaryReply(question), rule: "summary" };

  if (findTaskLine(prompt) !== null && mentions(prompt, [SHELL_TRIGGER])) {
    return { text: shellReply(prompt), rule: "shell" };
  }

  if (mentions(question, CLASSIFY_WORDS)) {
    const { label } = classify(prompt, question);
    return { text: bare ? label : `I think this is about ${label}.`, rule: "classification" };
  }

  const chain = mentions(question, ARITHMETIC_PHRASES) ? readChain(question) : null;
  if (chain) {
    // A bare answer leaves no room to work: the model answers at once, whatever else is asked.
    const reasoned = !bare && mentions(prompt, REASONING_PHRASES);
    const checked = reasoned && mentions(prompt, CHECK_PHRASES);
    const solution = solve(chain, checked ? REACH.checked : reasoned ? REACH.reasoned : REACH.hasty);
    if (!Number.isFinite(solution.result)) return { text: FALLBACK_ANSWER, rule: "fallback" }; // e.g. division by zero
    const result = formatNumber(solution.result);
    if (bare) return { text: result, rule: "arithmetic" };
    if (!reasoned) return { text: `Let me see. The answer is ${result}.`, rule: "arithmetic" };
    // Checking restates the problem (the question's lines that hold a number) to check against.
    const problem = question
      .split(/\r?\n/)
      .filter((line) => /\d/.test(line))
      .join(" ")
      .replace(/\s+/g, " ")
      .trim();
    const worked = checked
      ? [
          "Let me work through it step by step, checking each step.",
          `Problem: ${problem}`,
          ...solution.steps.map(formatCheckedStep),
        ]
      : ["Let me work through it step by step.", ...solution.steps.map(formatStep)];
    return { text: [...worked, `The answer is ${result}.`].join("\n"), rule: "arithmetic" };
  }

  return { text: FALLBACK_ANSWER, rule: "fallback" };
}
