// A proposer's tool call (list_dir, read_file, grep, write_file, bash, check_candidate, finish): the
// tool, then its input, short fields as facts and long texts (a harness being written) as code.
import { isRecord } from "../format";
import styles from "../trace.module.css";
import { Fact, JsonView, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

/** A string longer than this, or with a line break, is shown as a block rather than a fact. */
const FACT_CHARS = 120;

export function ToolCallEvent({ body: call, event }: EventViewProps<"tool_call">) {
  // The input is the model's: any JSON.
  const input = call.input;
  const fields = isRecord(input) ? Object.entries(input) : [];
  const short = fields.filter(
    ([, value]) =>
      value == null ||
      ["number", "boolean"].includes(typeof value) ||
      (typeof value === "string" && value.length <= FACT_CHARS && !value.includes("\n")),
  );
  const long = fields.filter((field) => !short.includes(field));
  return (
    <>
      <div className={styles.facts}>
        <Fact label="Tool" value={<span className={styles.blockName}>{event.name ?? "?"}</span>} />
        {call.id && <Fact label="Call id" value={<code>{call.id}</code>} wide />}
        {short.map(([key, value]) => (
          <Fact
            key={key}
            label={key}
            value={value == null ? "—" : String(value)}
            title={String(value)}
            wide={typeof value === "string" && value.length > 24}
          />
        ))}
      </div>
      {!isRecord(input) && <JsonView value={input ?? null} />}
      {long.map(([key, value]) =>
        typeof value === "string" ? (
          <TextBlock key={key} label={key} text={value} />
        ) : (
          <div key={key}>
            <div className={styles.label}>{key}</div>
            <JsonView value={value} />
          </div>
        ),
      )}
      {isRecord(input) && fields.length === 0 && <div className="faint">No input.</div>}
    </>
  );
}
