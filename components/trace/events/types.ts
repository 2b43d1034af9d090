import type { EventBodies, EventKind } from "@/lib/traces/events";
import type { TraceEventDetail } from "@/lib/traces/queries";

/** What the view of kind K gets: the event's columns and its typed body (long strings possibly cut for display). */
export interface EventViewProps<K extends EventKind> {
  event: TraceEventDetail["event"] & { kind: K };
  body: EventBodies[K];
}
