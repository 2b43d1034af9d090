// The table of CLI commands. Each command lives in its own module and is loaded on use,
// so `studio --help` stays instant.
export interface Command {
  /** One line per form of the command. */
  usage: string;
  summary: string;
  run(args: string[]): Promise<number | void>;
}

export const commands: Record<string, Command> = {
  start: {
    usage: "studio start [--host HOST] [--port PORT] [--slots N]",
    summary: "Start the studio: database (embedded unless DATABASE_URL is set), migrations, web server.",
    run: async (args) => (await import("./start.ts")).start(args),
  },
  link: {
    usage: "studio link",
    summary: "Print the sign-in link of the running studio (a browser opens it once; it sets a session cookie).",
    run: async (args) => (await import("./link.ts")).linkCommand(args),
  },
  project: {
    usage: [
      "studio project create (--example NAME | --suite DIR --harness FILE | --harbor DIR [--split search|test] [--harness FILE]) [--name NAME] [--json]",
      "studio project rename --project ID --name NAME",
      "studio project delete --project ID [--yes]",
    ].join("\n"),
    summary:
      "Create a project from a task-suite folder (or Harbor tasks, run in containers) and a seed harness (prints its id, and its address when a studio is running); rename one; delete one with everything in it.",
    run: async (args) => (await import("./project.ts")).projectCommand(args),
  },
  eval: {
    usage:
      "studio eval --project ID [--candidate ID|#N] [--split search|test] [--model M] [--concurrency N] [--trials N] [--fresh] [--offline] [--oracle] [--queue] [--yes] [--json]",
    summary:
      "Evaluate a candidate (its id, or #N in the project; default: the best so far) on a split, with the project's model or --model M (a transfer evaluation: every call goes to M, and the score stays out of the search's selection); resumes an interrupted evaluation. --queue: put it on the job queue, for every worker on the database to share its task runs, and follow it (Ctrl-C asks it to stop). --trials N: task runs per task (default: the trials setting); a task scores its mean. --oracle runs each Harbor task's solution/solve.sh instead, stores nothing, and exits 1 unless every task scores 1. Prints the estimated cost first; above confirmAboveUsd it asks (--yes: don't).",
    run: async (args) => (await import("./eval.ts")).evalCommand(args),
  },
  export: {
    usage: "studio export --project ID (--out DIR | --otlp [--evaluation ID]) [--iteration N] [--json]",
    summary:
      "Write the project's proposer workspace (sources, scores, raw search traces) to DIR; rewrites only what changed. With --otlp: send finished evaluations' traces (all, one, or an iteration's) to the OTLP endpoint (OTEL_EXPORTER_OTLP_* or the project's otlp.* settings).",
    run: async (args) => (await import("./export.ts")).exportCommand(args),
  },
  optimize: {
    usage:
      "studio optimize --project ID --iterations N [--proposer claude|command] [--proposer-command CMD] [--feedback raw|summary|scores] [--trials N] [--offline] [--queue] [--yes] [--json]",
    summary:
      "Run N iterations of the loop (propose, validate, evaluate); resumes an interrupted run. --queue: run it on the job workers (an iteration's candidates evaluated at once) and follow it. --feedback: what the proposer's workspace holds of each task run: raw traces (the default), summaries the proposer model writes of them, or scores only (the feedback ablation's modes). --trials N: task runs per task of its search evaluations (the frontier's test evaluations take testTrials when set). Prints the estimated cost first; above confirmAboveUsd it asks (--yes: don't).",
    run: async (args) => (await import("./optimize.ts")).optimizeCommand(args),
  },
  instructions: {
    usage: "studio instructions --project ID [--set FILE [--note TEXT]] [--history]",
    summary: "Show the proposer's instructions, save an edited version, or list the versions.",
    run: async (args) => (await import("./instructions.ts")).instructionsCommand(args),
  },
  settings: {
    usage: "studio settings --project ID [--set key=value ...] [--json]",
    summary:
      "Show every project setting (budgets included) with its meaning, or change some: --set budgets.evaluation.usd=5; key= clears.",
    run: async (args) => (await import("./settings.ts")).settingsCommand(args),
  },
  prices: {
    usage: "studio prices [--set MODEL input=N output=N [cacheRead=N] [cacheWrite=N]] [--delete MODEL] [--json]",
    summary:
      "List, set or delete model price overrides (USD per million tokens, every project); models with no price show as unpriced.",
    run: async (args) => (await import("./prices.ts")).pricesCommand(args),
  },
  cancel: {
    usage: "studio cancel --project ID",
    summary: "Ask a project's running optimization and evaluations to stop (they can be resumed).",
    run: async (args) => (await import("./cancel.ts")).cancelCommand(args),
  },
  worker: {
    usage: "studio worker [--slots N]",
    summary:
      "Run a job worker (evaluations, optimizations, and task runs of evaluations any worker holds) against DATABASE_URL; `start` runs one for you. --slots: task runs at once over all its jobs (default: the cores).",
    run: async (args) => (await import("./worker.ts")).workerCommand(args),
  },
  workers: {
    usage: "studio workers [--json]",
    summary: "List the job workers that are up (any machine on this database): slots, busy, heartbeat, work.",
    run: async (args) => (await import("./workers.ts")).workersCommand(args),
  },
  migrate: {
    usage: "studio migrate",
    summary: "Apply pending database migrations and exit (safe to run while the studio is up).",
    run: async (args) => (await import("./migrate.ts")).migrateCommand(args),
  },
};

/** The widest `studio --help` may be: it must read in a 100-column terminal. */
export const HELP_COLUMNS = 100;

export function helpText(): string {
  const lines = Object.values(commands).flatMap((command) => [
    ...command.usage.split("\n").flatMap((usage) => wrap(usage, 2, 8)),
    ...wrap(command.summary, 6, 6),
  ]);
  return [
    "Harness Studio: evaluate LLM harnesses, keep raw traces, let a proposer write the next one.",
    "",
    "Usage: npx studio <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    ...wrap(
      "Environment: DATABASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, HOST, PORT, STUDIO_TOKEN, STUDIO_DATA_DIR.",
      0,
      2,
    ),
    ...wrap(
      "The web server asks every request for its secret, even on 127.0.0.1: <data folder>/studio-secret, or STUDIO_TOKEN.",
      0,
      2,
    ),
    "Run `npx studio <command> --help` for a command's options.",
    "",
  ].join("\n");
}

/** Breaks text at spaces into lines of at most HELP_COLUMNS characters (a longer word keeps its own line). */
export function wrap(text: string, indent: number, hangingIndent: number): string[] {
  const lines: string[] = [];
  let line = " ".repeat(indent);
  let empty = true;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (!empty && line.length + 1 + word.length > HELP_COLUMNS) {
      lines.push(line);
      line = " ".repeat(hangingIndent);
      empty = true;
    }
    line += empty ? word : ` ${word}`;
    empty = false;
  }
  lines.push(line);
  return lines;
}
