// A workspace file the proposer read: which file and which lines. The text it saw is in the
// tool result that follows (the Claude proposer) or was the whole file (the offline proposer).
import { formatCount } from "@/lib/format";
import styles from "../trace.module.css";
import { Fact } from "./JsonView";
import type { EventViewProps } from "./types";

export function FileReadEvent({ body: read }: EventViewProps<"file_read">) {
  return (
    <div className={styles.facts}>
      <Fact label="Path" value={<code>{read.path}</code>} title={read.path} wide />
      <Fact label="Lines" value={`${formatCount(read.startLine)}–${formatCount(read.endLine)}`} />
      <Fact label="Of" value={`${formatCount(read.totalLines)} lines`} />
      <Fact label="Whole file" value={read.startLine <= 1 && read.endLine >= read.totalLines ? "yes" : "no, a page"} />
    </div>
  );
}
