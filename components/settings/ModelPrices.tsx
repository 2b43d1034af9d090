"use client";

// The "Model prices" section of the settings page: the `ModelPrice` overrides (one table for the
// whole studio), a form to add or change one, and delete. The server validates (lib/prices) and
// answers one sentence per field, shown under that field; an invalid price saves nothing.
// A model with no price (no override, not built in) shows "unpriced" wherever a cost is shown.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Badge, Section, ui } from "@/components/ui";
import { formatRelative } from "@/lib/format";
import type { PriceOverrideView, PricesView } from "@/lib/prices/overrides";
import styles from "./settings.module.css";
import own from "./prices.module.css";

/** A model this project uses, and how it is priced now. */
export interface ModelPricing {
  role: string;
  model: string;
  /** "override", "built-in", or null for unpriced. */
  source: "override" | "built-in" | null;
}

type Row = Omit<PriceOverrideView, "updatedAt"> & { updatedAt: string | Date };
type View = Omit<PricesView, "overrides"> & { overrides: Row[] };

const FIELDS = [
  { key: "model", label: "Model id (or id prefix)", placeholder: "my-model-1", wide: true },
  { key: "inputPerMTok", label: "Input", placeholder: "3" },
  { key: "outputPerMTok", label: "Output", placeholder: "15" },
  { key: "cacheReadPerMTok", label: "Cache read", placeholder: "0.1 × input" },
  { key: "cacheWritePerMTok", label: "Cache write", placeholder: "1.25 × input" },
] as const;
type Key = (typeof FIELDS)[number]["key"];
type Values = Record<Key, string>;

const EMPTY: Values = { model: "", inputPerMTok: "", outputPerMTok: "", cacheReadPerMTok: "", cacheWritePerMTok: "" };

/** Empty is "not set" (null for cache rates); a number-looking text a number; anything else as typed, for the server to refuse. */
function toNumber(text: string): number | string | null {
  const cleaned = text
    .trim()
    .replace(/^\$/, "")
    .replace(/[,_\s]/g, "");
  if (cleaned === "") return null;
  return /^-?(\d+(\.\d*)?|\.\d+)(e[+-]?\d+)?$/i.test(cleaned) ? Number(cleaned) : text;
}

function toBody(values: Values) {
  return {
    model: values.model.trim(),
    // A missing required price is sent as typed (""), so the server names it.
    inputPerMTok: toNumber(values.inputPerMTok) ?? values.inputPerMTok,
    outputPerMTok: toNumber(values.outputPerMTok) ?? values.outputPerMTok,
    cacheReadPerMTok: toNumber(values.cacheReadPerMTok),
    cacheWritePerMTok: toNumber(values.cacheWritePerMTok),
  };
}

function toValues(row: Row): Values {
  const text = (value: number | null) => (value === null ? "" : String(value));
  return {
    model: row.model,
    inputPerMTok: text(row.inputPerMTok),
    outputPerMTok: text(row.outputPerMTok),
    cacheReadPerMTok: text(row.cacheReadPerMTok),
    cacheWritePerMTok: text(row.cacheWritePerMTok),
  };
}

const usd = (value: number) => `$${value}`;

export function ModelPrices(props: { initial: PricesView; models: ModelPricing[] }) {
  const [view, setView] = useState<View>(props.initial);
  const [values, setValues] = useState<Values>(EMPTY);
  const [editing, setEditing] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<{ tone: "error" | "saved"; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const router = useRouter();

  async function reload() {
    const response = await fetch("/api/prices", { cache: "no-store" });
    if (response.ok) setView((await response.json()) as View);
    router.refresh(); // the project's models' "priced / unpriced" badges are the server's
  }

  async function save(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setMessage(null);
    try {
      const response = await fetch("/api/prices", {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(toBody(values)),
      });
      const body = (await response.json().catch(() => ({}))) as Partial<Row> & {
        error?: string;
        fields?: Record<string, string>;
      };
      if (!response.ok) {
        setErrors(body.fields ?? {});
        const count = Object.keys(body.fields ?? {}).length;
        setMessage({
          tone: "error",
          text: count
            ? `Nothing was saved: ${count === 1 ? "one field needs" : `${count} fields need`} fixing (marked at each field).`
            : (body.error ?? `The studio answered ${response.status}; nothing was saved.`),
        });
        return;
      }
      setErrors({});
      setValues(EMPTY);
      setEditing(null);
      setMessage({ tone: "saved", text: `Saved the price of ${body.model}. Model calls from now on use it.` });
      await reload();
    } catch {
      setMessage({ tone: "error", text: "The studio could not be reached; nothing was saved." });
    } finally {
      setBusy(false);
    }
  }

  async function remove(model: string) {
    setBusy(true);
    setMessage(null);
    try {
      const response = await fetch(`/api/prices?model=${encodeURIComponent(model)}`, { method: "DELETE" });
      const body = (await response.json().catch(() => ({}))) as { error?: string };
      if (!response.ok) {
        setMessage({
          tone: "error",
          text: body.error ?? `The studio answered ${response.status}; nothing was deleted.`,
        });
        return;
      }
      if (editing === model) {
        setEditing(null);
        setValues(EMPTY);
      }
      setMessage({ tone: "saved", text: `Deleted the price of ${model}.` });
      await reload();
    } catch {
      setMessage({ tone: "error", text: "The studio could not be reached; nothing was deleted." });
    } finally {
      setBusy(false);
    }
  }

  function edit(row: Row) {
    setEditing(row.model);
    setValues(toValues(row));
    setErrors({});
    setMessage(null);
  }

  const unplaced = Object.entries(errors).filter(([key]) => !FIELDS.some((field) => field.key === key));

  return (
    <Section
      title="Model prices"
      hint="For the whole studio, every project · USD per million tokens · prices here win over the built-in table and apply to model calls made after saving · a model with neither shows as unpriced, and no dollar budget can hold over it"
    >
      <ul className={own.models} aria-label="This project's models">
        {props.models.map((entry) => (
          <li key={entry.role} data-model-pricing={entry.role}>
            <span className="faint">{entry.role}</span> <code>{entry.model}</code>{" "}
            {entry.source === null ? (
              <Badge tone="warn" title="No override and not in the built-in table: costs show as unpriced">
                unpriced
              </Badge>
            ) : (
              <Badge tone={entry.source === "override" ? "accent" : "neutral"}>
                priced ({entry.source === "override" ? "override" : "built in"})
              </Badge>
            )}
          </li>
        ))}
      </ul>

      {view.overrides.length === 0 ? (
        <p className={own.empty} data-prices-empty>
          No price overrides. Models the built-in table knows ({view.builtIn.length} Claude model families) are priced
          already; add one here for any other model.
        </p>
      ) : (
        <table className={`${ui.table} ${own.table}`} aria-label="Price overrides">
          <thead>
            <tr>
              <th scope="col">Model</th>
              <th scope="col" className={ui.right}>
                Input
              </th>
              <th scope="col" className={ui.right}>
                Output
              </th>
              <th scope="col" className={ui.right}>
                Cache read
              </th>
              <th scope="col" className={ui.right}>
                Cache write
              </th>
              <th scope="col">Updated</th>
              <th scope="col" aria-label="Actions" />
            </tr>
          </thead>
          <tbody>
            {view.overrides.map((row) => (
              <tr key={row.model} data-price-row={row.model}>
                <td>
                  <code>{row.model}</code>
                  {row.replaces && <span className={own.replaces}>replaces the built-in {row.replaces}</span>}
                </td>
                <td className={`${ui.right} num`}>{usd(row.inputPerMTok)}</td>
                <td className={`${ui.right} num`}>{usd(row.outputPerMTok)}</td>
                <td className={`${ui.right} num`}>
                  {row.cacheReadPerMTok === null ? (
                    <span className="faint">0.1 × input</span>
                  ) : (
                    usd(row.cacheReadPerMTok)
                  )}
                </td>
                <td className={`${ui.right} num`}>
                  {row.cacheWritePerMTok === null ? (
                    <span className="faint">1.25 × input</span>
                  ) : (
                    usd(row.cacheWritePerMTok)
                  )}
                </td>
                <td className="faint">{formatRelative(new Date(row.updatedAt))}</td>
                <td className={own.actions}>
                  <button type="button" className={ui.button} onClick={() => edit(row)} disabled={busy}>
                    Edit
                  </button>
                  <button
                    type="button"
                    className={ui.button}
                    onClick={() => void remove(row.model)}
                    disabled={busy}
                    aria-label={`Delete the price of ${row.model}`}
                  >
                    Delete
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <form onSubmit={(event) => void save(event)} noValidate aria-label="Model price" className={own.form}>
        <div className={own.formTitle}>{editing ? `Change the price of ${editing}` : "Add a price"}</div>
        <div className={own.grid}>
          {FIELDS.map((field) => {
            const error = errors[field.key];
            return (
              <label key={field.key} className={own.cell}>
                <span className={own.cellLabel}>
                  {field.label}
                  {field.key !== "model" && <span className="faint"> $ / M tokens</span>}
                </span>
                <input
                  className={`${ui.input} ${field.key === "model" ? styles.mono : styles.number}`}
                  name={field.key}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? `price-${field.key}-error` : undefined}
                  inputMode={field.key === "model" ? undefined : "decimal"}
                  placeholder={field.placeholder}
                  value={values[field.key]}
                  readOnly={field.key === "model" && editing !== null}
                  spellCheck={false}
                  autoComplete="off"
                  onChange={(event) => setValues((current) => ({ ...current, [field.key]: event.target.value }))}
                />
                {error && (
                  <span className={styles.fieldError} id={`price-${field.key}-error`} data-field-error={field.key}>
                    {error.endsWith(".") ? error : `${error}.`}
                  </span>
                )}
              </label>
            );
          })}
        </div>
        <div className={own.buttons}>
          <button type="submit" className={`${ui.button} ${ui.buttonPrimary}`} disabled={busy}>
            {editing ? "Save price" : "Add price"}
          </button>
          {editing && (
            <button
              type="button"
              className={ui.button}
              onClick={() => {
                setEditing(null);
                setValues(EMPTY);
                setErrors({});
              }}
            >
              Cancel
            </button>
          )}
          {message?.tone === "saved" && (
            <span className={styles.saved} role="status">
              {message.text}
            </span>
          )}
          {message?.tone === "error" && (
            <span className={styles.formError} role="alert" data-price-error>
              {message.text}
              {unplaced.map(([key, text]) => (
                <span key={key}>
                  {" "}
                  {key}: {text}
                </span>
              ))}
            </span>
          )}
        </div>
      </form>
    </Section>
  );
}
