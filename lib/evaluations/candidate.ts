// A candidate's evaluations as its page sees them through the API: the state it polls, and
// starting one on a split. Starting records the evaluation and queues it for the job worker;
// it never runs in the request.
import { refuseUnpricedStart } from "../prices/budgets.ts";
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { enqueue, QUEUES } from "../jobs/queue.ts";
import { modelConfigured } from "../offline/upstream.ts";
import { getCandidateEvaluations } from "./queries.ts";
import { prepareEvaluation } from "./run.ts";
import { candidateEvaluationState, evaluationBlocker, type CandidateEvaluationState, type Split } from "./state.ts";

async function findCandidate(projectId: string, candidateId: string): Promise<{ id: string; status: string }> {
  const candidate = await db.candidate.findFirst({
    where: { id: candidateId, projectId },
    select: { id: true, status: true },
  });
  if (!candidate) throw new StudioError(`No candidate ${candidateId} in project ${projectId}.`, { code: "not_found" });
  return candidate;
}

/** The newest evaluation per split, and the newest finished one. */
export async function readEvaluationState(projectId: string, candidateId: string): Promise<CandidateEvaluationState> {
  const candidate = await findCandidate(projectId, candidateId);
  return candidateEvaluationState(await getCandidateEvaluations(candidate.id));
}

/** Refused while one runs on the split, or when one already finished there (evaluationBlocker). */
export async function startEvaluation(
  projectId: string,
  candidateId: string,
  split: Split,
  /** Task runs per task; default: the project's setting for the split. */
  trials?: number,
): Promise<{ evaluationId: string; split: Split; simulated: boolean }> {
  const candidate = await findCandidate(projectId, candidateId);
  const state = candidateEvaluationState(await getCandidateEvaluations(candidate.id));
  const blocker = evaluationBlocker(candidate.status, state[split]);
  if (blocker) throw new StudioError(blocker, { code: "conflict" });
  await refuseUnpricedStart(projectId);
  // Without a model key the run is simulated: it talks to the offline model and says so.
  const simulated = !modelConfigured();
  const { evaluationId } = await prepareEvaluation(candidate.id, split, { simulated, trials });
  await enqueue(QUEUES.evaluate, { evaluationId }, `evaluate:${evaluationId}`);
  return { evaluationId, split, simulated };
}
