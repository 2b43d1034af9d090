// What the harness printed: stdout or stderr, as it came.
import { isRecord, str } from "../format";
import { JsonView, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function TextEvent({ body, event }: EventViewProps) {
  const text = isRecord(body) ? str(body.text) : null;
  if (text === null) return <JsonView value={body} />;
  return <TextBlock label={event.kind} text={text} tone={event.kind === "stderr" ? "fail" : undefined} />;
}
