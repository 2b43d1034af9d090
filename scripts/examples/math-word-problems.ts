// npx tsx scripts/examples/math-word-problems.ts
// Writes examples/math-word-problems/tasks.jsonl: arithmetic word problems with exact whole-number
// answers, one to three operations each, from templates and a fixed seed.
//
// The templates are written for the offline model's rules (lib/offline/RULES.md, Rule 2): each
// operation word stands before the number it applies to ("buys 5 more", "each holding 6",
// "shares them equally among 3"), and the steps are applied in the order they are told. The
// generator checks every problem against the rules engine: read carefully, the model's chain
// gives the expected answer; read carelessly, a problem of two or more operations goes wrong.
// Run it with --check to print what a plain and a step-by-step harness score on the search split.
import path from "node:path";
import { REACH, readChain, solve } from "../../lib/offline/arithmetic.ts";
import { answer } from "../../lib/offline/rules.ts";
import { fill, seededRandom, writeTasks, type Random, type TaskRecord } from "./random.ts";

const SEED = 20260419;
const COUNTS = { 1: 50, 2: 60, 3: 40 } as const;
const SEARCH_TASKS = 100;
const OUT_DIR = path.join(import.meta.dirname, "..", "..", "examples", "math-word-problems");

type Operation = "+" | "-" | "*" | "/";

interface Template {
  /** The text; {a}, {b}, {c}, {d} are the numbers in the order they are applied. */
  text: string;
  operations: Operation[];
  /** Ranges for a, b, c, d. */
  ranges: [number, number][];
}

/** Templates by number of operations. {name} and {items} are filled from the lists below. */
const TEMPLATES: Record<1 | 2 | 3, Template[]> = {
  1: [
    {
      text: "{name} has {a} {items} and buys {b} more. How many {items} does {name} have now?",
      operations: ["+"],
      ranges: [
        [5, 60],
        [2, 40],
      ],
    },
    {
      text: "{name} had {a} {items} and gave away {b}. How many {items} are left?",
      operations: ["-"],
      ranges: [
        [20, 90],
        [2, 19],
      ],
    },
    {
      text: "A shelf has {a} rows, each holding {b} {items}. How many {items} are on the shelf?",
      operations: ["*"],
      ranges: [
        [2, 12],
        [3, 15],
      ],
    },
    {
      text: "{name} shares {a} {items} equally among {b} friends. How many {items} does each friend get?",
      operations: ["/"],
      ranges: [
        [12, 96],
        [2, 8],
      ],
    },
    {
      text: "{name} buys {a} tickets, each costing {b} dollars. How much does {name} spend?",
      operations: ["*"],
      ranges: [
        [2, 9],
        [4, 25],
      ],
    },
    {
      text: "What is {a} plus {b}?",
      operations: ["+"],
      ranges: [
        [10, 500],
        [10, 500],
      ],
    },
    {
      text: "What is {a} divided by {b}?",
      operations: ["/"],
      ranges: [
        [20, 400],
        [2, 12],
      ],
    },
  ],
  2: [
    {
      text: "{name} has {a} {items}, buys {b} more, and then gives away {c}. How many {items} does {name} have now?",
      operations: ["+", "-"],
      ranges: [
        [5, 50],
        [3, 30],
        [2, 25],
      ],
    },
    {
      text: "{name} buys {a} packs, each with {b} {items}, and then loses {c} of them. How many {items} are left?",
      operations: ["*", "-"],
      ranges: [
        [2, 9],
        [3, 12],
        [1, 15],
      ],
    },
    {
      text: "{name} has {a} {items} and finds {b} more, then shares them equally among {c} friends. How many {items} does each friend get?",
      operations: ["+", "/"],
      ranges: [
        [6, 60],
        [2, 30],
        [2, 6],
      ],
    },
    {
      text: "A baker makes {a} trays, each holding {b} muffins, and sells {c} of them. How many muffins are left?",
      operations: ["*", "-"],
      ranges: [
        [3, 9],
        [6, 12],
        [5, 30],
      ],
    },
    {
      text: "There are {a} {items} on a shelf. {name} removes {b}, then packs the rest equally into {c} bags. How many {items} go into each bag?",
      operations: ["-", "/"],
      ranges: [
        [20, 90],
        [2, 19],
        [2, 7],
      ],
    },
    {
      text: "{name} works {a} shifts, each paying {b} dollars, then spends {c} dollars on books. How much money does {name} have left?",
      operations: ["*", "-"],
      ranges: [
        [3, 8],
        [20, 60],
        [10, 90],
      ],
    },
  ],
  3: [
    {
      text: "{name} has {a} {items}, buys {b} more, gives away {c}, and then shares the rest equally among {d} friends. How many {items} does each friend get?",
      operations: ["+", "-", "/"],
      ranges: [
        [10, 60],
        [4, 30],
        [2, 20],
        [2, 6],
      ],
    },
    {
      text: "{name} buys {a} boxes, each holding {b} {items}, finds {c} more, and then sells {d}. How many {items} does {name} have now?",
      operations: ["*", "+", "-"],
      ranges: [
        [2, 8],
        [4, 12],
        [2, 20],
        [3, 25],
      ],
    },
    {
      text: "A farm has {a} rows, each with {b} trees. A storm breaks {c} trees, and the farmer plants another {d}. How many trees are on the farm now?",
      operations: ["*", "-", "+"],
      ranges: [
        [3, 12],
        [5, 15],
        [2, 20],
        [4, 30],
      ],
    },
    {
      text: "A club has {a} members. Then another {b} join, the club loses {c} members, and the rest split equally into {d} teams. How many members are in each team?",
      operations: ["+", "-", "/"],
      ranges: [
        [10, 50],
        [3, 20],
        [1, 12],
        [2, 5],
      ],
    },
    {
      text: "{name} saves {a} dollars each week for {b} weeks, spends {c} dollars on a gift, and then shares the rest equally among {d} cousins. How much does each cousin get?",
      operations: ["*", "-", "/"],
      ranges: [
        [4, 20],
        [3, 10],
        [2, 30],
        [2, 5],
      ],
    },
  ],
};

const NAMES = [
  "Ava",
  "Ben",
  "Carla",
  "Dmitri",
  "Elena",
  "Farid",
  "Gita",
  "Hank",
  "Ines",
  "Jamal",
  "Kofi",
  "Lena",
  "Mateo",
  "Nora",
  "Omar",
  "Priya",
];
const ITEMS = ["apples", "stickers", "marbles", "pencils", "cookies", "stamps", "shells", "books", "seeds", "crayons"];

/** Applies the operations in order; null when a step leaves the whole positive numbers. */
function evaluate(numbers: number[], operations: Operation[]): number | null {
  let result = numbers[0];
  for (let i = 0; i < operations.length; i++) {
    const right = numbers[i + 1];
    result =
      operations[i] === "+"
        ? result + right
        : operations[i] === "-"
          ? result - right
          : operations[i] === "*"
            ? result * right
            : result / right;
    if (!Number.isInteger(result) || result <= 0) return null;
  }
  return result;
}

/** Numbers in the template's ranges whose every step stays a whole positive number (rejection sampling). */
function drawNumbers(random: Random, template: Template): { numbers: number[]; answer: number } {
  for (let attempt = 0; attempt < 100_000; attempt++) {
    const numbers = template.ranges.map(([min, max]) => random.int(min, max));
    const result = evaluate(numbers, template.operations);
    if (result !== null && new Set(numbers).size === numbers.length) return { numbers, answer: result };
  }
  throw new Error(`no numbers found for ${JSON.stringify(template.text)}`);
}

function problem(random: Random, template: Template): { text: string; answer: number } {
  const { numbers, answer } = drawNumbers(random, template);
  const slots: Record<string, string> = { name: random.pick(NAMES), items: random.pick(ITEMS) };
  ["a", "b", "c", "d"].forEach((slot, i) => {
    if (i < numbers.length) slots[slot] = String(numbers[i]);
  });
  const text = fill(template.text, slots);

  // The model must read the problem as the template means it, and slip on it when careless.
  const chain = readChain(text);
  if (!chain || chain.numbers.join() !== numbers.join() || chain.operations.join() !== template.operations.join()) {
    throw new Error(
      `the offline model reads ${JSON.stringify(text)} as ${JSON.stringify(chain)}, not as the template means`,
    );
  }
  if (solve(chain, REACH.checked).result !== answer)
    throw new Error(`careful answer differs for ${JSON.stringify(text)}`);
  if (template.operations.length > 1 && solve(chain, REACH.hasty).result === answer)
    throw new Error(`no slip for ${JSON.stringify(text)}`);
  if (template.operations.length > 2 && solve(chain, REACH.reasoned).result === answer)
    throw new Error(`no slip with reasoning alone for ${JSON.stringify(text)}`);
  return { text, answer };
}

export function generate(): TaskRecord[] {
  const random = seededRandom(SEED);
  const problems: { text: string; answer: number; operations: number }[] = [];
  const seen = new Set<string>();
  for (const operations of [1, 2, 3] as const) {
    let made = 0;
    while (made < COUNTS[operations]) {
      // Cycle through the templates so each one is used about equally.
      const template = TEMPLATES[operations][made % TEMPLATES[operations].length];
      const next = problem(random, template);
      if (seen.has(next.text)) continue;
      seen.add(next.text);
      problems.push({ ...next, operations });
      made++;
    }
  }
  return random.shuffle(problems).map((item, index) => ({
    id: `problem-${String(index + 1).padStart(3, "0")}`,
    input: item.text,
    expected: item.answer,
    split: index < SEARCH_TASKS ? "search" : "test",
    meta: { operations: item.operations },
  }));
}

/** Share of the search split a plain and a step-by-step prompt get right under the offline model. */
export function simulate(tasks: TaskRecord[]): { plain: number; stepByStep: number; oneOperationShare: number } {
  const search = tasks.filter((task) => task.split === "search");
  const lastNumber = (text: string) => Number([...text.matchAll(/\d+(?:\.\d+)?/g)].at(-1)?.[0]);
  const score = (system: string | undefined) =>
    search.filter(
      (task) =>
        lastNumber(answer({ system, messages: [{ role: "user", content: task.input as string }] })) === task.expected,
    ).length;
  const share = (n: number) => Math.round((1000 * n) / search.length) / 10;
  return {
    plain: share(score(undefined)),
    stepByStep: share(score("Think step by step, then give the answer.")),
    oneOperationShare: share(search.filter((task) => task.meta?.operations === 1).length),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const tasks = generate();
  if (process.argv.includes("--check")) console.log(JSON.stringify(simulate(tasks)));
  else console.log(`wrote ${tasks.length} tasks to ${writeTasks(OUT_DIR, tasks)}`);
}
