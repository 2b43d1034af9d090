// The transfer matrix: candidates (rows) evaluated with several task models (columns) on one
// split. The project's model comes first; every other model is one some evaluation of these
// candidates ran with (`studio eval --model`, the transfer page's form). Each cell is the newest
// finished evaluation of that candidate with that model; its gain is over the seed with the same model.
import { bestCandidate, projectFrontier, tokensPerTask } from "../candidates/standings.ts";
import { db } from "../db/client.ts";
import { noSuchProject } from "../projects/queries.ts";
import { transferFinding } from "./finding.ts";

export type Split = "search" | "test";

export interface TransferCell {
  evaluationId: string;
  score: number;
  scoreLow: number | null;
  scoreHigh: number | null;
  tokensPerTask: number;
  /** USD of the whole evaluation; null when a call was unpriced. */
  costUsd: number | null;
  costPerTask: number | null;
  taskCount: number;
  simulated: boolean;
  /** Score minus the seed's with the same model, in 0..1 units; null for the seed, or without one. */
  gainOverSeed: number | null;
}

export interface TransferRow {
  candidateId: string;
  number: number;
  seed: boolean;
  best: boolean;
  frontier: boolean;
  /** By model; null where no evaluation with that model finished. */
  cells: Record<string, TransferCell | null>;
  /** Models with an evaluation of this candidate queued or running. */
  pending: string[];
}

export interface TransferMatrix {
  projectModel: string;
  split: Split;
  /** The project's model first, then the others by name. */
  models: string[];
  rows: TransferRow[];
  /** The finding in plain words, or null when the data supports none. */
  finding: string | null;
  /** Some cell came from the offline model. */
  simulated: boolean;
}

/** `?candidates=3, #7` → [3, 7]; empty → null (the default rows); anything else → "invalid". */
export function parseTransferCandidates(raw: string | undefined): number[] | null | "invalid" {
  if (!raw) return null;
  const numbers = raw.split(",").map((part) => Number(part.trim().replace(/^#/, "")));
  if (numbers.some((n) => !Number.isInteger(n) || n < 1)) return "invalid";
  return [...new Set(numbers)].slice(0, TRANSFER_MAX_CANDIDATES);
}

/** Rows a matrix shows at most. */
export const TRANSFER_MAX_CANDIDATES = 30;

/** The default rows: the seed, the best and the frontier (on the project's model). */
export async function defaultTransferCandidates(projectId: string): Promise<string[]> {
  const [seed, best, frontier] = await Promise.all([
    db.candidate.findFirst({
      where: { projectId, origin: "seed", status: { not: "rejected" } },
      orderBy: { number: "asc" },
      select: { id: true },
    }),
    bestCandidate(projectId),
    projectFrontier(projectId),
  ]);
  return [...new Set([seed?.id, best?.id, ...frontier.map((point) => point.id)].filter((id) => id !== undefined))];
}

/** The matrix of the given candidates (default: defaultTransferCandidates) on a split. */
export async function transferMatrix(
  projectId: string,
  split: Split,
  candidateNumbers: number[] | null = null,
): Promise<TransferMatrix> {
  const project = await db.project.findUnique({ where: { id: projectId }, select: { model: true } });
  if (!project) throw noSuchProject(projectId);
  const [defaults, best, frontier] = await Promise.all([
    candidateNumbers ? Promise.resolve([]) : defaultTransferCandidates(projectId),
    bestCandidate(projectId),
    projectFrontier(projectId),
  ]);
  const candidates = await db.candidate.findMany({
    where: candidateNumbers
      ? { projectId, number: { in: candidateNumbers }, status: "valid" }
      : { projectId, id: { in: defaults } },
    orderBy: { number: "asc" },
    select: { id: true, number: true, origin: true },
  });
  const ids = candidates.map((candidate) => candidate.id);
  const [done, active] = await Promise.all([
    db.$queryRaw<
      {
        id: string;
        candidate_id: string;
        model: string;
        score: number;
        score_low: number | null;
        score_high: number | null;
        input: number;
        output: number;
        tasks: number;
        cost: number | null;
        simulated: boolean;
      }[]
    >`
      select distinct on (e."candidateId", e.model) e.id, e."candidateId" as candidate_id, e.model, e.score,
        e."scoreLow" as score_low, e."scoreHigh" as score_high, e."inputTokens" as input, e."outputTokens" as output,
        e."taskCount" as tasks, e."costUsd" as cost, e.simulated
      from "Evaluation" e
      where e."candidateId" = any(${ids}::text[]) and e.split = ${split}::"Split" and e.status = 'done' and e.score is not null
      order by e."candidateId", e.model, e."finishedAt" desc nulls last`,
    db.evaluation.findMany({
      where: { candidateId: { in: ids }, split, status: { in: ["queued", "running"] } },
      select: { candidateId: true, model: true },
    }),
  ]);

  const others = [...new Set([...done, ...active].map((row) => row.model))]
    .filter((model) => model !== project.model)
    .sort();
  const models = [project.model, ...others];
  const cellOf = new Map(done.map((row) => [`${row.candidate_id} ${row.model}`, row]));
  const seedId = candidates.find((candidate) => candidate.origin === "seed")?.id;
  const onFrontier = new Set(frontier.map((point) => point.id));

  const rows: TransferRow[] = candidates.map((candidate) => {
    const cells: Record<string, TransferCell | null> = {};
    for (const model of models) {
      const row = cellOf.get(`${candidate.id} ${model}`);
      const seedScore = seedId && seedId !== candidate.id ? cellOf.get(`${seedId} ${model}`)?.score : undefined;
      cells[model] = row
        ? {
            evaluationId: row.id,
            score: row.score,
            scoreLow: row.score_low,
            scoreHigh: row.score_high,
            tokensPerTask: tokensPerTask(row.input, row.output, row.tasks),
            costUsd: row.cost,
            costPerTask: row.cost == null ? null : row.cost / Math.max(row.tasks, 1),
            taskCount: row.tasks,
            simulated: row.simulated,
            gainOverSeed: seedScore === undefined ? null : row.score - seedScore,
          }
        : null;
    }
    return {
      candidateId: candidate.id,
      number: candidate.number,
      seed: candidate.id === seedId,
      best: candidate.id === best?.id,
      frontier: onFrontier.has(candidate.id),
      cells,
      pending: [...new Set(active.filter((row) => row.candidateId === candidate.id).map((row) => row.model))],
    };
  });
  return {
    projectModel: project.model,
    split,
    models,
    rows,
    finding: transferFinding({ projectModel: project.model, models, rows }),
    simulated: done.some((row) => row.simulated),
  };
}
