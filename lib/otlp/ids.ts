// Trace and span ids made from the studio's own ids (a hash), so exporting the same task run
// twice sends the same ids: backends that upsert by id (Langfuse) update it rather than show
// it twice, and a reader can find a task run's trace from its id.
import { createHash } from "node:crypto";
import type { IdGenerator } from "@opentelemetry/sdk-trace-base";

function hex(text: string, chars: number): string {
  return createHash("sha256").update(text).digest("hex").slice(0, chars);
}

/** The trace id of a task run (32 hex digits). */
export function traceIdOf(taskRunId: string): string {
  return hex(`trace:${taskRunId}`, 32);
}

/** The id of a span of a task run: its root (`root`) or an event's (its seq). */
export function spanIdOf(taskRunId: string, part: string | number): string {
  return hex(`span:${taskRunId}:${part}`, 16);
}

/**
 * The SDK asks its IdGenerator for ids with no argument, as it starts each span; `next` is set
 * just before each (span starts are synchronous; a child span asks only for its span id).
 */
export class KeyedIds implements IdGenerator {
  next: { traceId: string; spanId: string } | null = null;

  generateTraceId(): string {
    if (!this.next) throw new Error("KeyedIds: no trace id set for this span");
    return this.next.traceId;
  }

  generateSpanId(): string {
    if (!this.next) throw new Error("KeyedIds: no span id set for this span");
    return this.next.spanId;
  }
}
