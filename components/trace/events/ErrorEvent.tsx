// Why the task run ended in error: the kind (throw, timeout, memory, budget…), message and stack.
import { isRecord, str } from "../format";
import styles from "../trace.module.css";
import { Fact, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function ErrorEvent({ body, event }: EventViewProps) {
  const error = isRecord(body) ? body : {};
  return (
    <>
      <div className={styles.facts}>
        <Fact label="Error kind" value={str(error.kind) ?? event.name ?? "—"} />
      </div>
      <div className={styles.errorBox}>{str(error.message) ?? "(no message)"}</div>
      <TextBlock label="Stack" text={str(error.stack)} hideEmpty />
    </>
  );
}
