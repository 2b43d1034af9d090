// Builds trace event rows, for task runs (sandbox events, recorded model exchanges, grades) and
// for the proposer's transcript alike, so one viewer shows both. Everything is kept raw; only
// bodies past the documented cap are cut, with a marker saying how much.
import type { Exchange } from "../runner/proxy/types.ts";
import type { SandboxEvent } from "../runner/sandbox/sandbox.ts";
import type { CutBody, ErrorBody, EventBodies, EventKind, GradeBody, TraceEventRow } from "./events.ts";
import { TRACE_BODY_LIMIT_BYTES } from "./limits.ts";

export const PREVIEW_CHARS = 240;

type Columns = Omit<TraceEventRow, "kind" | "preview" | "bodyJson" | "bodyBytes" | "truncated">;

/** The one row builder: the body as capped JSON text, the preview as one short line. */
export function eventRow<K extends EventKind>(
  kind: K,
  columns: Columns & { preview: string },
  body: EventBodies[K],
): TraceEventRow<K> {
  const json = safeJson(body);
  const bytes = Buffer.byteLength(json);
  const preview = columns.preview
    .slice(0, PREVIEW_CHARS * 2)
    .replace(/\s+/g, " ")
    .trim()
    .slice(0, PREVIEW_CHARS);
  const row = { ...columns, kind, preview };
  if (bytes <= TRACE_BODY_LIMIT_BYTES) return { ...row, bodyJson: json, bodyBytes: bytes, truncated: false };
  const kept = json.slice(0, TRACE_BODY_LIMIT_BYTES);
  const cut: CutBody = {
    truncated: true,
    originalBytes: bytes,
    keptBytes: kept.length,
    note: `[studio: body of ${bytes} bytes cut to its first ${kept.length}]`,
    head: kept,
  };
  return { ...row, bodyJson: JSON.stringify(cut), bodyBytes: bytes, truncated: true };
}

export function fromSandboxEvent(event: SandboxEvent): TraceEventRow {
  const time = new Date(event.ts);
  switch (event.kind) {
    case "log":
      return eventRow("log", { time, preview: previewOf(event.value) }, { value: event.value });
    case "exec":
      return eventRow(
        "exec",
        {
          time,
          name: event.command.slice(0, 200),
          durationMs: Math.round(event.durationMs),
          preview: `$ ${event.command} → ${event.timedOut ? "timed out" : event.signal ? `killed by ${event.signal}` : `exit ${event.exitCode}`}`,
        },
        event,
      );
    case "exception":
      return eventRow(
        "exception",
        { time, name: event.name ?? "Error", preview: `${event.name ?? "Error"}: ${event.message}` },
        event,
      );
    case "stdout":
    case "stderr":
      return streamEvent(event.kind, event.text, time);
    case "output":
      return eventRow("output", { time, preview: previewOf(event.value) }, { value: event.value });
    case "sandbox":
      return eventRow("sandbox", { time, preview: event.message }, { message: event.message });
  }
}

/** A model call, from the harness or a proposer: the gen_ai.* columns, body = the whole exchange. */
export function fromExchange(exchange: Exchange): TraceEventRow<"model_call"> {
  const request = (exchange.request.body ?? {}) as { model?: string };
  return eventRow(
    "model_call",
    {
      time: exchange.startedAt,
      durationMs: Math.round(exchange.durationMs),
      name: exchange.operation,
      genAiSystem: "anthropic",
      genAiOperationName: exchange.operation === "messages" ? "chat" : "count_tokens",
      genAiRequestModel: exchange.requestModel ?? request.model ?? null,
      genAiResponseModel: exchange.model ?? null,
      genAiResponseId: exchange.responseId ?? null,
      genAiResponseFinishReasons: exchange.stopReason ? [exchange.stopReason] : [],
      genAiUsageInputTokens: exchange.usage
        ? exchange.usage.input_tokens +
          (exchange.usage.cache_creation_input_tokens ?? 0) +
          (exchange.usage.cache_read_input_tokens ?? 0)
        : null,
      genAiUsageOutputTokens: exchange.usage?.output_tokens ?? null,
      costUsd: exchange.costUsd ?? null,
      preview: exchange.error ? `error: ${exchange.error}` : exchangePreview(exchange),
    },
    exchange,
  );
}

/** Text printed to stdout or stderr (by a harness, or a command proposer's line). */
export function streamEvent(
  stream: "stdout" | "stderr",
  text: string,
  time = new Date(),
): TraceEventRow<"stdout" | "stderr"> {
  return eventRow(stream, { time, preview: text }, { text });
}

export function errorEvent(error: ErrorBody, time = new Date()): TraceEventRow<"error"> {
  return eventRow("error", { time, name: error.kind, preview: `${error.kind}: ${error.message}` }, error);
}

export function gradeEvent(grade: GradeBody, time = new Date()): TraceEventRow<"grade"> {
  return eventRow(
    "grade",
    { time, name: grade.passed ? "passed" : "failed", preview: `score ${round(grade.score)}: ${grade.explanation}` },
    grade,
  );
}

export function noteEvent(message: string, time = new Date(), detail?: Record<string, unknown>): TraceEventRow<"note"> {
  return eventRow("note", { time, preview: message }, { message, ...detail });
}

export function toolCallEvent(tool: string, id: string, input: unknown): TraceEventRow<"tool_call"> {
  return eventRow("tool_call", { time: new Date(), name: tool, preview: `${tool} ${previewOf(input)}` }, { id, input });
}

export function toolResultEvent(
  tool: string,
  id: string,
  text: string,
  isError: boolean,
  durationMs: number,
): TraceEventRow<"tool_result"> {
  return eventRow(
    "tool_result",
    { time: new Date(), name: tool, durationMs: Math.round(durationMs), preview: `${isError ? "error: " : ""}${text}` },
    { id, isError, text },
  );
}

export function fileReadEvent(
  relativePath: string,
  lines: { startLine: number; endLine: number; totalLines: number },
): TraceEventRow<"file_read"> {
  return eventRow(
    "file_read",
    {
      time: new Date(),
      name: relativePath,
      preview: `${relativePath} lines ${lines.startLine}-${lines.endLine} of ${lines.totalLines}`,
    },
    { path: relativePath, ...lines },
  );
}

/** Sorts by time; model calls are stamped when they started, sandbox events when they arrived. */
export function inTimeOrder(rows: TraceEventRow[]): TraceEventRow[] {
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => a.row.time.getTime() - b.row.time.getTime() || a.index - b.index)
    .map(({ row }) => row);
}

/** JSON that Postgres accepts: no NUL characters (jsonb refuses them), BigInts as text. */
function safeJson(value: unknown): string {
  return (
    JSON.stringify(value ?? null, (_key, item) =>
      typeof item === "bigint" ? item.toString() : typeof item === "string" ? item.replace(/\u0000/g, "\uFFFD") : item,
    ) ?? "null"
  );
}

function previewOf(value: unknown): string {
  if (typeof value === "string") return value.slice(0, PREVIEW_CHARS * 2);
  try {
    return (JSON.stringify(value) ?? String(value)).slice(0, PREVIEW_CHARS * 2);
  } catch {
    return String(value).slice(0, PREVIEW_CHARS * 2);
  }
}

function exchangePreview(exchange: Exchange): string {
  const request = (exchange.request.body ?? {}) as { messages?: { role: string; content: unknown }[] };
  const last = request.messages?.at(-1);
  const asked = last ? textOf(last.content) : "";
  const response = (exchange.response.body ?? {}) as { content?: unknown };
  const answered = textOf(response.content);
  return `${asked.slice(0, 100)} → ${answered.slice(0, 120)}`;
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block: { type?: string; text?: string; name?: string }) =>
      block.type === "text"
        ? block.text
        : block.type === "tool_use"
          ? `[tool_use ${block.name}]`
          : block.type
            ? `[${block.type}]`
            : "",
    )
    .join(" ");
}

function round(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(3);
}
