// Rule 2 of RULES.md: arithmetic read as a chain of operations. How far the model keeps its
// arithmetic exact (its reach) depends on what the prompt asks: one operation when it answers at
// once, two when it reasons step by step, any number when it also checks each step. Past its
// reach it slips on the last step, so each of those asks really scores better.

export type Operation = "+" | "-" | "*" | "/";

/** A problem as the model reads it: numbers[0], then operations[i] applied with numbers[i + 1]. */
export interface Chain {
  numbers: number[];
  operations: Operation[];
}

export interface Step {
  left: number;
  operation: Operation;
  right: number;
  result: number;
}

export interface Solution {
  result: number;
  /** The worked lines, one per operation, as the model did them (slip included). */
  steps: Step[];
  slipped: boolean;
}

/** Digits with an optional decimal part, not glued to a word or another number ("v2" is no number). */
const NUMBER = /(?<![\p{L}\p{N}_.])\d+(?:\.\d+)?/gu;

/** The words that name an operation. Single words: "multiplied by" is found by "multiplied". */
const OPERATION_WORDS: Record<Operation, readonly string[]> = {
  "+": [
    "plus",
    "add",
    "adds",
    "added",
    "more",
    "another",
    "buys",
    "bought",
    "gets",
    "got",
    "receives",
    "received",
    "finds",
    "found",
    "earns",
    "earned",
    "gains",
    "gained",
    "collects",
    "collected",
    "picks",
    "picked",
    "joins",
    "joined",
    "arrive",
    "arrives",
    "arrived",
  ],
  "-": [
    "minus",
    "subtract",
    "subtracts",
    "subtracted",
    "less",
    "fewer",
    "give",
    "gives",
    "gave",
    "away",
    "lose",
    "loses",
    "lost",
    "eats",
    "ate",
    "sells",
    "sold",
    "spends",
    "spent",
    "uses",
    "used",
    "removes",
    "removed",
    "breaks",
    "broke",
    "donates",
    "donated",
  ],
  "*": ["times", "multiply", "multiplies", "multiplied", "each", "every", "per"],
  "/": ["divide", "divides", "divided", "split", "splits", "share", "shares", "shared", "equally", "among"],
};

const WORD_OPERATION = new Map<string, Operation>(
  Object.entries(OPERATION_WORDS).flatMap(([operation, list]) =>
    list.map((word) => [word, operation as Operation] as const),
  ),
);

/** Operation words, and the symbols + - * / × ÷ when not inside a word ("km/h", "well-known"). */
const OPERATION_TOKEN = /[\p{L}]+|(?<![\p{L}])[-+*/×÷](?![\p{L}])/gu;

const SYMBOL_OPERATION: Record<string, Operation> = { "+": "+", "-": "-", "*": "*", "×": "*", "/": "/", "÷": "/" };

/** The operation the text between two numbers names: its last operation word or symbol; "+" when none. */
export function operationIn(segment: string): Operation {
  let found: Operation = "+";
  for (const [token] of segment.toLowerCase().matchAll(OPERATION_TOKEN)) {
    const operation = SYMBOL_OPERATION[token] ?? WORD_OPERATION.get(token);
    if (operation) found = operation;
  }
  return found;
}

/** The chain of a question, or null when it holds no number. */
export function readChain(question: string): Chain | null {
  const matches = [...question.matchAll(NUMBER)];
  if (matches.length === 0) return null;
  const numbers = matches.map((match) => Number(match[0]));
  const operations: Operation[] = [];
  for (let i = 1; i < matches.length; i++) {
    const from = matches[i - 1].index! + matches[i - 1][0].length;
    operations.push(operationIn(question.slice(from, matches[i].index!)));
  }
  return { numbers, operations };
}

export function apply(left: number, operation: Operation, right: number): number {
  switch (operation) {
    case "+":
      return left + right;
    case "-":
      return left - right;
    case "*":
      return left * right;
    case "/":
      return left / right;
  }
}

/** Operations the model keeps exact: answering at once, reasoning step by step, reasoning and checking each step. */
export const REACH = { hasty: 1, reasoned: 2, checked: Number.POSITIVE_INFINITY } as const;

/**
 * Works the chain left to right. A chain longer than `reach` operations slips on its last step:
 * that operation is applied to the number before it instead of the result so far (and if that
 * happens to be right anyway, the model says one more).
 */
export function solve(chain: Chain, reach: number): Solution {
  const steps: Step[] = [];
  let result = chain.numbers[0];
  chain.operations.forEach((operation, i) => {
    const right = chain.numbers[i + 1];
    const next = apply(result, operation, right);
    steps.push({ left: result, operation, right, result: next });
    result = next;
  });
  if (steps.length <= reach || steps.length < 2) return { result, steps, slipped: false };

  const last = steps.length - 1;
  const forgotten = chain.numbers[last];
  let wrong = apply(forgotten, chain.operations[last], chain.numbers[last + 1]);
  if (sameNumber(wrong, result)) wrong = result + 1;
  steps[last] = { left: forgotten, operation: chain.operations[last], right: chain.numbers[last + 1], result: wrong };
  return { result: wrong, steps, slipped: true };
}

/** Equal once both are written as the model writes numbers. */
function sameNumber(a: number, b: number): boolean {
  return formatNumber(a) === formatNumber(b);
}

/** Plain decimal, at most six decimals, trailing zeros dropped: 17, 2.5, 0.333333. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value === 0 ? 0 : value); // no "-0"
  const fixed = value.toFixed(6).replace(/0+$/, "").replace(/\.$/, "");
  return fixed === "-0" ? "0" : fixed;
}

/** "12 + 5 = 17" */
export function formatStep(step: Step): string {
  return `${formatNumber(step.left)} ${step.operation} ${formatNumber(step.right)} = ${formatNumber(step.result)}`;
}

const INVERSE: Record<Operation, Operation> = { "+": "-", "-": "+", "*": "/", "/": "*" };

/** "12 + 5 = 17 (check: 17 - 5 = 12)": the step, undone to show it was checked. */
export function formatCheckedStep(step: Step): string {
  const back = apply(step.result, INVERSE[step.operation], step.right);
  return `${formatStep(step)} (check: ${formatNumber(step.result)} ${INVERSE[step.operation]} ${formatNumber(step.right)} = ${formatNumber(back)})`;
}
