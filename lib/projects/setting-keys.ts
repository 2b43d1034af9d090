// Every setting a person can change, by the one name the CLI uses (`studio settings --set
// budgets.evaluation.usd=5`): where it sits in the settings body (the API's and the page's field
// path), what kind of value it takes, and what it means. Validation is not here: the values go
// through the settings page's own schema (settings-edit.ts), so the words are the same.
import { DEFAULT_CONFIRM_ABOVE_USD } from "./settings.ts";

export interface SettingKey {
  /** The CLI's name: `budgets.task.tokens`. */
  key: string;
  /** Its place in the settings body, which is also the field path of its errors: `settings.budgets.task.tokens`. */
  path: string[];
  /** Text is kept as typed; a number-looking value becomes a number (anything else goes to the schema to refuse). */
  type: "text" | "number";
  /** `--set key=` clears it (no limit, the default); a required setting cannot be cleared. */
  optional: boolean;
  meaning: string;
}

const BUDGET_SCOPES: { scope: string; meaning: string }[] = [
  { scope: "task", meaning: "each task run's model calls" },
  { scope: "evaluation", meaning: "each evaluation: all its task runs" },
  {
    scope: "iteration.proposer",
    meaning: "each iteration's proposer: its model calls, check_candidate runs and smoke runs",
  },
  { scope: "iteration.evaluation", meaning: "each iteration's evaluations of its candidates" },
  { scope: "project.proposer", meaning: "the whole project's proposer spending, every iteration added up" },
  { scope: "project.evaluation", meaning: "the whole project's evaluations, added up" },
];

const budgetKeys: SettingKey[] = BUDGET_SCOPES.flatMap(({ scope, meaning }) => [
  {
    key: `budgets.${scope}.tokens`,
    path: ["settings", "budgets", ...scope.split("."), "tokens"],
    type: "number" as const,
    optional: true,
    meaning: `Token limit of ${meaning}, cache tokens included; empty: no limit`,
  },
  {
    key: `budgets.${scope}.usd`,
    path: ["settings", "budgets", ...scope.split("."), "usd"],
    type: "number" as const,
    optional: true,
    meaning: `Dollar limit of ${meaning}, priced per call; empty: no limit`,
  },
]);

export const SETTING_KEYS: SettingKey[] = [
  {
    key: "model",
    path: ["model"],
    type: "text",
    optional: false,
    meaning: "The model harnesses call through ctx.model",
  },
  {
    key: "proposerKind",
    path: ["proposerKind"],
    type: "text",
    optional: false,
    meaning: "What writes the next candidates: claude, claude-code, command or offline",
  },
  {
    key: "proposerModel",
    path: ["proposerModel"],
    type: "text",
    optional: false,
    meaning: "The proposer's model; it prices the proposer's budgets",
  },
  {
    key: "proposerCommand",
    path: ["proposerCommand"],
    type: "text",
    optional: true,
    meaning: "The command proposer's shell command line, stored as typed",
  },
  {
    key: "candidatesPerIteration",
    path: ["candidatesPerIteration"],
    type: "number",
    optional: false,
    meaning: "How many new harnesses the proposer is asked for each iteration (1 to 20)",
  },
  ...budgetKeys,
  {
    key: "confirmAboveUsd",
    path: ["settings", "confirmAboveUsd"],
    type: "number",
    optional: true,
    meaning: `Ask before an evaluation or optimization estimated above this many dollars; empty: $${DEFAULT_CONFIRM_ABOVE_USD}`,
  },
  {
    key: "proposerContextWindow",
    path: ["settings", "proposerContextWindow"],
    type: "number",
    optional: true,
    meaning:
      "The Claude proposer's context window in tokens; old tool results are cleared to stay under it; empty: the model's",
  },
  {
    key: "concurrency",
    path: ["settings", "concurrency"],
    type: "number",
    optional: true,
    meaning: "Task runs at once for independent suites (1 to 64); empty: one per core",
  },
  {
    key: "trials",
    path: ["settings", "trials"],
    type: "number",
    optional: true,
    meaning:
      "Task runs per task in each evaluation (1 to 20), each with its own trace; a task scores its mean; empty: 1",
  },
  {
    key: "testTrials",
    path: ["settings", "testTrials"],
    type: "number",
    optional: true,
    meaning: "Trials per task when an optimization's frontier is evaluated on the test split (1 to 20); empty: trials",
  },
  {
    key: "memoryMb",
    path: ["settings", "memoryMb"],
    type: "number",
    optional: true,
    meaning: "Memory limit of one task run's sandbox worker, in MiB; empty: the default",
  },
  {
    key: "otlp.endpoint",
    path: ["settings", "otlp", "endpoint"],
    type: "text",
    optional: true,
    meaning:
      "OTLP/HTTP base endpoint this project's traces are exported to after each evaluation (/v1/traces is added); empty: OTEL_EXPORTER_OTLP_ENDPOINT, or no export",
  },
  {
    key: "otlp.headers",
    path: ["settings", "otlp", "headers"],
    type: "text",
    optional: true,
    meaning:
      "Headers sent with each OTLP export, as name=value,name=value (values URL-encoded); empty: none of the project's",
  },
  {
    key: "otlp.protocol",
    path: ["settings", "otlp", "protocol"],
    type: "text",
    optional: true,
    meaning: "http/protobuf or http/json; empty: OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf",
  },
];

/** The CLI's name for an error's field path ("settings.budgets.task.tokens" → "budgets.task.tokens"). */
export function keyOfPath(path: string): string {
  return SETTING_KEYS.find((setting) => setting.path.join(".") === path)?.key ?? path.replace(/^settings\./, "");
}

export function findSettingKey(key: string): SettingKey | undefined {
  return SETTING_KEYS.find((setting) => setting.key === key);
}

/** The value at a path of a settings body or view; undefined when not set. */
export function valueAt(object: unknown, path: string[]): unknown {
  return path.reduce<unknown>(
    (value, part) => (value && typeof value === "object" ? (value as Record<string, unknown>)[part] : undefined),
    object,
  );
}

/**
 * Sets (or, with undefined, removes) the value at a path, making objects on the way; returns a
 * copy. Emptied objects are dropped, so clearing the last budget of a scope leaves no `{}`.
 */
export function withValueAt<T>(object: T, path: string[], value: unknown): T {
  const [head, ...rest] = path;
  const base = (object && typeof object === "object" ? { ...object } : {}) as Record<string, unknown>;
  if (!rest.length) {
    if (value === undefined) delete base[head];
    else base[head] = value;
    return base as T;
  }
  const inner = withValueAt(base[head], rest, value) as Record<string, unknown>;
  if (Object.keys(inner).length || head === "settings" || head === "budgets") base[head] = inner;
  else delete base[head];
  return base as T;
}

/** A value as typed on the command line: numbers for number settings, text as is. */
export function parseSettingValue(type: SettingKey["type"], text: string): unknown {
  if (type === "text") return text;
  const cleaned = text.trim().replace(/^\$/, "").replace(/[,_]/g, "");
  return /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(cleaned) ? Number(cleaned) : text;
}
