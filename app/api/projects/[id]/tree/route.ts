import { z } from "zod";
import { candidateTree } from "@/lib/candidates/tree";
import { packRows } from "@/lib/candidates/packed";
import { route } from "@/lib/server/route";

/** The overview's lineage tree, packed as columns (each key once, not once per candidate). */
export const GET = route({ params: z.object({ id: z.string() }), noStore: true }, async ({ params }) =>
  packRows(await candidateTree(params.id)),
);
