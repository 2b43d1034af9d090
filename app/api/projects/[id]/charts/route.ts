import { z } from "zod";
import { candidateCharts, chartPoints, readCandidates } from "@/lib/candidates/queries";
import { packRows } from "@/lib/candidates/packed";
import { route } from "@/lib/server/route";

/** The overview's two charts: the best score by iteration, and every scored candidate by score and cost; packed as columns. */
export const GET = route({ params: z.object({ id: z.string() }), noStore: true }, async ({ params }) => {
  const charts = candidateCharts(await readCandidates(params.id));
  return { progress: packRows(charts.progress), points: packRows(chartPoints(charts.points)) };
});
