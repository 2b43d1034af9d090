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

async function findCandidate(
  projectId: string,
  candidateId: string,
): Promise<{ id: string; status: string; project: { model: string } }> {
  const candidate = await db.candidate.findFirst({
    where: { id: candidateId, projectId },
    select: { id: true, status: true, project: { select: { model: true } } },
  });
  if (!candidate) throw new StudioError(`No candidate ${candidateId} in project ${projectId}.`, { code: "not_found" });
  return candidate;
}

/** The newest evaluation per split on the project's model, and the newest finished one. */
export async function readEvaluationState(projectId: string, candidateId: string): Promise<CandidateEvaluationState> {
  const candidate = await findCandidate(projectId, candidateId);
  return candidateEvaluationState(await getCandidateEvaluations(candidate.id, candidate.project.model));
}

/**
 * Starts an evaluation with the project's model, or with `model` (a transfer evaluation). Refused
 * while one runs on the split with that model, or when one already finished there (evaluationBlocker).
 */
export async function startEvaluation(
  projectId: string,
  candidateId: string,
  split: Split,
  options: {
    /** A transfer evaluation's model; default: the project's. */
    model?: string;
    /** Task runs per task; default: the project's setting for the split. */
    trials?: number;
  } = {},
): Promise<{ evaluationId: string; split: Split; model: string; simulated: boolean }> {
  const candidate = await findCandidate(projectId, candidateId);
  const evaluationModel = options.model ?? candidate.project.model;
  const state = candidateEvaluationState(await getCandidateEvaluations(candidate.id, evaluationModel));
  const blocker = evaluationBlocker(candidate.status, state[split]);
  if (blocker) throw new StudioError(blocker, { code: "conflict" });
  await refuseUnpricedStart(projectId, undefined, evaluationModel);
  // Without a model key the run is simulated: it talks to the offline model and says so.
  const simulated = !modelConfigured();
  const { evaluationId } = await prepareEvaluation(candidate.id, split, {
    simulated,
    model: evaluationModel,
    trials: options.trials,
  });
  await enqueue(QUEUES.evaluate, { evaluationId }, `evaluate:${evaluationId}`);
  return { evaluationId, split, model: evaluationModel, simulated };
}
