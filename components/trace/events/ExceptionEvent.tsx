// An exception the harness raised (or an uncaught one), with its stack.
import { isRecord, str } from "../format";
import styles from "../trace.module.css";
import { Fact, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function ExceptionEvent({ body }: EventViewProps) {
  const exception = isRecord(body) ? body : {};
  return (
    <>
      <div className={styles.errorBox}>
        <strong>{str(exception.name) ?? "Error"}</strong>: {str(exception.message) ?? ""}
      </div>
      {str(exception.origin) && (
        <div className={styles.facts}>
          <Fact label="Origin" value={str(exception.origin)} />
        </div>
      )}
      <TextBlock label="Stack" text={str(exception.stack)} hideEmpty />
    </>
  );
}
