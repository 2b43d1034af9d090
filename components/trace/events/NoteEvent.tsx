// A message from the studio or the sandbox (note, sandbox), with any detail it carries.
import { isRecord, str } from "../format";
import styles from "../trace.module.css";
import { JsonView } from "./JsonView";
import type { EventViewProps } from "./types";

export function NoteEvent({ body }: EventViewProps) {
  const note = isRecord(body) ? body : {};
  const { message, ...detail } = note;
  return (
    <>
      <div className={styles.text}>{str(message) ?? "(no message)"}</div>
      {Object.keys(detail).length > 0 && (
        <div>
          <div className={styles.label}>Detail</div>
          <JsonView value={detail} />
        </div>
      )}
    </>
  );
}
