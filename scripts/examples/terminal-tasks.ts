// Generates examples/terminal-tasks/: suite.json, tasks.jsonl and every task's starting folder
// env/<task id>/. Run it with `npx tsx scripts/examples/terminal-tasks.ts [out-folder]`; the
// output is committed, and a fixed seed makes every run write the same bytes (a diff after a
// rerun means this script changed; a test checks that the committed files are current).
// grader.ts, harness.ts and README.md beside them are written by hand.
//
// Three kinds of chores, six tasks each (four search, two test), in the Task-line wording of
// lib/offline/RULES.md Rule 3 (the offline model recognises exactly these lines):
//   fix      "The script <file> fails; fix the line marked BUG so it prints OK."
//   log      "In <file>, find the value of <key> for the request that failed and write it to answer.txt."
//   convert  "Convert <file> to <file> (tabs instead of commas)."
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const SEED = 20261127;
const PER_KIND = 6;
const SEARCH_PER_KIND = 4;
const OUT = path.resolve(
  process.argv[2] ?? path.join(path.dirname(fileURLToPath(import.meta.url)), "../../examples/terminal-tasks"),
);

/** mulberry32: small, seedable, the same sequence on every platform. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(SEED);
const int = (min: number, max: number) => min + Math.floor(rand() * (max - min + 1));
const pick = <T>(items: readonly T[]): T => items[Math.floor(rand() * items.length)];
const shuffle = <T>(items: readonly T[]): T[] => {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
};

interface Task {
  id: string;
  input: string;
  expected: unknown;
  split: "search" | "test";
  meta: Record<string, unknown>;
  files: Record<string, string>;
}

// ── fix: a shell script whose line marked BUG makes it fail ───────────────────────────────

interface ScriptVariant {
  purpose: string;
  /** Lines before the bug, the bug line itself (marked when written), and the check that prints OK. */
  work: string[];
  bug: string;
  check: string[];
  /** Data files the script reads. */
  files: Record<string, string>;
}

const SCRIPT_VARIANTS: (() => ScriptVariant)[] = [
  () => {
    const items = shuffle([
      "cables",
      "lamps",
      "mugs",
      "chairs",
      "desks",
      "pens",
      "boxes",
      "shelves",
      "rugs",
      "clocks",
    ]).slice(0, int(4, 8));
    return {
      purpose: "Checks that every line of items.txt has been counted.",
      work: ["file=items.txt", 'count=$(wc -l < "$file")'],
      bug: "count=0",
      check: [
        `if [ "$count" -eq ${items.length} ]; then echo OK; else echo "FAIL: counted $count of ${items.length}"; exit 1; fi`,
      ],
      files: { "items.txt": `${items.join("\n")}\n` },
    };
  },
  () => {
    const amounts = Array.from({ length: int(3, 6) }, () => int(5, 90));
    const sum = amounts.reduce((a, b) => a + b, 0);
    return {
      purpose: `Adds up the amounts in amounts.txt and checks the total (${sum}).`,
      work: ["total=0", "for amount in $(cat amounts.txt); do total=$((total + amount)); done"],
      bug: "total=$((total * 2))",
      check: [`[ "$total" -eq ${sum} ] || { echo "FAIL: total is $total, not ${sum}"; exit 1; }`, "echo OK"],
      files: { "amounts.txt": `${amounts.join("\n")}\n` },
    };
  },
  () => {
    const wanted = pick(["stable", "beta", "lts"]);
    return {
      purpose: `Reads the release channel from settings.conf and checks that it is ${wanted}.`,
      work: ["channel=$(grep '^channel=' settings.conf | cut -d= -f2)"],
      bug: "channel=nightly",
      check: [`[ "$channel" = "${wanted}" ] || { echo "FAIL: channel is $channel"; exit 1; }`, "echo OK"],
      files: {
        "settings.conf": `name=${pick(["shop", "portal", "ledger"])}\nchannel=${wanted}\nworkers=${int(2, 8)}\n`,
      },
    };
  },
  () => {
    const names = shuffle(["ada", "bo", "cy", "dee", "eli", "fay", "gus", "hal", "ivy"]).slice(0, int(4, 7)).sort();
    return {
      purpose: "Verifies that names.txt is sorted.",
      work: [],
      bug: 'echo "FAIL: stopped early"; exit 2',
      check: ['sort -c names.txt 2>/dev/null || { echo "FAIL: names.txt is not sorted"; exit 1; }', "echo OK"],
      files: { "names.txt": `${names.join("\n")}\n` },
    };
  },
];

function fixTask(index: number, split: Task["split"]): Task {
  const script = pick(["check.sh", "build.sh", "verify.sh", "release.sh", "lint.sh", "backup.sh"]);
  const variant = SCRIPT_VARIANTS[index % SCRIPT_VARIANTS.length]();
  // The work, then the marked bug, then the check that prints OK: commenting the bug out is the fix.
  const lines = ["#!/bin/sh", `# ${variant.purpose}`, ...variant.work, `${variant.bug}  # BUG`, ...variant.check];
  return {
    id: `fix-${String(index + 1).padStart(2, "0")}`,
    input: `The script ${script} fails; fix the line marked BUG so it prints OK.`,
    // Every line but the bug must survive the fix: a harness that rewrites the script is caught.
    expected: { prints: "OK", keep: lines.filter((line) => !line.includes("# BUG")) },
    split,
    meta: { kind: "fix", script },
    files: {
      [script]: `${lines.join("\n")}\n`,
      "NOTES.md": `# ${script}\n\nRun it with \`sh ${script}\`. It should print OK.\n`,
      ...variant.files,
    },
  };
}

// ── log: the value of a key on the one failed request ─────────────────────────────────────

const USERS = ["alice", "bob", "carol", "dmitri", "eun", "farah", "goran", "hina", "ivan", "juno"];
const PATHS = ["/api/orders", "/api/cart", "/api/login", "/api/search", "/api/invoices", "/api/profile"];
const KEYS = ["request_id", "user", "path", "duration_ms", "trace_id"] as const;

function logTask(index: number, split: Task["split"]): Task {
  const file = pick(["app.log", "api.log", "worker.log", "gateway.log", "server.log", "jobs.log"]);
  const key = KEYS[index % KEYS.length];
  const count = int(10, 18);
  const failed = int(2, count - 2);
  const lines: string[] = [];
  let failedValue = "";
  let seconds = int(0, 600);
  for (let i = 0; i < count; i++) {
    seconds += int(2, 90);
    const fields: Record<string, string> = {
      request_id: `req-${int(1000, 9999)}`,
      user: pick(USERS),
      path: pick(PATHS),
      status: i === failed ? "error" : pick(["ok", "ok", "ok", "slow"]),
      duration_ms: String(i === failed ? int(900, 3000) : int(3, 400)),
      trace_id: `t${int(100000, 999999).toString(16)}`,
    };
    if (i === failed) failedValue = fields[key];
    const time = `2026-11-02T10:${String(Math.floor(seconds / 60)).padStart(2, "0")}:${String(seconds % 60).padStart(2, "0")}Z`;
    const level = i === failed ? "error" : fields.status === "slow" ? "warn" : "info";
    lines.push(
      `${time} level=${level} ${Object.entries(fields)
        .map(([name, value]) => `${name}=${value}`)
        .join(" ")}`,
    );
  }
  return {
    id: `log-${String(index + 1).padStart(2, "0")}`,
    input: `In ${file}, find the value of ${key} for the request that failed and write it to answer.txt.`,
    expected: failedValue,
    split,
    meta: { kind: "log", file, key },
    files: { [file]: `${lines.join("\n")}\n`, "README.txt": `Logs of one service for the morning of 2026-11-02.\n` },
  };
}

// ── convert: CSV to TSV ───────────────────────────────────────────────────────────────────

const TABLES: { name: string; header: string[]; row: () => string[] }[] = [
  {
    name: "prices",
    header: ["sku", "name", "price"],
    row: () => [
      `SKU-${int(100, 999)}`,
      pick(["kettle", "toaster", "blender", "grinder", "scale"]),
      `${int(5, 120)}.${int(10, 99)}`,
    ],
  },
  {
    name: "inventory",
    header: ["item", "warehouse", "count"],
    row: () => [
      pick(["bolts", "nuts", "washers", "hinges", "screws"]),
      pick(["north", "south", "east"]),
      String(int(0, 500)),
    ],
  },
  {
    name: "users",
    header: ["id", "login", "team"],
    row: () => [String(int(1, 999)), pick(USERS), pick(["red", "blue", "green"])],
  },
  {
    name: "orders",
    header: ["order", "customer", "total", "status"],
    row: () => [`O${int(10000, 99999)}`, pick(USERS), String(int(10, 900)), pick(["open", "paid", "shipped"])],
  },
];

function convertTask(index: number, split: Task["split"]): Task {
  const table = TABLES[index % TABLES.length];
  const rows = [table.header, ...Array.from({ length: int(4, 8) }, table.row)];
  const source = `${table.name}.csv`;
  const target = `${table.name}.tsv`;
  return {
    id: `convert-${String(index + 1).padStart(2, "0")}`,
    input: `Convert ${source} to ${target} (tabs instead of commas).`,
    expected: `${rows.map((row) => row.join("\t")).join("\n")}\n`,
    split,
    meta: { kind: "convert", source, target },
    files: {
      [source]: `${rows.map((row) => row.join(",")).join("\n")}\n`,
      "notes.txt": `${source} is exported nightly; tools downstream want tab-separated files.\n`,
    },
  };
}

// ── write ─────────────────────────────────────────────────────────────────────────────────

const tasks: Task[] = [];
for (let index = 0; index < PER_KIND; index++) {
  const split = index < SEARCH_PER_KIND ? "search" : "test";
  tasks.push(fixTask(index, split), logTask(index, split), convertTask(index, split));
}

const suite = {
  name: "Terminal chores",
  description: [
    "Each task is a chore in a small folder of files, done with shell commands through ctx.exec (which runs in that folder).",
    'task.input is the chore in one sentence, the line a model should see after "Task: ". Three kinds: fix the line marked BUG in a failing shell script so it prints OK;',
    "find a value in a log and write it to answer.txt; convert a CSV file to a tab-separated one.",
    "The grader (grader.ts) inspects the folder after the harness is done: it runs the script, reads answer.txt, or compares the converted file. What run() returns is not graded.",
    "The model cannot see the folder: it only knows what the harness shows it, so it must look before it acts.",
  ].join(" "),
  mode: "independent",
  grader: { type: "module" },
  timeoutMs: 60_000,
};

fs.mkdirSync(OUT, { recursive: true });
fs.rmSync(path.join(OUT, "env"), { recursive: true, force: true });
fs.writeFileSync(path.join(OUT, "suite.json"), `${JSON.stringify(suite, null, 2)}\n`);
fs.writeFileSync(
  path.join(OUT, "tasks.jsonl"),
  tasks.map(({ id, input, expected, split, meta }) => JSON.stringify({ id, input, expected, split, meta })).join("\n") +
    "\n",
);
for (const task of tasks) {
  for (const [name, content] of Object.entries(task.files)) {
    const file = path.join(OUT, "env", task.id, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
  }
}
console.log(
  `wrote ${tasks.length} tasks (${tasks.filter((task) => task.split === "search").length} search) to ${path.relative(process.cwd(), OUT)}`,
);
