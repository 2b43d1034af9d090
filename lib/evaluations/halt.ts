// What stopped an evaluation's task runs on some job worker, written where the worker that holds
// the evaluation (spread.ts) reads it: a refused API key, a spent budget, a worker that could not
// run them. The first one written stands; the evaluation then finishes with it.
import { db } from "../db/client.ts";

export interface Halt {
  kind: "refusal" | "budget" | "error";
  message: string;
}

export async function haltEvaluation(evaluationId: string, halt: Halt): Promise<void> {
  await db.$executeRaw`update "Evaluation" set halt = ${JSON.stringify(halt)}::jsonb
    where id = ${evaluationId} and halt is null`;
}

export function readHalt(stored: unknown): Halt | null {
  if (!stored || typeof stored !== "object") return null;
  const { kind, message } = stored as Partial<Halt>;
  if ((kind === "refusal" || kind === "budget" || kind === "error") && typeof message === "string")
    return { kind, message };
  return null;
}
