"use client";

// The project's settings as a form. The server validates with the same schema the runner reads
// budgets with; its field errors come back keyed by path and show next to their field, and an
// invalid form saves nothing. Numbers are sent as typed, so "abc" is refused in words by the
// server rather than silently read as "no limit".
import { useMemo, useState } from "react";
import { Section, ui } from "@/components/ui";
import { formatDuration } from "@/lib/format";
import type { SettingsView } from "@/lib/projects/settings-edit";
import styles from "./settings.module.css";

type Kind = SettingsView["proposerKind"];
type Values = Record<string, string>;

const KINDS: { kind: Kind; label: string; hint: string }[] = [
  {
    kind: "claude",
    label: "Claude",
    hint: "Built in: a tool-use loop that lists, reads, greps and writes in the workspace, with the proposer model.",
  },
  {
    kind: "claude_code",
    label: "Claude Code",
    hint: "The method's own proposer: claude -p with Read, Glob, Grep, Write, Edit and Bash, sandboxed in the workspace. Needs Claude Code installed where the worker runs.",
  },
  {
    kind: "command",
    label: "Command",
    hint: "Any program, for example a coding agent's CLI, run in the workspace folder.",
  },
  {
    kind: "offline",
    label: "Offline",
    hint: "No model: rewrites harnesses from the raw traces with built-in transformations.",
  },
];

/** Budget rows: the path under settings.budgets, and what the limit covers. */
const BUDGETS: { path: string; label: string; hint: string }[] = [
  { path: "task", label: "Each task run", hint: "the model calls of one task run" },
  { path: "evaluation", label: "Each evaluation", hint: "all task runs of one evaluation" },
  {
    path: "iteration.proposer",
    label: "Each iteration: proposer",
    hint: "the proposer's own model calls, its check_candidate runs and the smoke runs of its proposals",
  },
  { path: "iteration.evaluation", label: "Each iteration: evaluations", hint: "the evaluations of its candidates" },
  { path: "project.proposer", label: "Whole project: proposer", hint: "every iteration's proposer, added up" },
  { path: "project.evaluation", label: "Whole project: evaluations", hint: "every evaluation, added up" },
];

function get(object: unknown, path: string): unknown {
  return path
    .split(".")
    .reduce<unknown>(
      (value, key) => (value && typeof value === "object" ? (value as Record<string, unknown>)[key] : undefined),
      object,
    );
}

/** The form's text for each field, keyed by the server's field paths. */
function toValues(view: SettingsView): Values {
  const values: Values = {
    model: view.model,
    proposerKind: view.proposerKind,
    proposerModel: view.proposerModel,
    proposerCommand: view.proposerCommand ?? "",
    candidatesPerIteration: String(view.candidatesPerIteration),
    "settings.proposerContextWindow": view.settings.proposerContextWindow?.toString() ?? "",
    "settings.concurrency": view.settings.concurrency?.toString() ?? "",
    "settings.trials": view.settings.trials?.toString() ?? "",
    "settings.testTrials": view.settings.testTrials?.toString() ?? "",
    "settings.memoryMb": view.settings.memoryMb?.toString() ?? "",
    "settings.confirmAboveUsd": view.settings.confirmAboveUsd?.toString() ?? "",
    "settings.otlp.endpoint": view.settings.otlp?.endpoint ?? "",
    "settings.otlp.headers": view.settings.otlp?.headers ?? "",
    "settings.otlp.protocol": view.settings.otlp?.protocol ?? "",
  };
  for (const { path } of BUDGETS) {
    for (const unit of ["tokens", "usd"])
      values[`settings.budgets.${path}.${unit}`] = String(get(view.settings.budgets, `${path}.${unit}`) ?? "");
  }
  return values;
}

/** Empty means "not set"; a number-looking text becomes a number; anything else goes as typed, for the server to refuse. */
function toNumber(text: string): number | string | undefined {
  const cleaned = text
    .trim()
    .replace(/^\$/, "")
    .replace(/[,_\s]/g, "");
  if (cleaned === "") return undefined;
  return /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(cleaned) ? Number(cleaned) : text;
}

function toBody(values: Values) {
  const budgets: Record<string, Record<string, unknown>> = {};
  for (const { path } of BUDGETS) {
    const limit: Record<string, unknown> = {};
    for (const unit of ["tokens", "usd"]) {
      const value = toNumber(values[`settings.budgets.${path}.${unit}`]);
      if (value !== undefined) limit[unit] = value;
    }
    if (!Object.keys(limit).length) continue;
    const [scope, side] = path.split(".");
    if (side) budgets[scope] = { ...budgets[scope], [side]: limit };
    else budgets[scope] = limit;
  }
  const proposerContextWindow = toNumber(values["settings.proposerContextWindow"]);
  const concurrency = toNumber(values["settings.concurrency"]);
  const trials = toNumber(values["settings.trials"]);
  const testTrials = toNumber(values["settings.testTrials"]);
  const memoryMb = toNumber(values["settings.memoryMb"]);
  const confirmAboveUsd = toNumber(values["settings.confirmAboveUsd"]);
  // Each part as typed (trimmed); an empty one is not set, and an empty otlp object is not sent.
  const otlp = Object.fromEntries(
    (["endpoint", "headers", "protocol"] as const)
      .map((part) => [part, values[`settings.otlp.${part}`].trim()])
      .filter(([, value]) => value),
  );
  return {
    model: values.model.trim(),
    proposerKind: values.proposerKind,
    proposerModel: values.proposerModel.trim(),
    // Stored exactly as given: a shell command line's spaces and quotes are the person's.
    proposerCommand: values.proposerCommand === "" ? null : values.proposerCommand,
    candidatesPerIteration: toNumber(values.candidatesPerIteration) ?? "",
    settings: {
      budgets,
      ...(proposerContextWindow !== undefined ? { proposerContextWindow } : {}),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(trials !== undefined ? { trials } : {}),
      ...(testTrials !== undefined ? { testTrials } : {}),
      ...(memoryMb !== undefined ? { memoryMb } : {}),
      ...(confirmAboveUsd !== undefined ? { confirmAboveUsd } : {}),
      ...(Object.keys(otlp).length ? { otlp } : {}),
    },
  };
}

/** "must be more than 0 tokens" → "Must be more than 0 tokens." */
function sentence(message: string): string {
  const text = message.charAt(0).toUpperCase() + message.slice(1);
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function SettingsForm(props: {
  projectId: string;
  initial: SettingsView;
  defaultMemoryMb: number;
  defaultConfirmAboveUsd: number;
}) {
  const [saved, setSaved] = useState(props.initial);
  const savedValues = useMemo(() => toValues(saved), [saved]);
  const [values, setValues] = useState(savedValues);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: "error" | "saved"; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const changed = Object.keys(values).some((key) => values[key] !== savedValues[key]);
  const kind = values.proposerKind as Kind;

  function set(key: string, value: string) {
    setValues((current) => ({ ...current, [key]: value }));
    setMessage((current) => (current?.tone === "saved" ? null : current));
  }

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setSaving(true);
    setMessage(null);
    try {
      const response = await fetch(`/api/projects/${props.projectId}/settings`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(toBody(values)),
      });
      const body = (await response.json().catch(() => ({}))) as Partial<SettingsView> & {
        error?: string;
        fields?: Record<string, string>;
      };
      if (response.ok) {
        const view = body as SettingsView;
        setSaved(view);
        setValues(toValues(view));
        setErrors({});
        setMessage({
          tone: "saved",
          text: `Saved at ${new Date().toLocaleTimeString()}. The next iteration uses these settings.`,
        });
        return;
      }
      setErrors(body.fields ?? {});
      const count = Object.keys(body.fields ?? {}).length;
      setMessage({
        tone: "error",
        text: count
          ? `Nothing was saved: ${count === 1 ? "one setting needs" : `${count} settings need`} fixing (marked at each field).`
          : (body.error ?? `The studio answered ${response.status}; nothing was saved.`),
      });
    } catch {
      setMessage({ tone: "error", text: "The studio could not be reached; nothing was saved." });
    } finally {
      setSaving(false);
    }
  }

  /** A text input bound to one field path, with its error under it. */
  const input = (
    key: string,
    label: string,
    options: { unit?: string; prefix?: string; placeholder?: string; wide?: boolean; mono?: boolean } = {},
  ) => {
    const error = errors[key];
    return (
      <div className={styles.control}>
        <span className={styles.inputRow}>
          {options.prefix && <span className={styles.affix}>{options.prefix}</span>}
          <input
            className={`${ui.input} ${options.wide ? "" : styles.number} ${options.mono ? styles.mono : ""}`}
            name={key}
            aria-label={label}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${key}-error` : undefined}
            inputMode={options.wide ? undefined : "decimal"}
            placeholder={options.placeholder}
            value={values[key]}
            spellCheck={false}
            autoComplete="off"
            onChange={(event) => set(key, event.target.value)}
          />
          {options.unit && <span className={styles.affix}>{options.unit}</span>}
        </span>
        {error && (
          <span className={styles.fieldError} id={`${key}-error`} data-field-error={key}>
            {sentence(error)}
          </span>
        )}
      </div>
    );
  };

  // Errors of fields not on screen (hidden by the proposer choice, or unknown) are listed in the alert.
  const placed = new Set(
    Object.keys(values).filter(
      (key) => (key !== "proposerModel" || kind !== "offline") && (key !== "proposerCommand" || kind === "command"),
    ),
  );
  const unplaced = Object.entries(errors).filter(([key]) => !placed.has(key));

  return (
    <form onSubmit={(event) => void save(event)} noValidate aria-label="Project settings">
      <Section title="Models and proposer" hint="Read by each iteration when it starts">
        <div className={styles.fields}>
          <Field
            label="Task model"
            hint="The model harnesses call through ctx.model; the workspace README names it to the proposer."
          >
            {input("model", "Task model", { wide: true, mono: true })}
          </Field>
          <Field label="Proposer" hint="What writes the next candidates.">
            <div className={styles.kinds} role="radiogroup" aria-label="Proposer">
              {KINDS.map((option) => (
                <label key={option.kind} className={`${styles.kind} ${kind === option.kind ? styles.kindActive : ""}`}>
                  <input
                    type="radio"
                    name="proposerKind"
                    value={option.kind}
                    checked={kind === option.kind}
                    onChange={() => set("proposerKind", option.kind)}
                  />
                  <span>
                    <strong>{option.label}</strong>
                    <span className={styles.kindHint}>{option.hint}</span>
                  </span>
                </label>
              ))}
            </div>
            {errors.proposerKind && <span className={styles.fieldError}>{sentence(errors.proposerKind)}</span>}
          </Field>
          {kind !== "offline" && (
            <Field
              label="Proposer model"
              hint={
                kind === "claude"
                  ? "The model the Claude proposer runs on."
                  : kind === "claude_code"
                    ? "Claude Code runs on it (--model); it prices the proposer's budgets."
                    : "Given to the command as PROPOSER_MODEL; it prices the proposer's budgets."
              }
            >
              {input("proposerModel", "Proposer model", { wide: true, mono: true })}
            </Field>
          )}
          {kind === "claude" && (
            <Field
              label="Context window"
              hint="Each of the proposer's requests stays under this many tokens: the oldest tool results are cleared to one-line stubs, and it is told what it read so it can read a page again. Empty: the model's window."
            >
              {input("settings.proposerContextWindow", "Context window", { unit: "tokens", placeholder: "200,000" })}
            </Field>
          )}
          {kind === "command" && (
            <Field label="Proposer command" hint="A shell command line, stored exactly as typed.">
              {input("proposerCommand", "Proposer command", {
                wide: true,
                mono: true,
                placeholder: 'e.g. my-agent --prompt-file "$INSTRUCTIONS_FILE"',
              })}
              <p className={styles.hint} data-command-hint>
                Runs with <code>/bin/sh -c</code> in the project&apos;s workspace folder. The instructions and the
                iteration&apos;s brief arrive on stdin and in <code>proposals/&lt;n&gt;/INSTRUCTIONS.md</code>; the
                environment has <code>WORKSPACE_DIR</code>, <code>PROPOSAL_DIR</code>, <code>ITERATION</code>,{" "}
                <code>CANDIDATES_WANTED</code>, <code>PROPOSER_MODEL</code> and <code>ANTHROPIC_BASE_URL</code> (the
                studio&apos;s recording proxy) with a per-iteration key; nothing else of the studio&apos;s environment.
                It runs sandboxed like a harness: the workspace read-only except <code>PROPOSAL_DIR</code>, a scratch
                home, the files its command line names, no network but the proxy. Every <code>harness.ts</code> written
                under <code>PROPOSAL_DIR</code> becomes a proposal.
              </p>
            </Field>
          )}
          <Field label="Candidates per iteration" hint="How many new harnesses the proposer is asked for each time.">
            {input("candidatesPerIteration", "Candidates per iteration", { unit: "candidates" })}
          </Field>
          <Field label="Task time limit" hint="Part of the task suite (suite.json), so not editable here.">
            <p className={styles.readOnly}>
              <strong>{saved.timeoutMs != null ? formatDuration(saved.timeoutMs) : "—"}</strong> per task run. Every
              candidate is scored under the same limit: changing it would rank scores measured under different limits
              side by side.
            </p>
          </Field>
        </div>
      </Section>

      <Section
        title="Budgets"
        hint="Empty means no limit · whichever of tokens or dollars is reached first stops the run, at the next model call · tokens count input, output, cache writes and cache reads; dollars price each call at its model's rates"
      >
        <table className={`${ui.table} ${styles.budgets}`}>
          <thead>
            <tr>
              <th scope="col">Limit</th>
              <th scope="col">Tokens (input, output and cache)</th>
              <th scope="col">Dollars</th>
            </tr>
          </thead>
          <tbody>
            {BUDGETS.map((budget) => (
              <tr key={budget.path}>
                <th scope="row">
                  <span className={styles.rowLabel}>{budget.label}</span>
                  <span className={styles.rowHint}>{budget.hint}</span>
                </th>
                <td>
                  {input(`settings.budgets.${budget.path}.tokens`, `${budget.label}: tokens`, {
                    unit: "tokens",
                    placeholder: "no limit",
                  })}
                </td>
                <td>
                  {input(`settings.budgets.${budget.path}.usd`, `${budget.label}: dollars`, {
                    prefix: "$",
                    placeholder: "no limit",
                  })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Cost before the spend" hint="Empty means the default">
        <div className={styles.fields}>
          <Field
            label="Ask above"
            hint="An evaluation or optimization estimated above this asks first: a confirm step here, a prompt or --yes in the CLI. The estimate comes from this project's earlier runs; with none yet, it does not ask."
          >
            {input("settings.confirmAboveUsd", "Ask above", {
              prefix: "$",
              placeholder: String(props.defaultConfirmAboveUsd),
            })}
          </Field>
        </div>
      </Section>

      <Section title="Trials" hint="Task runs per task in each evaluation; a task scores its mean over them">
        <div className={styles.fields}>
          <Field label="Trials" hint="Each with its own trace; more trials narrow the score's interval. Empty: 1.">
            {input("settings.trials", "Trials", { unit: "per task", placeholder: "1" })}
          </Field>
          <Field
            label="Test trials"
            hint="For the end-of-run evaluations of the frontier on the test split. Empty: the search's."
          >
            {input("settings.testTrials", "Test trials", { unit: "per task", placeholder: "as trials" })}
          </Field>
        </div>
      </Section>

      <Section title="Sandbox limits" hint="Empty means the default">
        <div className={styles.fields}>
          <Field label="Task runs at once" hint="For independent suites; sequential suites run one at a time.">
            {input("settings.concurrency", "Task runs at once", { unit: "runs", placeholder: "one per core" })}
          </Field>
          <Field
            label="Memory per task run"
            hint="The sandbox worker's whole process tree; also sizes the JavaScript heap."
          >
            {input("settings.memoryMb", "Memory per task run", {
              unit: "MiB",
              placeholder: `${props.defaultMemoryMb}`,
            })}
          </Field>
        </div>
      </Section>

      <Section
        title="OTLP export"
        hint="Each evaluation's traces go here when it ends; empty means OTEL_EXPORTER_OTLP_* from the studio's environment"
      >
        <div className={styles.fields}>
          <Field
            label="Endpoint"
            hint="The OTLP/HTTP base address; /v1/traces is added. Langfuse: https://<host>/api/public/otel. Phoenix: http://<host>:6006."
          >
            {input("settings.otlp.endpoint", "OTLP endpoint", {
              wide: true,
              mono: true,
              placeholder: "http://localhost:4318",
            })}
          </Field>
          <Field
            label="Headers"
            hint="name=value pairs separated by commas, values URL-encoded (as OTEL_EXPORTER_OTLP_HEADERS). Stored with the project and shown here."
          >
            {input("settings.otlp.headers", "OTLP headers", {
              wide: true,
              mono: true,
              placeholder: "Authorization=Basic%20…",
            })}
          </Field>
          <Field label="Protocol" hint="http/protobuf or http/json.">
            {input("settings.otlp.protocol", "OTLP protocol", { wide: true, mono: true, placeholder: "http/protobuf" })}
          </Field>
        </div>
      </Section>

      {/* Sticks to the bottom of the window while there is something to save or fix. */}
      <div className={`${styles.saveBar} ${changed || message?.tone === "error" ? styles.saveBarSticky : ""}`}>
        <button
          type="submit"
          className={`${ui.button} ${ui.buttonPrimary}`}
          disabled={saving || !changed}
          title={!changed ? "Nothing has changed since the last save" : undefined}
        >
          {saving ? "Saving…" : "Save settings"}
        </button>
        {changed && !saving && (
          <button
            type="button"
            className={ui.button}
            onClick={() => {
              setValues(savedValues);
              setErrors({});
              setMessage(null);
            }}
          >
            Discard changes
          </button>
        )}
        {message?.tone === "saved" && (
          <span className={styles.saved} role="status">
            {message.text}
          </span>
        )}
        {message?.tone === "error" && (
          <span className={styles.formError} role="alert" data-form-error>
            {message.text}
            {unplaced.map(([key, text]) => (
              <span key={key}>
                {" "}
                <code>{key}</code> {text}.
              </span>
            ))}
          </span>
        )}
        {!message && !changed && <span className="faint">No unsaved changes.</span>}
      </div>
    </form>
  );
}

function Field(props: { label: string; hint: string; children: React.ReactNode }) {
  return (
    <div className={styles.field}>
      <div className={styles.label}>
        <span>{props.label}</span>
        <span className={styles.labelHint}>{props.hint}</span>
      </div>
      <div>{props.children}</div>
    </div>
  );
}
