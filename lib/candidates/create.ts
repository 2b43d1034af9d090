// New candidates: numbered 1, 2, 3… per project (under a lock, so two writers never take
// the same number), with their lineage.
import { db, type CandidateOrigin, type CandidateStatus } from "../db/client.ts";
import { sha256 } from "../runner/sandbox/compile.ts";

export interface NewCandidate {
  projectId: string;
  source: string;
  origin: CandidateOrigin;
  status: CandidateStatus;
  rejectReason?: string | null;
  rationale?: string | null;
  hypothesis?: string | null;
  axis?: string | null;
  parentIds: string[];
  iterationId?: string | null;
  iterationNumber?: number | null;
  simulated?: boolean;
}

export async function createCandidate(input: NewCandidate): Promise<{ id: string; number: number }> {
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`candidate-number:${input.projectId}`}))`;
    const last = await tx.candidate.aggregate({ where: { projectId: input.projectId }, _max: { number: true } });
    const number = (last._max.number ?? 0) + 1;
    const parents = await tx.candidate.findMany({
      where: { id: { in: input.parentIds }, projectId: input.projectId },
      select: { id: true },
    });
    const created = await tx.candidate.create({
      data: {
        projectId: input.projectId,
        number,
        source: input.source,
        sha256: sha256(input.source),
        origin: input.origin,
        status: input.status,
        rejectReason: input.rejectReason ?? null,
        rationale: input.rationale ?? null,
        hypothesis: input.hypothesis ?? null,
        axis: input.axis ?? null,
        iterationId: input.iterationId ?? null,
        iterationNumber: input.iterationNumber ?? null,
        simulated: input.simulated ?? false,
        parents: { create: parents.map((parent) => ({ parentId: parent.id })) },
      },
      select: { id: true, number: true },
    });
    return created;
  });
}
