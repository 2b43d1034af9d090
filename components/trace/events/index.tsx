// One view per event kind (lib/traces/events.ts); a kind without one shows its body as JSON.
import type { ComponentType } from "react";
import type { EventKind } from "@/lib/traces/events";
import type { TraceEventDetail } from "@/lib/traces/queries";
import { ErrorEvent } from "./ErrorEvent";
import { ExceptionEvent } from "./ExceptionEvent";
import { ExecEvent } from "./ExecEvent";
import { FileReadEvent } from "./FileReadEvent";
import { GradeEvent } from "./GradeEvent";
import { JsonView } from "./JsonView";
import { LogEvent } from "./LogEvent";
import { ModelCallEvent } from "./ModelCallEvent";
import { NoteEvent } from "./NoteEvent";
import { TextEvent } from "./TextEvent";
import { ToolCallEvent } from "./ToolCallEvent";
import { ToolResultEvent } from "./ToolResultEvent";
import type { EventViewProps } from "./types";

export type { EventViewProps } from "./types";

const views: { [K in EventKind]: ComponentType<EventViewProps<K>> } = {
  model_call: ModelCallEvent,
  exec: ExecEvent,
  stdout: TextEvent,
  stderr: TextEvent,
  exception: ExceptionEvent,
  error: ErrorEvent,
  log: LogEvent,
  output: LogEvent,
  grade: GradeEvent,
  note: NoteEvent,
  sandbox: NoteEvent,
  // The proposer's transcript.
  tool_call: ToolCallEvent,
  tool_result: ToolResultEvent,
  file_read: FileReadEvent,
};

/**
 * The view of one event. Call it only with a body the recorder kept whole (not `truncated`, not
 * cut to text for display): that body has its kind's shape, typed when build.ts recorded it.
 */
export function EventView({ event, body }: { event: TraceEventDetail["event"]; body: unknown }) {
  const View = views[event.kind] as ComponentType<EventViewProps<EventKind>> | undefined;
  if (!View) return <JsonView value={body} tall />;
  return <View event={event} body={body as EventViewProps<EventKind>["body"]} />;
}
