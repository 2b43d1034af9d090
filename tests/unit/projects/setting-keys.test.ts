// The CLI's list of setting keys and the settings page's schema must not drift apart: every key
// is accepted where the list says it sits, and every setting the schema knows has a key.
import { describe, expect, it } from "vitest";
import { SETTING_KEYS, valueAt, withValueAt } from "../../../lib/projects/setting-keys.ts";
import { validateSettings } from "../../../lib/projects/settings-edit.ts";
import { projectSettingsSchema } from "../../../lib/projects/settings.ts";

const base = {
  model: "claude-haiku-4-5",
  proposerKind: "claude",
  proposerModel: "claude-opus-4-1",
  proposerCommand: null,
  candidatesPerIteration: 3,
  settings: { budgets: {} },
};

/** A valid value of each text setting that takes more than any text. */
const TEXT_VALUES: Record<string, string> = {
  proposerKind: "offline",
  "otlp.endpoint": "http://localhost:4318",
  "otlp.headers": "x-a=1",
  "otlp.protocol": "http/json",
};

/** Every leaf path of a zod object schema, e.g. "budgets.iteration.proposer.usd". */
function leaves(schema: unknown, prefix: string[] = []): string[] {
  let inner = schema as { def?: { type?: string; innerType?: unknown; shape?: Record<string, unknown> } };
  while (inner.def?.innerType) inner = inner.def.innerType as typeof inner;
  if (inner.def?.type !== "object") return [prefix.join(".")];
  return Object.entries(inner.def.shape!).flatMap(([key, value]) => leaves(value, [...prefix, key]));
}

describe("setting keys", () => {
  it("each key is accepted at its path, with a value of its type", () => {
    for (const setting of SETTING_KEYS) {
      const value =
        setting.type === "number"
          ? setting.key === "memoryMb"
            ? 512
            : setting.key === "proposerContextWindow"
              ? 100_000
              : 2
          : (TEXT_VALUES[setting.key] ?? "x-1");
      const input = validateSettings(withValueAt(base, setting.path, value));
      expect(valueAt(input, setting.path), setting.key).toBe(value);
    }
  });

  it("every setting of the schema has a key", () => {
    const inSchema = leaves(projectSettingsSchema).map((path) => `settings.${path}`);
    const listed = SETTING_KEYS.map((setting) => setting.path.join("."));
    expect(inSchema.filter((path) => !listed.includes(path))).toEqual([]);
    expect(new Set(SETTING_KEYS.map((setting) => setting.key)).size).toBe(SETTING_KEYS.length);
  });

  it("clearing drops emptied objects but keeps settings and budgets", () => {
    const set = withValueAt(base, ["settings", "budgets", "iteration", "proposer", "usd"], 3);
    expect(set.settings).toEqual({ budgets: { iteration: { proposer: { usd: 3 } } } });
    const cleared = withValueAt(set, ["settings", "budgets", "iteration", "proposer", "usd"], undefined);
    expect(cleared.settings).toEqual({ budgets: {} });
  });
});
