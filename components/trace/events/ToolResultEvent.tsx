// What a proposer's tool answered: ok or error, how long it took, and the text the model got back.
import { Badge } from "@/components/ui";
import { formatDuration } from "@/lib/format";
import styles from "../trace.module.css";
import { Fact, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function ToolResultEvent({ body: result, event }: EventViewProps<"tool_result">) {
  return (
    <>
      <div className={styles.facts}>
        <Fact label="Tool" value={<span className={styles.blockName}>{event.name ?? "?"}</span>} />
        <Fact
          label="Outcome"
          value={<Badge tone={result.isError ? "fail" : "pass"}>{result.isError ? "error" : "ok"}</Badge>}
        />
        <Fact label="Duration" value={formatDuration(event.durationMs)} />
        {result.id && <Fact label="Call id" value={<code>{result.id}</code>} wide />}
      </div>
      <TextBlock label="Result, as the model got it" text={result.text} tone={result.isError ? "fail" : undefined} />
    </>
  );
}
