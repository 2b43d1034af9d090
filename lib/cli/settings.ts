// `studio settings`: a project's settings as a table (or the API's JSON), and `--set key=value`
// to change them. Changes go through the settings page's own validation and are saved all at
// once or not at all; `--set key=` clears an optional setting.
import { parseArgs } from "node:util";
import { StudioError } from "../errors.ts";
import { formatDuration } from "../format.ts";
import {
  findSettingKey,
  keyOfPath,
  parseSettingValue,
  SETTING_KEYS,
  valueAt,
  withValueAt,
} from "../projects/setting-keys.ts";
import { getProjectSettings, updateProjectSettings, type SettingsView } from "../projects/settings-edit.ts";
import { withDatabase } from "./database.ts";

export async function settingsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      project: { type: "string" },
      set: { type: "string", multiple: true },
      json: { type: "boolean" },
    },
  });
  if (!values.project) throw new StudioError("settings needs --project ID.");
  const changes = (values.set ?? []).map(parseChange);

  return withDatabase(async () => {
    let view = await getProjectSettings(values.project!);
    if (changes.length) {
      let body: unknown = bodyOf(view);
      for (const { key, text } of changes) body = applyChange(body, key, text);
      try {
        view = await updateProjectSettings(values.project!, body);
      } catch (error) {
        if (!(error instanceof StudioError) || error.code !== "invalid") throw error;
        const fields = (error.details?.fields ?? {}) as Record<string, string>;
        if (values.json) process.stdout.write(JSON.stringify({ error: error.message, fields }) + "\n");
        process.stderr.write(
          `studio: ${error.message}\n${Object.entries(fields)
            .map(([path, message]) => `  ${keyOfPath(path)} ${message}\n`)
            .join("")}`,
        );
        return 1;
      }
      if (!values.json)
        process.stderr.write(
          `Saved ${changes.length === 1 ? "1 change" : `${changes.length} changes`}; the next iteration uses them.\n`,
        );
    }
    process.stdout.write(values.json ? JSON.stringify(view) + "\n" : table(view));
    return 0;
  });
}

function parseChange(text: string): { key: string; text: string } {
  const at = text.indexOf("=");
  if (at < 1)
    throw new StudioError(`--set needs key=value, not "${text}".`, "For example: --set budgets.evaluation.usd=5");
  return { key: text.slice(0, at).trim(), text: text.slice(at + 1) };
}

/** What the API's PUT takes: the view without the suite's read-only time limit. */
function bodyOf(view: SettingsView): Record<string, unknown> {
  const { timeoutMs: _timeoutMs, ...body } = view;
  return body;
}

function applyChange(body: unknown, key: string, text: string): unknown {
  if (key === "timeoutMs")
    throw new StudioError(
      "timeoutMs belongs to the task suite (suite.json) and cannot be changed here.",
      "Every candidate is scored under the same limit; changing it would rank scores measured under different limits.",
    );
  const setting = findSettingKey(key);
  // An unknown key goes to the schema as is, which refuses it in the settings page's words.
  if (!setting) return withValueAt(body, ["settings", ...key.split(".")], parseSettingValue("number", text));
  if (text === "" && setting.optional)
    return withValueAt(body, setting.path, setting.key === "proposerCommand" ? null : undefined);
  return withValueAt(body, setting.path, parseSettingValue(setting.type, text));
}

function table(view: SettingsView): string {
  const rows = SETTING_KEYS.map((setting) => [setting.key, shown(valueAt(view, setting.path)), setting.meaning]);
  rows.push([
    "timeoutMs",
    view.timeoutMs == null ? "—" : `${view.timeoutMs} (${formatDuration(view.timeoutMs)})`,
    "Task time limit, from the suite (read-only)",
  ]);
  const header = ["key", "value", "meaning"];
  const widths = [0, 1].map((i) => Math.max(header[i].length, ...rows.map((row) => row[i].length)));
  const line = (row: string[]) => `${row[0].padEnd(widths[0])}  ${row[1].padEnd(widths[1])}  ${row[2]}`.trimEnd();
  return [line(header), ...rows.map(line)].join("\n") + "\n";
}

function shown(value: unknown): string {
  if (value === undefined || value === null || value === "") return "—";
  return typeof value === "string" ? value : JSON.stringify(value);
}
