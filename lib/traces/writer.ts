// The one writer of trace events: one multi-row INSERT from a JSON document, the bodies spliced
// in as the JSON text the builder made (never parsed and encoded again). Two callers:
// TaskRunWriter stores finished task runs in batches (the runner), TranscriptWriter appends
// the proposer's transcript as it happens (an iteration).
import { db, type Prisma } from "../db/client.ts";
import type { TraceEventRow, TraceOwner } from "./events.ts";
import type { TaskRunAudit } from "../audit/compute.ts";
import { TRACE_BATCH_LIMIT_BYTES, TRACE_QUEUE_LIMIT_BYTES } from "./limits.ts";

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
  /** Null when a model call was unpriced. */
  costUsd: number | null;
  durationMs: number;
  startedAt: Date;
  finishedAt: Date;
  events: TraceEventRow[];
  /** The harness audit of these events (lib/audit); stored with the run so pages never recompute it. */
  audit?: TaskRunAudit;
}

const BATCH = 64;
const MAX_QUEUED = 256;
/**
 * How long a finished task run may wait for others to share its transaction. Tasks end a few
 * milliseconds apart, so writing each at once meant a transaction (and a WAL flush) per task;
 * a short wait lets one statement carry dozens. Progress is shown every 250 ms anyway.
 */
const GATHER_MS = 40;
/** A batch of large traces is several statements; the default 5 s of an interactive transaction is too short. */
const TRANSACTION_MS = 10 * 60_000;

/** A finished task run as the JSON texts its statements carry, measured in bytes. */
interface QueuedRun {
  id: string;
  row: string;
  events: string[];
  eventBytes: number[];
  bytes: number;
}

export interface TaskRunWriterOptions {
  /** After each batch is stored: how many task runs it held. */
  onWritten?: (count: number) => void;
  /** Before each statement: the bytes of the JSON document it carries (for tests and benches). */
  onStatement?: (bytes: number) => void;
  /** The most JSON bytes per statement (default TRACE_BATCH_LIMIT_BYTES). */
  limitBytes?: number;
}

/**
 * Stores finished task runs in batches: one UPDATE and a few INSERTs per batch, in one
 * transaction, instead of a transaction per task. Batches are bounded by count and by bytes:
 * each statement carries at most `limitBytes` of JSON, so a task run whose events pass it is
 * written alone, its events over several statements (still one transaction). A task run is only
 * written while it is still pending, and its events only with it, so a task run is never counted
 * twice. Lanes do not wait for the write unless too much is queued (by count or bytes).
 */
export class TaskRunWriter {
  private queue: QueuedRun[] = [];
  private queuedBytes = 0;
  private writing: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: unknown = null;
  private readonly onWritten: (count: number) => void;
  private readonly onStatement: (bytes: number) => void;
  private readonly limitBytes: number;

  constructor(options: TaskRunWriterOptions = {}) {
    this.onWritten = options.onWritten ?? (() => {});
    this.onStatement = options.onStatement ?? (() => {});
    this.limitBytes = options.limitBytes ?? TRACE_BATCH_LIMIT_BYTES;
  }

  /** Queues a finished task run; waits only when the queue is long or large (backpressure). */
  async add(run: FinishedTaskRun): Promise<void> {
    if (this.failure) throw this.failure;
    const queued = queuedRun(run);
    this.queue.push(queued);
    this.queuedBytes += queued.bytes;
    if (this.full()) this.kick(false);
    else if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.kick(true), GATHER_MS);
    }
    if (this.queue.length > MAX_QUEUED || this.queuedBytes > TRACE_QUEUE_LIMIT_BYTES) await this.writing;
  }

  /** Writes everything queued; throws if any write failed. */
  async drain(): Promise<void> {
    this.kick(true);
    await this.writing;
    if (this.failure) throw this.failure;
  }

  private full(): boolean {
    return this.queue.length >= BATCH || this.queuedBytes >= this.limitBytes;
  }

  /** Cuts the queue into batches: every full one, or (`all`) everything. */
  private kick(all: boolean): void {
    this.scheduled = false;
    while (this.queue.length && (all || this.full())) {
      const batch = this.nextBatch();
      this.writing = this.writing
        .then(() => this.write(batch))
        .catch((error) => {
          this.failure ??= error;
        });
    }
  }

  /** Up to BATCH task runs whose JSON fits the limit together; at least one, however large. */
  private nextBatch(): QueuedRun[] {
    let bytes = 0;
    let count = 0;
    while (count < this.queue.length && count < BATCH) {
      const next = this.queue[count].bytes;
      if (count > 0 && bytes + next > this.limitBytes) break;
      bytes += next;
      count++;
    }
    this.queuedBytes -= bytes;
    return this.queue.splice(0, count);
  }

  private async write(batch: QueuedRun[]): Promise<void> {
    // One JSON document per statement: serialised natively and taken apart by Postgres,
    // which keeps the studio's event loop (it also serves the model proxy) free.
    const runs = `[${batch.map((run) => run.row).join(",")}]`;
    this.onStatement(Buffer.byteLength(runs));
    await db.$transaction(
      async (tx) => {
        const stored = await tx.$queryRaw<{ id: string }[]>`
        update "TaskRun" as t set
          status = v.status::"TaskRunStatus", output = v.output, score = v.score, "gradeExplanation" = v.explanation,
          "errorKind" = v.error_kind, "errorMessage" = v.error_message, "inputTokens" = v.input_tokens,
          "outputTokens" = v.output_tokens, "costUsd" = v.cost, "durationMs" = v.duration, "eventCount" = v.events,
          "startedAt" = v.started_at, "finishedAt" = v.finished_at, audit = v.audit
        from jsonb_to_recordset(${runs}::jsonb) as v(id text, status text, output jsonb, score float8, explanation text,
          error_kind text, error_message text, input_tokens int, output_tokens int, cost float8, duration int, events int,
          started_at timestamptz, finished_at timestamptz, audit jsonb)
        where t.id = v.id and t.status = 'pending'
        returning t.id`;
        const written = new Set(stored.map((row) => row.id));
        for (const statement of statements(eventsOf(batch.filter((run) => written.has(run.id))), this.limitBytes)) {
          this.onStatement(Buffer.byteLength(statement));
          await insertEvents(tx, statement);
        }
      },
      { timeout: TRANSACTION_MS, maxWait: TRANSACTION_MS },
    );
    this.onWritten(batch.length);
  }
}

function queuedRun(run: FinishedTaskRun): QueuedRun {
  const row = JSON.stringify({
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
    audit: run.audit ?? null,
  });
  const events = run.events.map((event, seq) => eventJson({ taskRunId: run.id }, seq, event));
  const eventBytes = events.map((text) => Buffer.byteLength(text) + 1); // and its comma
  const bytes = Buffer.byteLength(row) + 1 + eventBytes.reduce((sum, size) => sum + size, 0);
  return { id: run.id, row, events, eventBytes, bytes };
}

/** Event texts as JSON arrays of at most `limitBytes` each (an event larger than that alone). */
function* statements(events: Iterable<{ text: string; bytes: number }>, limitBytes: number): Generator<string> {
  let texts: string[] = [];
  let bytes = 2; // the brackets; each event brings its comma
  for (const event of events) {
    if (texts.length && bytes + event.bytes > limitBytes) {
      yield `[${texts.join(",")}]`;
      texts = [];
      bytes = 2;
    }
    texts.push(event.text);
    bytes += event.bytes;
  }
  if (texts.length) yield `[${texts.join(",")}]`;
}

function* eventsOf(runs: QueuedRun[]): Generator<{ text: string; bytes: number }> {
  for (const run of runs) {
    for (let index = 0; index < run.events.length; index++) {
      yield { text: run.events[index], bytes: run.eventBytes[index] };
    }
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
      .then(async () => {
        if (this.failure) return;
        const texts = batch.map((row, index) => eventJson(this.owner, first + index, row));
        const events = texts.map((text) => ({ text, bytes: Buffer.byteLength(text) + 1 }));
        // Statements in order: a reader of the transcript sees it grow, never with a gap.
        for (const statement of statements(events, TRACE_BATCH_LIMIT_BYTES)) await insertEvents(db, statement);
      })
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
