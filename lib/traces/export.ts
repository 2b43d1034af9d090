// A stored trace event as one JSON line, in a named format: `download` (the raw trace the
// browser downloads) and `workspace` (the proposer's traces/<task>.jsonl). One field list, in
// one order; the formats differ only as `FORMATS` says. A new export adds its format here.
import type { TraceEvent } from "../db/client.ts";

export type ExportFormat = "download" | "workspace";

const FORMATS: Record<ExportFormat, { identity: boolean; preview: boolean; empty: boolean }> = {
  // Every column, nulls included, with the event's id and owner: a line stands alone, and every
  // line has the same keys (tables and jq filters need no defaults).
  download: { identity: true, preview: true, empty: true },
  // The file's path names the task run, and the preview only repeats the body beside it; empty
  // columns (null, [], false) say nothing and would cost the proposer tokens on every line.
  workspace: { identity: false, preview: false, empty: false },
};

/** One event as a JSONL line (with its newline). Model-call columns take their OpenTelemetry names (`gen_ai.usage.input_tokens`…). */
export function exportLine(event: TraceEvent, format: ExportFormat): string {
  const rules = FORMATS[format];
  const fields: [string, unknown][] = [];
  if (rules.identity)
    fields.push(
      ["id", event.id.toString()],
      event.taskRunId !== null ? ["taskRunId", event.taskRunId] : ["iterationId", event.iterationId],
    );
  fields.push(
    ["kind", event.kind],
    ["seq", event.seq],
    ["time", event.time.toISOString()],
    ["durationMs", event.durationMs],
    ["name", event.name],
    ["gen_ai.system", event.genAiSystem],
    ["gen_ai.operation.name", event.genAiOperationName],
    ["gen_ai.request.model", event.genAiRequestModel],
    ["gen_ai.response.model", event.genAiResponseModel],
    ["gen_ai.response.id", event.genAiResponseId],
    ["gen_ai.response.finish_reasons", event.genAiResponseFinishReasons],
    ["gen_ai.usage.input_tokens", event.genAiUsageInputTokens],
    ["gen_ai.usage.output_tokens", event.genAiUsageOutputTokens],
    ["costUsd", event.costUsd],
  );
  if (rules.preview) fields.push(["preview", event.preview]);
  fields.push(["bodyBytes", event.bodyBytes], ["truncated", event.truncated]);
  const line: Record<string, unknown> = {};
  for (const [key, value] of fields) if (rules.empty || !isEmpty(value)) line[key] = value;
  line.body = event.body; // always there, null when the event has none
  return `${JSON.stringify(line)}\n`;
}

function isEmpty(value: unknown): boolean {
  return value === null || value === false || (Array.isArray(value) && value.length === 0);
}
