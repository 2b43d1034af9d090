import type { TraceEventDetail } from "@/lib/traces/queries";

/** What every per-kind view gets: the event's columns and its body (possibly cut for display). */
export interface EventViewProps {
  event: TraceEventDetail["event"];
  body: unknown;
}
