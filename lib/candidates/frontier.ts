// The score-versus-cost frontier: the candidates a person (or the loop) should pick from.
// Shared by the workspace (frontier.json), the loop (selection) and the dashboard (chart).
import { scoredStandings } from "./best.ts";

export interface FrontierPoint {
  id: string;
  /** Search score, 0..1: higher is better. */
  score: number;
  /** Model tokens (in + out) per task on the search split: lower is better. */
  tokensPerTask: number;
}

/**
 * The points no other point dominates, sorted by tokensPerTask (then score descending, then id).
 * A point is dominated when another has a score at least as high and tokensPerTask at least as
 * low, and is strictly better on one of them. Exact ties (same score and tokensPerTask) dominate
 * neither way, so all of them stay: which one to keep is the caller's choice, not a hidden one.
 * Points with a non-finite score or tokensPerTask are left out. Extra fields pass through.
 */
export function frontier<T extends FrontierPoint>(points: readonly T[]): T[] {
  const sorted = points
    .filter((point) => Number.isFinite(point.score) && Number.isFinite(point.tokensPerTask))
    .sort((a, b) => a.tokensPerTask - b.tokensPerTask || b.score - a.score || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const kept: T[] = [];
  for (const point of sorted) {
    // Everything before `point` is at most as expensive; the best of them is the last kept.
    const best = kept.at(-1);
    if (!best || point.score > best.score || (point.score === best.score && point.tokensPerTask === best.tokensPerTask))
      kept.push(point);
  }
  return kept;
}

export interface FrontierCandidate {
  id: string;
  number: number;
  score: number;
  tokensPerTask: number;
}

/** The project's frontier, over each valid candidate's newest finished search evaluation. */
export async function projectFrontier(projectId: string): Promise<FrontierCandidate[]> {
  return frontier(await scoredStandings(projectId));
}
