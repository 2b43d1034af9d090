// One trace per task run: a root span for the run (start and end as stored), a child span per
// model call, `ctx.exec` command and tool call at its recorded times, and the other events
// (logs, output, grade, exceptions…) as events of the root span at their times. Spans are made
// with the SDK's tracer, so ids, timing and attribute limits follow its rules.
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span, type Tracer } from "@opentelemetry/api";
import type { CutBody, ExecBody, ModelCallBody, ToolCallBody, ToolResultBody } from "../traces/events.ts";
import {
  execAttributes,
  isCut,
  modelCallAttributes,
  modelCallName,
  taskRunAttributes,
  toolCallAttributes,
  type ModelCallColumns,
} from "./attributes.ts";
import { spanIdOf, traceIdOf, type KeyedIds } from "./ids.ts";

/** A stored trace event, as the export reads it. */
export interface StoredEvent extends ModelCallColumns {
  seq: number;
  kind: string;
  time: Date;
  durationMs: number | null;
  name: string | null;
  preview: string;
  body: unknown;
}

/** A task run and what its root span says. */
export type StoredTaskRun = Parameters<typeof taskRunAttributes>[0] & {
  startedAt: Date | null;
  finishedAt: Date | null;
  events: StoredEvent[];
};

/** Kinds that become spans of their own; the rest are events of the root span. */
const SPAN_KINDS = new Set(["model_call", "exec", "tool_call", "tool_result"]);

/** Makes the task run's spans (ended, so the tracer's processor has them); false when it has no times at all. */
export function taskRunSpans(tracer: Tracer, ids: KeyedIds, run: StoredTaskRun): boolean {
  const bounds = timeBounds(run);
  if (!bounds) return false;
  const traceId = traceIdOf(run.id);
  ids.next = { traceId, spanId: spanIdOf(run.id, "root") };
  const root = tracer.startSpan(
    run.trial > 1 ? `task run ${run.taskKey} (trial ${run.trial})` : `task run ${run.taskKey}`,
    { kind: SpanKind.INTERNAL, startTime: bounds.start, attributes: taskRunAttributes(run), root: true },
    context.active(),
  );
  const parent = trace.setSpan(context.active(), root);
  const child = (seq: number, name: string, kind: SpanKind, start: Date, attributes: Attributes): Span => {
    ids.next = { traceId, spanId: spanIdOf(run.id, seq) };
    return tracer.startSpan(name, { kind, startTime: start, attributes }, parent);
  };
  const results = new Map<string, StoredEvent>();
  for (const event of run.events)
    if (event.kind === "tool_result") results.set(bodyOf<ToolResultBody>(event)?.id ?? "", event);

  for (const event of run.events) {
    if (event.kind === "model_call") {
      const body = event.body as ModelCallBody | CutBody | null;
      const span = child(
        event.seq,
        modelCallName(event),
        SpanKind.CLIENT,
        event.time,
        modelCallAttributes(event, body),
      );
      const failed = body && !isCut(body) && (body.error || body.response.status >= 400);
      if (failed) span.setStatus({ code: SpanStatusCode.ERROR, message: body.error ?? `HTTP ${body.response.status}` });
      span.end(after(event.time, event.durationMs));
    } else if (event.kind === "exec") {
      // The sandbox stamps an exec when it ends; its duration says when it began.
      const start = new Date(event.time.getTime() - (event.durationMs ?? 0));
      const body = event.body as ExecBody | CutBody | null;
      const span = child(
        event.seq,
        "execute_tool exec",
        SpanKind.INTERNAL,
        start,
        execAttributes(body, event.name ?? ""),
      );
      const exec = body && !isCut(body) ? body : null;
      if (exec && (exec.timedOut || exec.error))
        span.setStatus({ code: SpanStatusCode.ERROR, message: exec.error ?? "timed out" });
      span.end(event.time);
    } else if (event.kind === "tool_call") {
      const call = bodyOf<ToolCallBody>(event);
      const result = call ? results.get(call.id) : undefined;
      const answer = result ? bodyOf<ToolResultBody>(result) : null;
      const name = event.name ?? "tool";
      const span = child(
        event.seq,
        `execute_tool ${name}`,
        SpanKind.INTERNAL,
        event.time,
        toolCallAttributes(name, call, answer),
      );
      if (answer?.isError) span.setStatus({ code: SpanStatusCode.ERROR, message: answer.text.slice(0, 500) });
      span.end(result?.time ?? event.time);
    } else if (!SPAN_KINDS.has(event.kind)) {
      root.addEvent(
        event.kind,
        {
          "studio.event.seq": event.seq,
          "studio.event.preview": event.preview,
          ...(event.name ? { "studio.event.name": event.name } : {}),
        },
        event.time,
      );
    }
  }
  if (run.status === "error")
    root.setStatus({ code: SpanStatusCode.ERROR, message: `${run.errorKind ?? "error"}: ${run.errorMessage ?? ""}` });
  root.end(bounds.end);
  return true;
}

function bodyOf<T>(event: StoredEvent): T | null {
  return event.body && typeof event.body === "object" && !isCut(event.body) ? (event.body as T) : null;
}

function after(time: Date, durationMs: number | null): Date {
  return new Date(time.getTime() + (durationMs ?? 0));
}

/** The run's stored start and end, widened to cover every event (a model call may outlast a timed-out run). */
function timeBounds(run: StoredTaskRun): { start: Date; end: Date } | null {
  let start = run.startedAt?.getTime() ?? Infinity;
  let end = run.finishedAt?.getTime() ?? -Infinity;
  for (const event of run.events) {
    const at = event.time.getTime();
    const from = event.kind === "exec" ? at - (event.durationMs ?? 0) : at;
    const to = event.kind === "exec" ? at : at + (event.durationMs ?? 0);
    start = Math.min(start, from);
    end = Math.max(end, to);
  }
  if (!Number.isFinite(start) || !Number.isFinite(end)) return null;
  return { start: new Date(start), end: new Date(Math.max(start, end)) };
}
