// The one writer of trace events: one multi-row INSERT from a JSON document, the bodies spliced
// in as the JSON text the builder made (never parsed and encoded again). Two callers:
// TaskRunWriter stores finished task runs in batches (the runner), TranscriptWriter appends
// the proposer's transcript as it happens (an iteration).
import { db, type Prisma } from "../db/client.ts";
import type { TraceEventRow, TraceOwner } from "./events.ts";

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
/**
 * How long a finished task run may wait for others to share its transaction. Tasks end a few
 * milliseconds apart, so writing each at once meant a transaction (and a WAL flush) per task;
 * a short wait lets one statement carry dozens. Progress is shown every 250 ms anyway.
 */
const GATHER_MS = 40;

/**
 * Stores finished task runs in batches: one UPDATE and one INSERT per batch, in one transaction,
 * instead of a transaction per task. A task run is only written while it is still pending, and
 * its events only with it, so a task run is never counted twice. Lanes do not wait for the
 * write unless too much is queued.
 */
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
      setTimeout(() => this.kick(), GATHER_MS);
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
    this.writing = this.writing
      .then(() => this.write(batch))
      .catch((error) => {
        this.failure ??= error;
      });
  }

  private async write(batch: FinishedTaskRun[]): Promise<void> {
    // One JSON document per statement: serialised natively and taken apart by Postgres,
    // which keeps the studio's event loop (it also serves the model proxy) free.
    const runs = JSON.stringify(
      batch.map((run) => ({
        id: run.id,
        status: run.status,
        output: run.output,
        score: run.score,
        explanation: run.gradeExplanation,
        error_kind: run.errorKind,
        error_message: run.errorMessage,
        input_tokens: run.inputTokens,
        output_tokens: run.outputTokens,
        cost: run.costUsd,
        duration: Math.round(run.durationMs),
        events: run.events.length,
        started_at: run.startedAt,
        finished_at: run.finishedAt,
      })),
    );
    await db.$transaction(async (tx) => {
      const stored = await tx.$queryRaw<{ id: string }[]>`
        update "TaskRun" as t set
          status = v.status::"TaskRunStatus", output = v.output, score = v.score, "gradeExplanation" = v.explanation,
          "errorKind" = v.error_kind, "errorMessage" = v.error_message, "inputTokens" = v.input_tokens,
          "outputTokens" = v.output_tokens, "costUsd" = v.cost, "durationMs" = v.duration, "eventCount" = v.events,
          "startedAt" = v.started_at, "finishedAt" = v.finished_at
        from jsonb_to_recordset(${runs}::jsonb) as v(id text, status text, output jsonb, score float8, explanation text,
          error_kind text, error_message text, input_tokens int, output_tokens int, cost float8, duration int, events int,
          started_at timestamptz, finished_at timestamptz)
        where t.id = v.id and t.status = 'pending'
        returning t.id`;
      const written = new Set(stored.map((row) => row.id));
      const events = batch
        .filter((run) => written.has(run.id))
        .flatMap((run) => run.events.map((row, seq) => eventJson({ taskRunId: run.id }, seq, row)));
      if (events.length) await insertEvents(tx, `[${events.join(",")}]`);
    });
    this.onWritten(batch.length);
  }
}

/**
 * Appends events to one owner's trace as they happen (an iteration's transcript): kept in
 * memory for up to `intervalMs`, then stored in order. `close()` stores the rest and throws if
 * any write failed.
 */
export class TranscriptWriter {
  private pending: TraceEventRow[] = [];
  private writing: Promise<void> = Promise.resolve();
  private failure: unknown = null;
  private readonly timer: NodeJS.Timeout;

  private constructor(
    private readonly owner: TraceOwner,
    private seq: number,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => this.flush(), intervalMs);
  }

  /** Continues after the owner's last stored event (a resumed iteration keeps its earlier transcript). */
  static async open(owner: TraceOwner, intervalMs = 1_000): Promise<TranscriptWriter> {
    const last = await db.traceEvent.aggregate({ where: { ...owner }, _max: { seq: true } });
    return new TranscriptWriter(owner, (last._max.seq ?? -1) + 1, intervalMs);
  }

  add(row: TraceEventRow): void {
    this.pending.push(row);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    this.flush();
    await this.writing;
    if (this.failure) throw this.failure;
  }

  private flush(): void {
    const batch = this.pending;
    this.pending = [];
    if (!batch.length) return;
    const first = this.seq;
    this.seq += batch.length;
    this.writing = this.writing
      .then(() =>
        this.failure
          ? undefined
          : insertEvents(db, `[${batch.map((row, index) => eventJson(this.owner, first + index, row)).join(",")}]`),
      )
      .catch((error) => {
        this.failure ??= error;
      });
  }
}

/** A trace event as JSON text; the body is already JSON, so it is spliced in, not re-encoded. */
export function eventJson(owner: TraceOwner, seq: number, row: TraceEventRow): string {
  const { bodyJson, ...fields } = row;
  const head = JSON.stringify({ ...fields, ...owner, seq });
  return `${head.slice(0, -1)},"body":${bodyJson}}`;
}

/** Stores trace events given as a JSON array of `eventJson` texts (also used by scripts/bench-ui.ts to seed). */
export async function insertEvents(tx: Prisma.TransactionClient, events: string): Promise<void> {
  await tx.$executeRaw`
    insert into "TraceEvent" ("taskRunId", "iterationId", seq, kind, time, "durationMs", name,
      gen_ai_system, gen_ai_operation_name, gen_ai_request_model, gen_ai_response_model, gen_ai_response_id,
      gen_ai_response_finish_reasons, gen_ai_usage_input_tokens, gen_ai_usage_output_tokens, "costUsd",
      preview, body, "bodyBytes", truncated)
    select v."taskRunId", v."iterationId", v.seq, v.kind, coalesce(v.time, now()), v."durationMs", v.name,
      v."genAiSystem", v."genAiOperationName", v."genAiRequestModel", v."genAiResponseModel", v."genAiResponseId",
      coalesce(v."genAiResponseFinishReasons", '{}'), v."genAiUsageInputTokens", v."genAiUsageOutputTokens", v."costUsd",
      coalesce(v.preview, ''), v.body, coalesce(v."bodyBytes", 0), coalesce(v.truncated, false)
    from jsonb_to_recordset(${events}::jsonb) as v("taskRunId" text, "iterationId" text, seq int, kind text, time timestamptz, "durationMs" int, name text,
      "genAiSystem" text, "genAiOperationName" text, "genAiRequestModel" text, "genAiResponseModel" text, "genAiResponseId" text,
      "genAiResponseFinishReasons" text[], "genAiUsageInputTokens" int, "genAiUsageOutputTokens" int, "costUsd" float8,
      preview text, body jsonb, "bodyBytes" int, truncated bool)`;
}
