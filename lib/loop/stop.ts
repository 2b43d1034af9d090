// Why an iteration or an optimization stopped short of what was asked: a kind the code
// branches on (stored in stopKind), and words for people (stored in stopReason). Code never
// reads the words back to find out what happened.
import type { StopKind } from "../db/client.ts";
import type { StopReason as ProposerStopReason } from "../proposer/types.ts";

export type { StopKind } from "../db/client.ts";

export interface Stop {
  kind: StopKind;
  message: string;
}

export const CANCELLED: Stop = { kind: "cancelled", message: "cancelled" };

/** The proposer's own stop, when it stopped short of "done". */
export function proposerStop(reason: ProposerStopReason, error?: string): Stop | null {
  if (reason === "done") return null;
  const words: Record<Exclude<ProposerStopReason, "done">, string> = {
    max_turns: "the proposer used all its turns",
    budget: "the proposer reached its token budget",
    cancelled: "the proposer was cancelled",
    error: "no reason was recorded.",
  };
  return { kind: `proposer_${reason}`, message: error ?? words[reason] };
}

/** The columns that store a stop (both null for none). */
export function stopColumns(stop: Stop | null): { stopKind: StopKind | null; stopReason: string | null } {
  return { stopKind: stop?.kind ?? null, stopReason: stop?.message ?? null };
}

/** A stored stop, or null. */
export function readStop(row: { stopKind: StopKind | null; stopReason: string | null }): Stop | null {
  return row.stopKind ? { kind: row.stopKind, message: row.stopReason ?? "" } : null;
}

/** One line for lists and the CLI: "cancelled", "Project evaluation budget reached: …", "the proposer failed: …". */
export function stopInWords(stop: Stop | null): string | null {
  if (!stop) return null;
  if (stop.kind === "proposer_error") return `the proposer failed: ${stop.message}`;
  return stop.message;
}
