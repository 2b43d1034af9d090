// The proposer's transcript as trace event rows, shaped like a task run's (lib/runner/trace.ts),
// so one trace viewer shows both. Bodies are kept whole up to the runner's documented cap
// (TRACE_BODY_LIMIT_BYTES, 8 MiB); past it the body says what was cut. Tool results are already
// bounded by the tools themselves (see limits.ts), so in practice they are never cut here.
import type { Exchange } from "../runner/proxy/types.ts";
import { PREVIEW_CHARS, TRACE_BODY_LIMIT_BYTES, fromExchange, type TraceEventRow } from "../runner/trace.ts";

export interface EventFields {
  name?: string | null;
  preview: string;
  durationMs?: number;
  time?: Date;
}

/** One row of any kind: tool_call, tool_result, file_read, stdout, stderr, note, error. */
export function proposerEvent(kind: string, fields: EventFields, body: unknown): TraceEventRow {
  const json = safeJson(body);
  const bytes = Buffer.byteLength(json);
  const preview = fields.preview.slice(0, PREVIEW_CHARS * 2).replace(/\s+/g, " ").trim().slice(0, PREVIEW_CHARS);
  const row = {
    kind,
    time: fields.time ?? new Date(),
    name: fields.name ?? null,
    durationMs: fields.durationMs === undefined ? null : Math.round(fields.durationMs),
    preview,
  };
  if (bytes <= TRACE_BODY_LIMIT_BYTES) return { ...row, bodyJson: json, bodyBytes: bytes, truncated: false };
  const head = json.slice(0, TRACE_BODY_LIMIT_BYTES);
  const cut = { truncated: true, originalBytes: bytes, keptBytes: head.length, note: `[studio: body of ${bytes} bytes cut to its first ${head.length}]`, head };
  return { ...row, bodyJson: JSON.stringify(cut), bodyBytes: bytes, truncated: true };
}

/** A model call, as the runner records one: the same gen_ai.* columns, body = the whole exchange. */
export function modelCallEvent(exchange: Exchange): TraceEventRow {
  return fromExchange(exchange);
}

export function toolCallEvent(tool: string, id: string, input: unknown): TraceEventRow {
  return proposerEvent("tool_call", { name: tool, preview: `${tool} ${previewJson(input)}` }, { id, input });
}

export function toolResultEvent(tool: string, id: string, text: string, isError: boolean, durationMs: number): TraceEventRow {
  return proposerEvent("tool_result", { name: tool, durationMs, preview: `${isError ? "error: " : ""}${text}` }, { id, isError, text });
}

export function fileReadEvent(relativePath: string, detail: { startLine: number; endLine: number; totalLines: number }): TraceEventRow {
  return proposerEvent("file_read", { name: relativePath, preview: `${relativePath} lines ${detail.startLine}-${detail.endLine} of ${detail.totalLines}` }, { path: relativePath, ...detail });
}

export function noteEvent(message: string, detail?: Record<string, unknown>): TraceEventRow {
  return proposerEvent("note", { preview: message }, { message, ...detail });
}

export function outputEvent(stream: "stdout" | "stderr", text: string): TraceEventRow {
  return proposerEvent(stream, { preview: text }, { text });
}

export function errorEvent(kind: string, message: string): TraceEventRow {
  return proposerEvent("error", { name: kind, preview: `${kind}: ${message}` }, { kind, message });
}

function previewJson(value: unknown): string {
  try {
    return (JSON.stringify(value) ?? "").slice(0, PREVIEW_CHARS * 2);
  } catch {
    return "";
  }
}

/** JSON that Postgres accepts: no NUL characters (jsonb refuses them), BigInts as text. */
function safeJson(value: unknown): string {
  return (
    JSON.stringify(value ?? null, (_key, item) => (typeof item === "bigint" ? item.toString() : typeof item === "string" ? item.replace(/\u0000/g, "\uFFFD") : item)) ?? "null"
  );
}
