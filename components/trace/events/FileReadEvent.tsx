// A workspace file the proposer read: which file and which lines. The text it saw is in the
// tool result that follows (the Claude proposer) or was the whole file (the offline proposer).
import { isRecord, num, str } from "../format";
import styles from "../trace.module.css";
import { Fact } from "./JsonView";
import type { EventViewProps } from "./types";

export function FileReadEvent({ body, event }: EventViewProps) {
  const read = isRecord(body) ? body : {};
  const path = str(read.path) ?? event.name ?? "?";
  const start = num(read.startLine);
  const end = num(read.endLine);
  const total = num(read.totalLines);
  return (
    <div className={styles.facts}>
      <Fact label="Path" value={<code>{path}</code>} title={path} wide />
      <Fact label="Lines" value={start != null && end != null ? `${start.toLocaleString("en-US")}–${end.toLocaleString("en-US")}` : "—"} />
      <Fact label="Of" value={total != null ? `${total.toLocaleString("en-US")} lines` : "—"} />
      <Fact label="Whole file" value={start != null && end != null && total != null ? (start <= 1 && end >= total ? "yes" : "no, a page") : "—"} />
    </div>
  );
}
