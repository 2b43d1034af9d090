// A person's edit of a candidate, saved as a new candidate (origin "person", the edited one as
// its parent). It must compile and load with a `run` function first: compile errors come back
// with line and column, a broken contract with its reason, and nothing is saved. Evaluating it is a separate request.
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { createCandidate } from "./create.ts";
import { compileCacheDir } from "../runner/engine.ts";
import { compileHarness, sha256 } from "../runner/sandbox/compile.ts";
import { contractProblem } from "../runner/sandbox/contract.ts";

/** A harness source is one module a person can read; anything this big is a mistake. */
export const MAX_SOURCE_CHARS = 512 * 1024;

export interface CandidateEdit {
  projectId: string;
  parentId: string;
  source: string;
  rationale?: string;
}

export async function saveCandidateEdit(edit: CandidateEdit): Promise<{ id: string; number: number }> {
  const { projectId, parentId, source } = edit;
  const parent = await db.candidate.findFirst({
    where: { id: parentId, projectId },
    select: { id: true, number: true, sha256: true },
  });
  if (!parent) throw new StudioError(`No candidate ${parentId} in project ${projectId}.`, { code: "not_found" });
  if (sha256(source) === parent.sha256)
    throw new StudioError(`The source is the same as #${parent.number}'s: nothing to save.`, { code: "conflict" });

  const compiled = await compileHarness(source, { filename: "harness.ts" });
  if (!compiled.ok)
    throw new StudioError("The harness does not compile; nothing was saved.", {
      code: "uncompilable",
      details: { errors: compiled.errors },
    });
  // Loaded in the sandbox as an evaluation would: a harness without run() is refused here, not
  // stored as valid to error on every task.
  const problem = await contractProblem(compiled.code, "harness", compileCacheDir());
  if (problem)
    throw new StudioError(`The harness does not honour the contract; nothing was saved: ${problem.message}`, {
      code: "uncompilable",
    });

  const note = edit.rationale?.trim();
  return createCandidate({
    projectId,
    source,
    origin: "person",
    status: "valid",
    parentIds: [parent.id],
    rationale: note ? note : `Edited by hand from #${parent.number}.`,
  });
}
