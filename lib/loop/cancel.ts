// Cancelling a project's work, for the CLI's `studio cancel` and the Cancel button alike. Work in
// flight finishes its current task runs; nothing finished is lost, and `optimize` / `eval` can
// resume the rest later.
import { db } from "../db/client.ts";
import { CANCELLED, stopColumns } from "./stop.ts";

/** Asks the project's optimizations and evaluations to stop; returns how many of each were asked. */
export async function cancelProject(projectId: string): Promise<{ optimizations: number; evaluations: number }> {
  const optimizations = await db.optimization.updateMany({
    where: { projectId, status: { in: ["queued", "running"] } },
    data: { cancelRequested: true },
  });
  const evaluations = await db.evaluation.updateMany({
    where: { candidate: { projectId }, status: { in: ["queued", "running"] } },
    data: { cancelRequested: true },
  });
  // A queued optimization no worker has taken yet would never see the request: it ends here and now.
  await db.optimization.updateMany({
    where: { projectId, status: "queued" },
    data: { status: "cancelled", ...stopColumns(CANCELLED), finishedAt: new Date() },
  });
  return { optimizations: optimizations.count, evaluations: evaluations.count };
}
