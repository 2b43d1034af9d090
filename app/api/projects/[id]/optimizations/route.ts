import { z } from "zod";
import { StudioError } from "@/lib/errors";
import { enqueue, QUEUES } from "@/lib/jobs/queue";
import { createOptimization } from "@/lib/loop/optimization";
import { modelConfigured } from "@/lib/offline/upstream";

const body = z.object({ iterations: z.number().int().min(1).max(100), offline: z.boolean().optional() }).strict();

/** Starts N iterations: recorded, then queued for the job worker; never run in this request. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: "Send { iterations: 1..100, offline?: boolean }." }, { status: 400 });
  const offline = parsed.data.offline ?? !modelConfigured();
  if (!offline && !modelConfigured()) return Response.json({ error: "No model API key is set on the server: run offline, or set ANTHROPIC_API_KEY." }, { status: 409 });
  try {
    const optimizationId = await createOptimization((await params).id, parsed.data.iterations, { offline });
    await enqueue(QUEUES.optimize, { optimizationId });
    return Response.json({ optimizationId, offline }, { status: 202 });
  } catch (error) {
    if (error instanceof StudioError) return Response.json({ error: error.message }, { status: 409 });
    throw error;
  }
}
