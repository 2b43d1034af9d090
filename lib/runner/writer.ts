// Stores finished task runs in batches: one UPDATE and one multi-row INSERT per batch, in
// one transaction, instead of a transaction per task. A task run is only written while it
// is still pending, and its events only with it, so a task run is never counted twice.
// Lanes do not wait for the write unless too much is queued.
import { db, type Prisma } from "../db/client.ts";
import type { TraceEventRow } from "./trace.ts";

export interface FinishedTaskRun {
  id: string;
  status: "passed" | "failed" | "error";
  output: unknown;
  score: number;
  gradeExplanation: string | null;
  errorKind: string | null;
  errorMessage: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  durationMs: number;
  startedAt: Date;
  finishedAt: Date;
  events: TraceEventRow[];
}

const BATCH = 64;
const MAX_QUEUED = 256;

export class TaskRunWriter {
  private queue: FinishedTaskRun[] = [];
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: unknown = null;

  constructor(private readonly onWritten: (count: number) => void = () => {}) {}

  /** Queues a finished task run; waits only when the queue is long (backpressure). */
  async add(run: FinishedTaskRun): Promise<void> {
    if (this.failure) throw this.failure;
    this.queue.push(run);
    if (this.queue.length >= BATCH) this.kick();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.kick());
    }
    if (this.queue.length > MAX_QUEUED) await this.writing;
  }

  /** Writes everything queued; throws if any write failed. */
  async drain(): Promise<void> {
    while (this.queue.length) this.kick();
    await this.writing;
    if (this.failure) throw this.failure;
  }

  private kick(): void {
    this.scheduled = false;
    if (!this.queue.length) return;
    const batch = this.queue.splice(0, BATCH);
    this.writing = this.writing.then(() => this.write(batch)).catch((error) => {
      this.failure ??= error;
    });
  }

  private async write(batch: FinishedTaskRun[]): Promise<void> {
    const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));
    const column = <T>(pick: (run: FinishedTaskRun) => T) => batch.map(pick);
    await db.$transaction(async (tx) => {
      const stored = await tx.$queryRaw<{ id: string }[]>`
        update "TaskRun" as t set
          status = v.status::"TaskRunStatus",
          output = v.output::jsonb,
          score = v.score,
          "gradeExplanation" = v.explanation,
          "errorKind" = v.error_kind,
          "errorMessage" = v.error_message,
          "inputTokens" = v.input_tokens,
          "outputTokens" = v.output_tokens,
          "costUsd" = v.cost,
          "durationMs" = v.duration,
          "eventCount" = v.events,
          "startedAt" = v.started_at,
          "finishedAt" = v.finished_at
        from unnest(
          ${column((r) => r.id)}::text[], ${column((r) => r.status)}::text[], ${column((r) => json(r.output))}::text[],
          ${column((r) => r.score)}::float8[], ${column((r) => r.gradeExplanation)}::text[], ${column((r) => r.errorKind)}::text[],
          ${column((r) => r.errorMessage)}::text[], ${column((r) => r.inputTokens)}::int[], ${column((r) => r.outputTokens)}::int[],
          ${column((r) => r.costUsd)}::float8[], ${column((r) => Math.round(r.durationMs))}::int[], ${column((r) => r.events.length)}::int[],
          ${column((r) => r.startedAt)}::timestamptz[], ${column((r) => r.finishedAt)}::timestamptz[]
        ) as v(id, status, output, score, explanation, error_kind, error_message, input_tokens, output_tokens, cost, duration, events, started_at, finished_at)
        where t.id = v.id and t.status = 'pending'
        returning t.id`;
      const written = new Set(stored.map((row) => row.id));
      const events = batch.filter((run) => written.has(run.id)).flatMap((run) => run.events.map((row, seq) => ({ row, seq, taskRunId: run.id })));
      if (events.length) await insertEvents(tx, events);
    });
    this.onWritten(batch.length);
  }
}

/**
 * One multi-row INSERT from column arrays: far cheaper than createMany for thousands of rows,
 * and it keeps the event loop (which also serves the model proxy) free.
 */
async function insertEvents(tx: Prisma.TransactionClient, events: { row: TraceEventRow; seq: number; taskRunId: string }[]): Promise<void> {
  const column = <T>(pick: (event: TraceEventRow) => T) => events.map((event) => pick(event.row));
  await tx.$executeRaw`
    insert into "TraceEvent" ("taskRunId", seq, kind, time, "durationMs", name,
      gen_ai_system, gen_ai_operation_name, gen_ai_request_model, gen_ai_response_model, gen_ai_response_id,
      gen_ai_response_finish_reasons, gen_ai_usage_input_tokens, gen_ai_usage_output_tokens, "costUsd",
      preview, body, "bodyBytes", truncated)
    select v."taskRunId", v.seq, v.kind, v.time, v."durationMs", v.name,
      v.system, v.operation, v.request_model, v.response_model, v.response_id,
      coalesce(string_to_array(nullif(v.finish_reasons, ''), E'\\x1f'), '{}'), v.input_tokens, v.output_tokens, v.cost,
      v.preview, v.body::jsonb, v.body_bytes, v.truncated
    from unnest(
      ${events.map((event) => event.taskRunId)}::text[], ${events.map((event) => event.seq)}::int[],
      ${column((row) => row.kind)}::text[], ${column((row) => row.time ?? new Date())}::timestamptz[],
      ${column((row) => row.durationMs ?? null)}::int[], ${column((row) => row.name ?? null)}::text[],
      ${column((row) => row.genAiSystem ?? null)}::text[], ${column((row) => row.genAiOperationName ?? null)}::text[],
      ${column((row) => row.genAiRequestModel ?? null)}::text[], ${column((row) => row.genAiResponseModel ?? null)}::text[],
      ${column((row) => row.genAiResponseId ?? null)}::text[],
      ${column((row) => ((row.genAiResponseFinishReasons as string[] | undefined) ?? []).join("\u001f"))}::text[],
      ${column((row) => row.genAiUsageInputTokens ?? null)}::int[], ${column((row) => row.genAiUsageOutputTokens ?? null)}::int[],
      ${column((row) => row.costUsd ?? null)}::float8[], ${column((row) => row.preview ?? "")}::text[],
      ${column((row) => row.bodyJson)}::text[],
      ${column((row) => row.bodyBytes ?? 0)}::int[], ${column((row) => row.truncated ?? false)}::bool[]
    ) as v("taskRunId", seq, kind, time, "durationMs", name, system, operation, request_model, response_model, response_id,
      finish_reasons, input_tokens, output_tokens, cost, preview, body, body_bytes, truncated)`;
}
