// What a proposer's tool answered: ok or error, how long it took, and the text the model got back.
import { Badge } from "@/components/ui";
import { formatDuration } from "@/lib/format";
import { isRecord, str } from "../format";
import styles from "../trace.module.css";
import { Fact, JsonView, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function ToolResultEvent({ body, event }: EventViewProps) {
  const result = isRecord(body) ? body : {};
  const text = str(result.text);
  const failed = result.isError === true;
  return (
    <>
      <div className={styles.facts}>
        <Fact label="Tool" value={<span className={styles.blockName}>{event.name ?? "?"}</span>} />
        <Fact label="Outcome" value={<Badge tone={failed ? "fail" : "pass"}>{failed ? "error" : "ok"}</Badge>} />
        <Fact label="Duration" value={formatDuration(event.durationMs)} />
        {str(result.id) && <Fact label="Call id" value={<code>{str(result.id)}</code>} wide />}
      </div>
      {text === null ? <JsonView value={body} /> : <TextBlock label="Result, as the model got it" text={text} tone={failed ? "fail" : undefined} />}
    </>
  );
}
