// Why the task run (or the proposer) ended in error: the kind (throw, timeout, memory, budget…), message and stack.
import styles from "../trace.module.css";
import { Fact, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function ErrorEvent({ body }: EventViewProps<"error">) {
  return (
    <>
      <div className={styles.facts}>
        <Fact label="Error kind" value={body.kind} />
      </div>
      <div className={styles.errorBox}>{body.message || "(no message)"}</div>
      <TextBlock label="Stack" text={body.stack} hideEmpty />
    </>
  );
}
