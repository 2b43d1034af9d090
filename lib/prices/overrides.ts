// Price overrides: the `ModelPrice` table, one for the whole install (a model costs the same in
// every project). A row prices a model the built-in table (lib/runner/proxy/prices.ts) does not
// know, or replaces a built-in price; overrides are searched first, by id prefix. The settings
// page (PUT/DELETE /api/prices) and `studio prices` write it, validated by one schema here.
import { z } from "zod";
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { BUILT_IN_PRICES, priceFor, setPriceOverrides } from "../runner/proxy/prices.ts";

/** A price in USD per million tokens: not negative, and below any real model's. */
const rate = (label: string) =>
  z
    .number({ error: `${label} must be a number of dollars per million tokens` })
    .finite({ error: `${label} must be a number of dollars per million tokens` })
    .min(0, { error: `${label} must be $0 or more per million tokens` })
    .max(10_000, { error: `${label} must be at most $10,000 per million tokens` });

export const priceInputSchema = z
  .object({
    model: z
      .string({ error: "The model must be text" })
      .trim()
      .min(1, { error: "The model must not be empty" })
      .max(200, { error: "The model must be at most 200 characters" })
      .regex(/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/, {
        error:
          "The model must be an id such as my-model-1 (or an id prefix): letters, digits and - . _ : / @, no spaces",
      })
      // priceFor() matches lower-case ids: one row per model, whatever case it was typed in.
      .transform((model) => model.toLowerCase()),
    inputPerMTok: rate("The input price"),
    outputPerMTok: rate("The output price"),
    /** Empty: a tenth of the input price, as Anthropic bills cache reads. */
    cacheReadPerMTok: rate("The cache read price").nullable().optional(),
    /** Empty: 1.25 times the input price, as Anthropic bills 5-minute cache writes. */
    cacheWritePerMTok: rate("The cache write price").nullable().optional(),
  })
  .strict();

export type PriceInput = z.input<typeof priceInputSchema>;

export interface PriceOverrideView {
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cacheReadPerMTok: number | null;
  cacheWritePerMTok: number | null;
  updatedAt: Date;
  /** The built-in row this override replaces for matching ids, if any. */
  replaces: string | null;
}

export interface PricesView {
  overrides: PriceOverrideView[];
  /** The built-in table's model ids (prefixes), for "is this model known already?". */
  builtIn: string[];
}

const select = {
  model: true,
  inputPerMTok: true,
  outputPerMTok: true,
  cacheReadPerMTok: true,
  cacheWritePerMTok: true,
  updatedAt: true,
} as const;

/** The built-in row an override's id would otherwise get (longest prefix at a boundary, as priceFor matches). */
function builtInMatch(model: string): string | null {
  const boundary = (rest: string) => rest === "" || "-@[".includes(rest[0]);
  const matches = BUILT_IN_PRICES.filter(
    (row) => model.startsWith(row.model) && boundary(model.slice(row.model.length)),
  );
  return matches.sort((a, b) => b.model.length - a.model.length)[0]?.model ?? null;
}

export async function listPrices(): Promise<PricesView> {
  const rows = await db.modelPrice.findMany({ select, orderBy: { model: "asc" } });
  return {
    overrides: rows.map((row) => ({ ...row, replaces: builtInMatch(row.model) })),
    builtIn: BUILT_IN_PRICES.map((row) => row.model),
  };
}

/** Adds or replaces one override; throws `invalid` with one message per field. */
export async function savePrice(input: unknown): Promise<PriceOverrideView> {
  const parsed = priceInputSchema.safeParse(input);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const key = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : issue.path.join(".") || "body";
      fields[key] ??=
        issue.code === "unrecognized_keys"
          ? "Not a price field: use model, inputPerMTok, outputPerMTok, cacheReadPerMTok, cacheWritePerMTok"
          : issue.message;
    }
    throw new StudioError("This price is not valid; nothing was saved.", { code: "invalid", details: { fields } });
  }
  const { model, ...rates } = parsed.data;
  const data = {
    inputPerMTok: rates.inputPerMTok,
    outputPerMTok: rates.outputPerMTok,
    cacheReadPerMTok: rates.cacheReadPerMTok ?? null,
    cacheWritePerMTok: rates.cacheWritePerMTok ?? null,
  };
  const row = await db.modelPrice.upsert({ where: { model }, create: { model, ...data }, update: data, select });
  await loadPriceOverrides();
  return { ...row, replaces: builtInMatch(row.model) };
}

/** Removes one override; the model is then priced by the built-in table, or unpriced. */
export async function deletePrice(model: string): Promise<{ model: string; deleted: true }> {
  const id = model.trim().toLowerCase();
  const { count } = await db.modelPrice.deleteMany({ where: { model: id } });
  if (count === 0) throw new StudioError(`There is no price override for ${model}.`, { code: "not_found" });
  await loadPriceOverrides();
  return { model: id, deleted: true };
}

/** Reads the table into the pricing module of this process: before each run prices its calls. */
export async function loadPriceOverrides(): Promise<void> {
  setPriceOverrides(await db.modelPrice.findMany());
}

/** How a model is priced now: by an override, the built-in table, or not at all. Call after loadPriceOverrides(). */
export function priceSource(model: string): "override" | "built-in" | null {
  const row = priceFor(model);
  if (!row) return null;
  return BUILT_IN_PRICES.includes(row) ? "built-in" : "override";
}
