// README.md of the workspace: the first file a proposer reads, written for an LLM that will
// navigate the folder with grep and cat. It holds what is true of the project as a whole (the
// objective, the suite, the harness contract, scoring, budgets, the map); standings change
// every iteration and live in leaderboard.md, so this file is rewritten only when the project's
// settings change.
import { formatUsd } from "../format.ts";
import { formatBytes } from "../format.ts";
import { SANDBOX_DEFAULTS, OUTPUT_LIMITS } from "../runner/sandbox/limits.ts";
import { TRACE_BODY_LIMIT_BYTES } from "../traces/limits.ts";
import type { GraderConfig } from "../suites/format.ts";
import type { WorkspaceProject } from "./data.ts";
import { evidenceLines, mapLines, recipesWithoutTraces } from "./feedback.ts";

export function renderReadme(project: WorkspaceProject): string {
  const { suite, settings } = project;
  const search = project.searchTasks.length;
  const sequential = suite.mode === "sequential";
  const memoryMb = settings.memoryMb ?? SANDBOX_DEFAULTS.memoryMb;
  const raw = project.feedback === "raw";
  const sections = [
    `# Proposer workspace: ${project.name}`,
    "",
    "This folder is rebuilt from the Harness Studio database before every iteration. Read anything;",
    "write only inside `proposals/` (everything else is overwritten or deleted by the next rebuild).",
    ...(project.hasSimulatedRuns
      ? [
          "",
          "**Some runs here are simulated** (`simulated: true` in their scores): they used the studio's offline model, so their scores and traces are not a real model's.",
        ]
      : []),
    "",
    "## Your objective",
    "",
    "Write a better **harness** for the task suite below: a complete TypeScript module (the program around",
    "the model: what it sees, which tools it calls, how control flows, what it remembers, how it recovers),",
    "not a prompt tweak. Better means a higher **search score** at fewer **tokens per task**; candidates are",
    "compared on both, and the non-dominated ones (frontier.json) are what people pick from.",
    "",
    "The held-out split is sealed: nothing of it is in this workspace or anywhere you can reach. A harness",
    "that special-cases search task ids or hard-codes their answers gains nothing: make changes that generalise.",
    "",
    ...evidenceLines(project.feedback),
    "",
    `## The task suite: ${suite.name}`,
    "",
    quote(suite.description),
    "",
    `- mode: **${suite.mode}**. ${
      sequential
        ? "The tasks are a stream, run in suite order by one worker. After each task the harness's `learn(task, feedback, ctx)` is called with `feedback = { expected, output, score }`, and `ctx.state` carries over to the next task: this is online learning, and what the harness learns early decides how it does later."
        : "Each task stands alone. Tasks run in parallel across several workers, in no fixed order; `learn()` is never called. `ctx.state` persists only within one worker, so do not rely on it."
    }`,
    `- search split: ${search} task${search === 1 ? "" : "s"}. Each input is in \`tasks/<key>.json\`; results${project.feedback === "raw" ? " and raw traces" : ""} are under \`candidates/\`.`,
    `- time limit: ${formatSeconds(suite.timeoutMs)} per task (per \`run()\` and per \`learn()\` call).`,
    "",
    "## The harness contract",
    "",
    "A harness is one TypeScript module with a default export:",
    "",
    "```ts",
    'import Anthropic from "@anthropic-ai/sdk"; // optional; the only package besides Node built-ins',
    "",
    "export default {",
    "  async run(task, ctx) {",
    "    // task = { id: string, input: <the task's input>, meta?: object }. There is no expected answer.",
    "    return answer; // any JSON value: string, number, boolean, null, array or object",
    "  },",
    `  async learn(task, feedback, ctx) {${sequential ? "" : " // optional; called only in sequential suites"}`,
    "    // feedback = { expected, output, score }: the right answer, what run() returned, its score",
    "  },",
    "};",
    "```",
    "",
    "| `ctx.` | what it is |",
    "|---|---|",
    `| \`model\` | the official \`@anthropic-ai/sdk\` client (\`Anthropic\`), already pointed at the studio's recording proxy; no API key is needed or visible. Use \`ctx.model.messages.create({ model: ${JSON.stringify(project.model)}, max_tokens, messages })\` or \`ctx.model.messages.stream(...)\`. Every call is recorded whole in the trace and counted in tokens per task. |`,
    `| \`log(value)\` | records any value in the trace (event kind \`log\`); each value is kept up to ${formatBytes(OUTPUT_LIMITS.logValueBytes)} |`,
    "| `state` | a plain object that lives as long as the worker: for sequential suites, what `learn()` stores for later tasks |",
    "| `signal` | an `AbortSignal` that fires at the time limit: pass it on, e.g. `ctx.model.messages.create(params, { signal: ctx.signal })` |",
    `| \`exec(command, { timeoutMs?, input? })\` | runs a shell command in the task's own scratch folder (holding the task's files, if it has any) and resolves to \`{ stdout, stderr, exitCode, signal, timedOut, durationMs }\`; each stream kept up to ${formatBytes(OUTPUT_LIMITS.execKeepBytes)}; recorded as an \`exec\` event |`,
    "",
    "Rules the studio enforces:",
    "",
    "- Imports: Node built-ins (`node:fs`, `node:path`, …) and `@anthropic-ai/sdk` only. The module is bundled",
    "  as one file before any task runs; any other import is refused at its line, and the candidate is rejected.",
    `- It runs in a sandbox: no network except the model, no view of the studio's files; ${memoryMb} MiB of memory;`,
    `  stdout and stderr are recorded (kept up to ${formatBytes(OUTPUT_LIMITS.streamKeepBytes)} each per task).`,
    "- `run()` must return a JSON-serialisable value; `undefined`, functions, `Map`s, `NaN` or cycles make the",
    `  task an error of kind \`not_serializable\`. Outputs above ${formatBytes(OUTPUT_LIMITS.outputBytes)} of JSON are an error too.`,
    "- A throw, a timeout, running out of memory, or flooding output ends the task as an **error** (score 0).",
    "",
    "## The model",
    "",
    `Harnesses call **\`${project.model}\`** (the project's model) through \`ctx.model\`; a call that names another model`,
    "goes to that one all the same (the studio points it there and records that it did). Tokens of every call count",
    "toward the candidate's tokens per task, so a harness that gets the same score with fewer or shorter calls",
    "is better.",
    "",
    "## How scoring works",
    "",
    `- grader: **${suite.grader.type}**. ${describeGrader(suite.grader)}`,
    `- grader config: \`${JSON.stringify(suite.grader)}\``,
    `- a task **passed** when its score is at least **${suite.passThreshold}**; **failed** when it ran and scored below that;`,
    "  **error** when the harness threw, timed out, was killed or returned something that could not be graded (score 0).",
    "- a candidate's score is the mean task score over all search tasks (errors count as 0).",
    "- tokens per task = (input + output tokens of every model call) ÷ tasks; cost is in USD at the model's price.",
    ...(raw
      ? [
          "- each trace ends with a `grade` event (`score`, `explanation`, `passed`, `expected`, `output`) or an `error` event.",
        ]
      : []),
    "",
    "## Budget",
    "",
    ...budgetLines(project),
    "",
    "## Map of this folder",
    "",
    "```",
    "README.md                         this file",
    "leaderboard.md                    every candidate ranked by search score: tokens/task, cost, parents, status",
    "frontier.json                     candidates not dominated on (search score higher, tokens per task lower)",
    "per-task-best.json                per search task: the candidates that pass it and the best score; `unsolved` lists the rest",
    "tasks/<key>.json                  each search task's input and meta as run() receives them; `files`: its starting files, in ctx.exec's folder",
    "candidates/<id>/harness.ts        a candidate's full source",
    "candidates/<id>/meta.json         number, parents (lineage), iteration, origin, status, rationale, hypothesis, axis",
    ...mapLines(project.feedback),
    "proposals/<n>/                    the only place you write: n is the iteration you are working on",
    ...(raw ? ["proposals/<n>/checks/<k>/<key>.jsonl   the trace of each task of your k-th check_candidate run"] : []),
    "```",
    "",
    "Candidates are named by number (`#12`) in tables and by id in paths; leaderboard.md gives both.",
    "",
    ...(raw ? traceFormat() : []),
    "## How to work here",
    "",
    ...(project.feedback === "raw" ? recipes() : recipesWithoutTraces(project.feedback)),
    "",
    "per-task-best.json shows which candidates solve which tasks: when two candidates solve different tasks,",
    "a harness that combines their strategies may solve both.",
    "",
    ...(raw ? prototyping() : []),
  ];
  return sections.join("\n");
}

/** The trace format: only in a workspace that holds traces. */
function traceFormat(): string[] {
  return [
    "## The trace format",
    "",
    "Each line of `traces/<key>.jsonl` is one event, in the order it happened (`seq` 0, 1, 2, …), with",
    "`kind`, `seq`, `time`, and where they apply `durationMs`, `name`, the OpenTelemetry model-call fields",
    "(`gen_ai.request.model`, `gen_ai.response.finish_reasons`, `gen_ai.usage.input_tokens`,",
    "`gen_ai.usage.output_tokens`, …), `costUsd`, `bodyBytes`, and `body`, the raw record. A body bigger than",
    `${formatBytes(TRACE_BODY_LIMIT_BYTES)} was cut when it was recorded: such an event has \`"truncated":true\` and its body says how much is missing.`,
    "",
    "| kind | body |",
    "|---|---|",
    "| `model_call` | the whole exchange: `request.body` (model, system, messages, tools…), `response.body` (content, stop_reason, usage), `stream`, `attempts` |",
    "| `log` | `{ value }` from `ctx.log` |",
    "| `stdout`, `stderr` | `{ text }` the harness printed |",
    "| `exec` | `{ command, cwd, stdout, stderr, exitCode, signal, timedOut, durationMs }` of `ctx.exec` |",
    "| `exception` | `{ name, message, stack, origin }`: uncaught exceptions and unhandled rejections |",
    "| `output` | `{ value }`: what `run()` returned |",
    "| `grade` | `{ score, explanation, passed, expected, output }` |",
    "| `error` | `{ kind, message, stack }`: why the task ended as an error (`throw`, `timeout`, `memory`, `not_serializable`, …) |",
    "| `note`, `sandbox` | the studio's own remarks (a restarted worker, output that was cut) |",
    "",
    "## The audit",
    "",
    "`audit.json` is a digest computed from the raw traces beside it, never a replacement for them: per task",
    "(one line each) and in mean, `modelCalls` (messages requests), `inputTokens` (all input, cached included),",
    "`cachedInputTokens` (cache reads), `outputTokens`, `wallMs`, `execs` and `failedExecs`; `tools`: how often",
    "each tool was offered (listed in a request's `tools`), called (a `tool_use` in a response) and errored (its",
    "`tool_result` had `is_error`); `promptRepeatShare`: of all prompt characters sent (each request's `tools`,",
    "`system` and `messages` as JSON), the share that repeats the previous call's prompt from its start. A tool",
    "offered everywhere and never called is context the harness need not send; a high repeat share is context",
    "re-sent on every call.",
    "",
    "With trials (several runs of each task), a task passed on some trials and not others is flaky (leaderboard.md's",
    "`flaky` column): its traces show what differs between runs; a task failed on every trial is broken.",
    "",
  ];
}

/** Shell recipes for the proposer, comments aligned. */
function recipes(): string[] {
  const lines: [string, string][] = [
    ["cat leaderboard.md frontier.json", "where things stand"],
    [`grep '"unsolved"' per-task-best.json`, "search tasks no candidate passes yet"],
    [`grep -l '"status":"error"' candidates/*/scores.json`, "candidates with erroring tasks"],
    [`grep -h '"status":"failed"' candidates/<id>/scores.json`, "one line per failed task, with its trace path"],
    ["cat candidates/<id>/traces/<key>.jsonl", "the raw trace of one task: read failed ones first"],
    [`grep -A6 '"perTask"' candidates/*/audit.json`, "tokens, calls and wall time per task, candidate by candidate"],
    [`grep -h '"kind":"grade"' candidates/*/traces/<key>.jsonl`, "how every candidate did on one task"],
    [`grep -h '"kind":"error"\\|"kind":"exception"' candidates/<id>/traces/*.jsonl`, "what threw, and where"],
    [
      `grep -oh '"gen_ai.response.finish_reasons":\\[[^]]*\\]' candidates/<id>/traces/*.jsonl | sort | uniq -c`,
      "why the model stopped",
    ],
    ["diff candidates/<a>/harness.ts candidates/<b>/harness.ts", "what a child changed (parents in meta.json)"],
    ["cat rejected/*/reason.md", "ideas that were refused, and why"],
  ];
  const width = Math.min(64, Math.max(...lines.map(([command]) => command.length)));
  return ["```sh", ...lines.map(([command, comment]) => `${command.padEnd(width)}  # ${comment}`), "```"];
}

/** How to try an idea on the logged traces before writing it: the bash tool's kit. */
function prototyping(): string[] {
  return [
    "## Prototyping",
    "",
    "Try each idea on the logged traces before you write the harness: count how often the failure you",
    "name occurs, run your new parsing on the logged responses of failed and passed tasks, replay a",
    "logged response through your harness. The built-in proposer's `bash` tool runs commands in a",
    "sandbox, in this folder: node, esbuild and the usual tools; this folder read-only except",
    "`$PROPOSAL_DIR`; `$SCRATCH_DIR` writable for the session, where `@anthropic-ai/sdk` resolves; no",
    "network; a time and output limit per call.",
    "",
    "```sh",
    `node -e 'for (const f of process.argv.slice(1)) { const e = require("fs").readFileSync(f, "utf8").trim().split("\\n").map(JSON.parse); console.log(f, e.at(-1).kind, e.filter((x) => x.kind === "model_call").length) }' candidates/<id>/traces/*.jsonl`,
    "esbuild proposals/<n>/<name>/harness.ts --bundle --platform=node --format=esm \\",
    '  --external:@anthropic-ai/sdk --outfile="$SCRATCH_DIR/h.mjs"   # a harness as JavaScript, in scratch',
    "```",
    "",
    "Then, in a `node --input-type=module -e` script: import `$SCRATCH_DIR/h.mjs`, give its `run()` the",
    "task's input and a `ctx.model` whose `messages.create` returns the logged `response.body` of a",
    "`model_call`, and compare what it returns with the `grade`'s expected answer.",
    "",
  ];
}

function describeGrader(grader: GraderConfig): string {
  switch (grader.type) {
    case "exact":
      return "The output must equal the expected answer exactly (deep JSON equality; a string is not a number): score 1 or 0.";
    case "normalized":
      return "Output and expected answer are compared as text, ignoring case, whitespace and punctuation: score 1 or 0.";
    case "regex":
      return grader.pattern === undefined
        ? `The output, as text, must match the task's expected answer used as a regular expression${grader.flags ? ` (flags \`${grader.flags}\`)` : ""}: score 1 or 0.`
        : `The output, as text, must match \`/${grader.pattern}/${grader.flags ?? ""}\`: score 1 or 0.`;
    case "numeric":
      return `The output's number (a number, or the last number in the output text) must be within ${grader.tolerance}${grader.relative ? " × |expected| (relative)" : ""} of the expected number: score 1 or 0. State the final answer last.`;
    case "json":
      return "The output (a JSON value, or text holding JSON) must contain the expected JSON: every expected key present with a matching value, extra keys allowed, arrays matched item by item: score 1 or 0.";
    case "module":
      return "A grader module written for this suite scores each output from 0 to 1 and explains why; the explanation is in each `grade` event.";
    case "verifier":
      return "Each task runs in its own container (`ctx.exec` runs commands there, in /app); after `run()` returns, the task's hidden tests run in that container and write the reward (0 to 1). What `run()` returns is not graded: the state of the container is. The tests' output and exit code are in each `grade` event.";
  }
}

function budgetLines(project: WorkspaceProject): string[] {
  const { budgets } = project.settings;
  const describe = (budget: { tokens?: number; usd?: number } | undefined) => {
    const parts = [
      budget?.tokens ? `${budget.tokens.toLocaleString("en-US")} tokens` : null,
      budget?.usd ? formatUsd(budget.usd) : null,
    ].filter(Boolean);
    return parts.length ? parts.join(", ") : "no limit set";
  };
  return [
    `- per task run: ${describe(budgets.task)}.${budgets.task?.tokens ? " Past it, the next model call fails with an API error the harness sees (and should handle)." : ""}`,
    `- per evaluation (a candidate run on every search task): ${describe(budgets.evaluation)}.`,
    `- each iteration: proposer ${describe(budgets.iteration?.proposer)}; evaluations of its candidates ${describe(budgets.iteration?.evaluation)}.`,
    `- whole project: proposer ${describe(budgets.project?.proposer)}; evaluations ${describe(budgets.project?.evaluation)}.`,
    `- candidates per iteration: ${project.candidatesPerIteration}.`,
  ];
}

function quote(text: string): string {
  return (text.trim() || "(no description)")
    .split("\n")
    .map((line) => (line ? `> ${line}` : ">"))
    .join("\n");
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
