// A message from the studio or the sandbox (note, sandbox), with any detail it carries.
import styles from "../trace.module.css";
import { JsonView } from "./JsonView";
import type { EventViewProps } from "./types";

export function NoteEvent({ body }: EventViewProps<"note" | "sandbox">) {
  const { message, ...detail } = body;
  return (
    <>
      <div className={styles.text}>{message}</div>
      {Object.keys(detail).length > 0 && (
        <div>
          <div className={styles.label}>Detail</div>
          <JsonView value={detail} />
        </div>
      )}
    </>
  );
}
