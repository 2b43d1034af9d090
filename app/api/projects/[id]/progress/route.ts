import { projectProgress } from "@/lib/projects/progress";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  return Response.json(await projectProgress((await params).id), { headers: { "cache-control": "no-store" } });
}
