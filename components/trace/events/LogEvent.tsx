// A value the harness logged (ctx.log) or returned (output), as indented JSON.
import styles from "../trace.module.css";
import { JsonView } from "./JsonView";
import type { EventViewProps } from "./types";

export function LogEvent({ body, event }: EventViewProps<"log" | "output">) {
  return (
    <div>
      <div className={styles.label}>{event.kind === "output" ? "Output" : "Logged value"}</div>
      <JsonView value={body.value ?? null} tall />
    </div>
  );
}
