// Turns what a task run produced (sandbox events, recorded model exchanges, its output and
// grade) into TraceEvent rows, in time order. Everything is kept raw; only bodies past the
// documented cap are cut, with a marker saying how much.
import type { Prisma } from "../db/client.ts";
import type { Exchange } from "./proxy/types.ts";
import type { SandboxEvent, TaskError } from "./sandbox/sandbox.ts";

/** One event body is kept whole up to this size; past it, the body says what was cut. */
export const TRACE_BODY_LIMIT_BYTES = 8 * 1024 * 1024;
export const PREVIEW_CHARS = 240;

/** A TraceEvent before it is stored; the body is kept as JSON text, ready for the database. */
export type TraceEventRow = Omit<Prisma.TraceEventCreateManyInput, "taskRunId" | "iterationId" | "seq" | "body"> & { bodyJson: string | null };

export function fromSandboxEvent(event: SandboxEvent): TraceEventRow {
  const time = new Date(event.ts);
  switch (event.kind) {
    case "log":
      return withBody({ kind: "log", time, preview: previewOf(event.value) }, { value: event.value });
    case "exec":
      return withBody(
        { kind: "exec", time, name: event.command.slice(0, 200), durationMs: Math.round(event.durationMs), preview: `$ ${event.command} → ${event.timedOut ? "timed out" : event.signal ? `killed by ${event.signal}` : `exit ${event.exitCode}`}` },
        event,
      );
    case "exception":
      return withBody({ kind: "exception", time, name: event.name ?? "Error", preview: `${event.name ?? "Error"}: ${event.message}` }, event);
    case "stdout":
    case "stderr":
      return withBody({ kind: event.kind, time, preview: event.text }, { text: event.text });
    case "output":
      return withBody({ kind: "output", time, preview: previewOf(event.value) }, { value: event.value });
    case "sandbox":
      return withBody({ kind: "sandbox", time, preview: event.message }, { message: event.message });
  }
}

export function fromExchange(exchange: Exchange): TraceEventRow {
  const request = (exchange.request.body ?? {}) as { model?: string; messages?: unknown[]; system?: unknown };
  return withBody(
    {
      kind: "model_call",
      time: exchange.startedAt,
      durationMs: Math.round(exchange.durationMs),
      name: exchange.operation,
      genAiSystem: "anthropic",
      genAiOperationName: exchange.operation === "messages" ? "chat" : "count_tokens",
      genAiRequestModel: exchange.requestModel ?? request.model ?? null,
      genAiResponseModel: exchange.model ?? null,
      genAiResponseId: exchange.responseId ?? null,
      genAiResponseFinishReasons: exchange.stopReason ? [exchange.stopReason] : [],
      genAiUsageInputTokens: exchange.usage ? exchange.usage.input_tokens + (exchange.usage.cache_creation_input_tokens ?? 0) + (exchange.usage.cache_read_input_tokens ?? 0) : null,
      genAiUsageOutputTokens: exchange.usage?.output_tokens ?? null,
      costUsd: exchange.costUsd ?? null,
      preview: exchange.error ? `error: ${exchange.error}` : exchangePreview(exchange),
    },
    exchange,
  );
}

export function errorEvent(error: Pick<TaskError, "message" | "stack"> & { kind: string }, time: Date): TraceEventRow {
  return withBody({ kind: "error", time, name: error.kind, preview: `${error.kind}: ${error.message}` }, error);
}

export function gradeEvent(grade: { score: number; explanation: string; passed: boolean; expected: unknown; output: unknown }, time: Date): TraceEventRow {
  return withBody({ kind: "grade", time, name: grade.passed ? "passed" : "failed", preview: `score ${round(grade.score)}: ${grade.explanation}` }, grade);
}

export function noteEvent(message: string, time: Date, detail?: Record<string, unknown>): TraceEventRow {
  return withBody({ kind: "note", time, preview: message }, { message, ...detail });
}

/** Sorts by time; model calls are stamped when they started, sandbox events when they arrived. */
export function inTimeOrder(rows: TraceEventRow[]): TraceEventRow[] {
  return rows
    .map((row, index) => ({ row, index }))
    .sort((a, b) => (a.row.time as Date).getTime() - (b.row.time as Date).getTime() || a.index - b.index)
    .map(({ row }) => row);
}

function withBody(row: Omit<TraceEventRow, "bodyJson" | "bodyBytes" | "truncated">, body: unknown): TraceEventRow {
  const json = safeJson(body);
  const bytes = Buffer.byteLength(json);
  const preview = (row.preview ?? "").slice(0, PREVIEW_CHARS * 2).replace(/\s+/g, " ").trim().slice(0, PREVIEW_CHARS);
  if (bytes <= TRACE_BODY_LIMIT_BYTES) return { ...row, preview, bodyJson: json, bodyBytes: bytes, truncated: false };
  const kept = json.slice(0, TRACE_BODY_LIMIT_BYTES);
  const cut = { truncated: true, originalBytes: bytes, keptBytes: kept.length, note: `[studio: body of ${bytes} bytes cut to its first ${kept.length}]`, head: kept };
  return { ...row, preview, bodyJson: JSON.stringify(cut), bodyBytes: bytes, truncated: true };
}

/** JSON that Postgres accepts: no NUL characters (jsonb refuses them), no BigInt surprises. */
function safeJson(value: unknown): string {
  return (
    JSON.stringify(value ?? null, (_key, item) => (typeof item === "bigint" ? item.toString() : typeof item === "string" ? item.replace(/\u0000/g, "\uFFFD") : item)) ?? "null"
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
    .map((block: { type?: string; text?: string; name?: string }) => (block.type === "text" ? block.text : block.type === "tool_use" ? `[tool_use ${block.name}]` : block.type ? `[${block.type}]` : ""))
    .join(" ");
}

function round(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(3);
}
