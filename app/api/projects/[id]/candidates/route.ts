import { z } from "zod";
import { db } from "@/lib/db/client";
import { route } from "@/lib/server/route";
import { listCandidateTable } from "@/lib/candidates/queries";
import { readView, viewRows } from "@/lib/candidates/table-view";
import { noSuchProject } from "@/lib/projects/queries";

/**
 * One page of the overview's candidates table for the view of the query string (sort, q,
 * origin, status, page: the overview's own URL): its rows, and how many match and exist.
 * Anything the view does not recognise reads as the default, as the page's URL does.
 */
export const GET = route({ params: z.object({ id: z.string() }), noStore: true }, async ({ params }, request) => {
  const [project, rows] = await Promise.all([
    db.project.findUnique({ where: { id: params.id }, select: { id: true } }),
    listCandidateTable(params.id),
  ]);
  if (!project) throw noSuchProject(params.id);
  return viewRows(rows, readView(new URL(request.url).searchParams));
});
