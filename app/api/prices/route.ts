import { z } from "zod";
import { deletePrice, listPrices, savePrice } from "@/lib/prices/overrides";
import { route } from "@/lib/server/route";

/** The price overrides (the `ModelPrice` table, for the whole install) and the built-in table's models. */
export const GET = route({ noStore: true }, () => listPrices());

/**
 * Adds or replaces one override: `{ model, inputPerMTok, outputPerMTok, cacheReadPerMTok?,
 * cacheWritePerMTok? }` in USD per million tokens. Invalid input saves nothing and answers 400 with
 * one sentence per field (`fields`). Prices apply to model calls made after the save.
 */
export const PUT = route({ body: z.unknown() }, ({ body }) => savePrice(body));

/** Removes the override for `?model=ID` (404 when there is none). */
export const DELETE = route(
  { query: z.object({ model: z.string({ error: "The model to delete is missing (?model=ID)" }).min(1) }) },
  ({ query }) => deletePrice(query.model),
);
