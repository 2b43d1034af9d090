import { cancelProject } from "@/lib/loop/cancel";

/** Asks the project's running optimization (and its evaluations) to stop after the work in flight. */
export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const asked = await cancelProject((await params).id);
  return Response.json({ cancelled: asked.optimizations });
}
