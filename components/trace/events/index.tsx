// One view per event kind; kinds without one show their body as JSON.
import type { ComponentType } from "react";
import { ErrorEvent } from "./ErrorEvent";
import { ExceptionEvent } from "./ExceptionEvent";
import { ExecEvent } from "./ExecEvent";
import { GradeEvent } from "./GradeEvent";
import { JsonView } from "./JsonView";
import { LogEvent } from "./LogEvent";
import { ModelCallEvent } from "./ModelCallEvent";
import { NoteEvent } from "./NoteEvent";
import { TextEvent } from "./TextEvent";
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
};

function GenericEvent({ body }: EventViewProps) {
  return <JsonView value={body} tall />;
}

export function viewFor(kind: string): ComponentType<EventViewProps> {
  return views[kind] ?? GenericEvent;
}
