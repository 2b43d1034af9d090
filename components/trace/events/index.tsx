// One view per event kind; kinds without one show their body as JSON.
import type { ComponentType } from "react";
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

const views: Record<string, ComponentType<EventViewProps>> = {
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
  // The proposer's transcript (lib/proposer/events.ts).
  tool_call: ToolCallEvent,
  tool_result: ToolResultEvent,
  file_read: FileReadEvent,
};

function GenericEvent({ body }: EventViewProps) {
  return <JsonView value={body} tall />;
}

export function viewFor(kind: string): ComponentType<EventViewProps> {
  return views[kind] ?? GenericEvent;
}
