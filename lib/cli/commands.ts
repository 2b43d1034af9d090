// The table of CLI commands. Each command lives in its own module and is loaded on use,
// so `studio --help` stays instant.
export interface Command {
  usage: string;
  summary: string;
  run(args: string[]): Promise<number | void>;
}

export const commands: Record<string, Command> = {
  start: {
    usage: "studio start [--host HOST] [--port PORT]",
    summary: "Start the studio: database (embedded unless DATABASE_URL is set), migrations, web server.",
    run: async (args) => (await import("./start.ts")).start(args),
  },
  link: {
    usage: "studio link",
    summary: "Print the sign-in link of the running studio (a browser opens it once; it sets a session cookie).",
    run: async (args) => (await import("./link.ts")).linkCommand(args),
  },
  project: {
    usage: "studio project create (--example NAME | --suite DIR --harness FILE) [--name NAME] [--json]",
    summary: "Create a project from a task-suite folder and a seed harness; prints the project id.",
    run: async (args) => (await import("./project.ts")).projectCommand(args),
  },
  eval: {
    usage:
      "studio eval --project ID [--candidate ID] [--split search|test] [--concurrency N] [--fresh] [--offline] [--yes] [--json]",
    summary:
      "Evaluate a candidate (default: the best so far) on a split; resumes an interrupted evaluation. Prints the estimated cost first; above confirmAboveUsd it asks (--yes: don't).",
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
      "studio optimize --project ID --iterations N [--proposer claude|command] [--proposer-command CMD] [--offline] [--yes] [--json]",
    summary:
      "Run N iterations of the loop (propose, validate, evaluate); resumes an interrupted run. Prints the estimated cost first; above confirmAboveUsd it asks (--yes: don't).",
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
    usage: "studio worker",
    summary: "Run a job worker (evaluations, optimizations) against DATABASE_URL; `start` runs one for you.",
    run: async (args) => (await import("./worker.ts")).workerCommand(args),
  },
  migrate: {
    usage: "studio migrate",
    summary: "Apply pending database migrations and exit (safe to run while the studio is up).",
    run: async (args) => (await import("./migrate.ts")).migrateCommand(args),
  },
};

export function helpText(): string {
  const width = Math.max(...Object.values(commands).map((command) => command.usage.length));
  const lines = Object.values(commands).map((command) => `  ${command.usage.padEnd(width)}  ${command.summary}`);
  return [
    "Harness Studio: evaluate LLM harnesses, keep raw traces, let a proposer write the next one.",
    "",
    "Usage: npx studio <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Environment: DATABASE_URL, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, HOST, PORT, STUDIO_TOKEN, STUDIO_DATA_DIR.",
    "The web server asks every request for its secret, even on 127.0.0.1: <data folder>/studio-secret, or STUDIO_TOKEN.",
    "Run `npx studio <command> --help` for a command's options.",
    "",
  ].join("\n");
}
