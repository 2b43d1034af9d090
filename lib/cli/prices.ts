// `studio prices`: list, set and delete price overrides (the `ModelPrice` table, for the whole
// studio), with the same validation and words as the settings page. `--set` replaces the model's
// whole row: a cache rate left out goes back to its default (a tenth / 1.25 times the input rate).
import { parseArgs } from "node:util";
import { StudioError } from "../errors.ts";
import { deletePrice, listPrices, savePrice, type PriceOverrideView } from "../prices/overrides.ts";
import { withDatabase } from "./database.ts";

/** CLI key → API field. */
const KEYS = {
  input: "inputPerMTok",
  output: "outputPerMTok",
  cacheRead: "cacheReadPerMTok",
  cacheWrite: "cacheWritePerMTok",
} as const;

export async function pricesCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { set: { type: "string" }, delete: { type: "string" }, json: { type: "boolean" } },
  });
  if (values.set && values.delete) throw new StudioError("prices takes --set or --delete, not both.");
  if (!values.set && positionals.length)
    throw new StudioError(`Unexpected ${positionals.join(" ")}: prices only takes key=value pairs after --set MODEL.`);
  const print = (text: string, json: unknown) =>
    process.stdout.write(values.json ? `${JSON.stringify(json)}\n` : `${text}\n`);

  return withDatabase(async () => {
    if (values.set) {
      const row = await savePrice(toBody(values.set, positionals)).catch((error: unknown) => {
        throw inCliWords(error);
      });
      print(`Saved: ${line(row)}. Model calls from now on use this price.`, row);
      return 0;
    }
    if (values.delete) {
      const deleted = await deletePrice(values.delete);
      print(`Deleted the price of ${deleted.model}; it is now priced by the built-in table, or unpriced.`, deleted);
      return 0;
    }
    const view = await listPrices();
    const text = view.overrides.length
      ? ["Price overrides (USD per million tokens, for every project):", ...view.overrides.map((r) => `  ${line(r)}`)]
      : ["No price overrides. Models missing from the built-in table are unpriced: add one with --set."];
    print(text.join("\n"), view);
    return 0;
  });
}

function toBody(model: string, pairs: string[]): Record<string, unknown> {
  const body: Record<string, unknown> = { model };
  for (const pair of pairs) {
    const [key, ...rest] = pair.split("=");
    const value = rest.join("=").trim();
    if (!rest.length || !(key in KEYS))
      throw new StudioError(
        `"${pair}" is not a price: use input=N output=N, and optionally cacheRead=N cacheWrite=N (USD per million tokens).`,
      );
    // Numbers as numbers; anything else as typed, for the validation to refuse in words.
    const number = value === "" ? null : Number(value.replace(/^\$/, ""));
    body[KEYS[key as keyof typeof KEYS]] =
      number === null || Number.isNaN(number) ? (value === "" ? null : value) : number;
  }
  return body;
}

/** The API's field errors, named as the CLI's keys. */
function inCliWords(error: unknown): unknown {
  if (!(error instanceof StudioError) || !error.details?.fields) return error;
  const names = Object.fromEntries(Object.entries(KEYS).map(([key, field]) => [field, key]));
  const fields = error.details.fields as Record<string, string>;
  const lines = Object.entries(fields).map(([field, text]) => `  ${names[field] ?? field}: ${text}`);
  return new StudioError(`${error.message}\n${lines.join("\n")}`, { code: error.code, details: error.details });
}

function line(row: PriceOverrideView): string {
  const rate = (value: number | null, fallback: string) => (value === null ? fallback : `$${value}`);
  return [
    row.model,
    `input $${row.inputPerMTok}`,
    `output $${row.outputPerMTok}`,
    `cache read ${rate(row.cacheReadPerMTok, "0.1 × input")}`,
    `cache write ${rate(row.cacheWritePerMTok, "1.25 × input")}`,
    ...(row.replaces ? [`(replaces the built-in ${row.replaces})`] : []),
  ].join("  ");
}
