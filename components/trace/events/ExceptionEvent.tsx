// An exception the harness raised (or an uncaught one), with its stack.
import styles from "../trace.module.css";
import { Fact, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function ExceptionEvent({ body }: EventViewProps<"exception">) {
  return (
    <>
      <div className={styles.errorBox}>
        <strong>{body.name ?? "Error"}</strong>: {body.message}
      </div>
      {body.origin && (
        <div className={styles.facts}>
          <Fact label="Origin" value={body.origin} />
        </div>
      )}
      <TextBlock label="Stack" text={body.stack} hideEmpty />
    </>
  );
}
