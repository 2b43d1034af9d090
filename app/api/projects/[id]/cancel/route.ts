import { db } from "@/lib/db/client";

/** Asks the project's running optimization (and its evaluations) to stop after the work in flight. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const projectId = (await params).id;
  const optimizations = await db.optimization.updateMany({ where: { projectId, status: { in: ["queued", "running"] } }, data: { cancelRequested: true } });
  await db.evaluation.updateMany({ where: { candidate: { projectId }, status: { in: ["queued", "running"] } }, data: { cancelRequested: true } });
  // A queued optimization no worker has taken yet ends here and now.
  await db.optimization.updateMany({ where: { projectId, status: "queued" }, data: { status: "cancelled", stopReason: "cancelled", finishedAt: new Date() } });
  return Response.json({ cancelled: optimizations.count });
}
