import { z } from "zod";
import { candidateEvaluationState, evaluationBlocker } from "@/lib/evaluations/state";
import { db } from "@/lib/db/client";
import { StudioError } from "@/lib/errors";
import { enqueue, QUEUES } from "@/lib/jobs/queue";
import { modelConfigured } from "@/lib/offline/upstream";
import { getCandidateEvaluations } from "@/lib/projects/queries";
import { prepareEvaluation } from "@/lib/runner/evaluate";

const split = z.enum(["search", "test"]);
const body = z.object({ projectId: z.string().min(1).max(100), split }).strict();

async function findCandidate(projectId: string, candidateId: string) {
  return db.candidate.findFirst({ where: { id: candidateId, projectId }, select: { id: true, status: true } });
}

/** The newest evaluation per split, for the candidate page's polling: GET ?projectId=… */
export async function GET(request: Request, { params }: { params: Promise<{ candidateId: string }> }) {
  const { candidateId } = await params;
  const projectId = new URL(request.url).searchParams.get("projectId") ?? "";
  const candidate = await findCandidate(projectId, candidateId);
  if (!candidate) return Response.json({ error: `No candidate ${candidateId} in project ${projectId}.` }, { status: 404 });
  return Response.json(candidateEvaluationState(await getCandidateEvaluations(candidateId)), { headers: { "cache-control": "no-store" } });
}

/**
 * Evaluates the candidate on a split: the evaluation is recorded here and queued for the job
 * worker, never run in this request. Refused while one runs, or when one already finished.
 */
export async function POST(request: Request, { params }: { params: Promise<{ candidateId: string }> }) {
  const { candidateId } = await params;
  const parsed = body.safeParse(await request.json().catch(() => null));
  if (!parsed.success) return Response.json({ error: 'Send { projectId, split: "search" | "test" }.' }, { status: 400 });
  const candidate = await findCandidate(parsed.data.projectId, candidateId);
  if (!candidate) return Response.json({ error: `No candidate ${candidateId} in project ${parsed.data.projectId}.` }, { status: 404 });

  const state = candidateEvaluationState(await getCandidateEvaluations(candidateId));
  const blocker = evaluationBlocker(candidate.status, state[parsed.data.split]);
  if (blocker) return Response.json({ error: blocker }, { status: 409 });

  // Without a model key the run is simulated: it talks to the offline model and says so.
  const simulated = !modelConfigured();
  try {
    const { evaluationId } = await prepareEvaluation(candidateId, parsed.data.split, { simulated });
    await enqueue(QUEUES.evaluate, { evaluationId }, `evaluate:${evaluationId}`);
    return Response.json({ evaluationId, split: parsed.data.split, simulated }, { status: 202 });
  } catch (error) {
    if (error instanceof StudioError) return Response.json({ error: error.message }, { status: 409 });
    throw error;
  }
}
