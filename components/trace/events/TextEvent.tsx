// What the harness printed: stdout or stderr, as it came.
import { TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function TextEvent({ body, event }: EventViewProps<"stdout" | "stderr">) {
  return <TextBlock label={event.kind} text={body.text} tone={event.kind === "stderr" ? "fail" : undefined} />;
}
