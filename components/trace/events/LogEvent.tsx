// A value the harness logged (ctx.log) or returned (output), as indented JSON.
import { isRecord } from "../format";
import styles from "../trace.module.css";
import { JsonView } from "./JsonView";
import type { EventViewProps } from "./types";

export function LogEvent({ body, event }: EventViewProps) {
  const value = isRecord(body) && "value" in body ? body.value : body;
  return (
    <div>
      <div className={styles.label}>{event.kind === "output" ? "Output" : "Logged value"}</div>
      <JsonView value={value} tall />
    </div>
  );
}
