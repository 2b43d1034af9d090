// Grader of the terminal chores: runs in the task's folder after the harness is done, and looks
// at what the harness left there (what run() returned is not graded). One function per kind;
// task.meta.kind says which (suite.json, tasks.jsonl and env/ are made by
// scripts/examples/terminal-tasks.ts).
import fs from "node:fs";

interface GradeArgs {
  input: unknown;
  expected: unknown;
  output: unknown;
  meta: Record<string, unknown> | null;
}

interface GradeContext {
  exec(
    command: string,
    options?: { timeoutMs?: number },
  ): Promise<{ stdout: string; stderr: string; exitCode: number | null }>;
}

interface Grade {
  score: number;
  explanation: string;
}

export default async function grade({ expected, meta }: GradeArgs, ctx: GradeContext): Promise<Grade> {
  switch (meta?.kind) {
    case "fix":
      return gradeFix(String(meta.script), expected as { prints: string; keep: string[] }, ctx);
    case "log":
      return gradeLog(String(expected));
    case "convert":
      return gradeConvert(String(meta.target), String(expected));
    default:
      return {
        score: 0,
        explanation: `task meta.kind is ${JSON.stringify(meta?.kind)}; the grader knows fix, log and convert`,
      };
  }
}

/** The script must print the expected line and exit 0, with every line but the bug still in it. */
async function gradeFix(
  script: string,
  expected: { prints: string; keep: string[] },
  ctx: GradeContext,
): Promise<Grade> {
  if (!fs.existsSync(script)) return { score: 0, explanation: `${script} is gone` };
  const lines = fs.readFileSync(script, "utf8").split("\n");
  const lost = expected.keep.filter((line) => !lines.includes(line));
  if (lost.length)
    return {
      score: 0,
      explanation: `${script} lost lines it needed: ${JSON.stringify(lost[0])}${lost.length > 1 ? ` and ${lost.length - 1} more` : ""}`,
    };
  const run = await ctx.exec(`sh ${script}`, { timeoutMs: 10_000 });
  const printed = run.stdout.trim();
  if (run.exitCode !== 0 || printed !== expected.prints) {
    return {
      score: 0,
      explanation: `sh ${script} printed ${JSON.stringify(printed.slice(0, 200))} and exited ${run.exitCode}; it should print ${expected.prints} and exit 0`,
    };
  }
  return { score: 1, explanation: `sh ${script} prints ${expected.prints} and the rest of the script is intact` };
}

/** answer.txt must hold the value, alone (surrounding whitespace ignored). */
function gradeLog(expected: string): Grade {
  if (!fs.existsSync("answer.txt")) return { score: 0, explanation: "there is no answer.txt" };
  const answer = fs.readFileSync("answer.txt", "utf8").trim();
  return answer === expected
    ? { score: 1, explanation: `answer.txt holds ${JSON.stringify(expected)}` }
    : {
        score: 0,
        explanation: `answer.txt holds ${JSON.stringify(answer.slice(0, 200))}, not ${JSON.stringify(expected)}`,
      };
}

/** The converted file must have the expected rows, tab-separated (line endings and a final newline ignored). */
function gradeConvert(target: string, expected: string): Grade {
  if (!fs.existsSync(target)) return { score: 0, explanation: `there is no ${target}` };
  const rows = (text: string) => text.replace(/\r\n/g, "\n").replace(/\n+$/, "").split("\n");
  const got = rows(fs.readFileSync(target, "utf8"));
  const want = rows(expected);
  const wrong = want.findIndex((row, index) => got[index] !== row);
  if (wrong === -1 && got.length === want.length)
    return { score: 1, explanation: `${target} has all ${want.length} rows, tab-separated` };
  if (wrong === -1) return { score: 0, explanation: `${target} has ${got.length} rows; ${want.length} expected` };
  return {
    score: 0,
    explanation: `${target} row ${wrong + 1} is ${JSON.stringify(got[wrong] ?? "(missing)")}, expected ${JSON.stringify(want[wrong])}`,
  };
}
