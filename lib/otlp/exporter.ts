// The SDK pieces of one export: a tracer provider whose processor keeps the ended spans, and
// the OTLP/HTTP exporter of the configured protocol, sent to batch by batch so a failure is
// known (the SDK's batch processor would only log it).
import { ExportResultCode } from "@opentelemetry/core";
import { OTLPTraceExporter as JsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BasicTracerProvider,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import type { Tracer } from "@opentelemetry/api";
import type { OtlpConfig } from "./config.ts";
import { KeyedIds } from "./ids.ts";

/** At most this many spans per OTLP request… */
export const SPANS_PER_REQUEST = 256;
/** …and about this much attribute text: receivers cap a request's size (whole model requests are attributes). */
export const BYTES_PER_REQUEST = 4 * 1024 * 1024;

/** Keeps every ended span until the export takes them, with a guess at its size. */
class KeptSpans implements SpanProcessor {
  spans: { span: ReadableSpan; bytes: number }[] = [];
  bytes = 0;
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    let bytes = 200;
    for (const [key, value] of Object.entries(span.attributes))
      bytes += key.length + (typeof value === "string" ? value.length : 16);
    this.spans.push({ span, bytes });
    this.bytes += bytes;
  }
  /** The kept spans in batches of at most SPANS_PER_REQUEST and about BYTES_PER_REQUEST (a larger span goes alone). */
  take(): ReadableSpan[][] {
    const batches: ReadableSpan[][] = [];
    let batch: ReadableSpan[] = [];
    let bytes = 0;
    for (const kept of this.spans) {
      if (batch.length && (batch.length >= SPANS_PER_REQUEST || bytes + kept.bytes > BYTES_PER_REQUEST)) {
        batches.push(batch);
        batch = [];
        bytes = 0;
      }
      batch.push(kept.span);
      bytes += kept.bytes;
    }
    if (batch.length) batches.push(batch);
    this.spans = [];
    this.bytes = 0;
    return batches;
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export interface SpanSink {
  tracer: Tracer;
  ids: KeyedIds;
  /** Whether the spans made and not yet sent fill a request. */
  full(): boolean;
  /** Spans the receiver took so far. */
  sent: number;
  /** Sends the spans made so far; throws with the receiver's answer when it refuses them or cannot be reached. */
  send(): Promise<void>;
  close(): Promise<void>;
}

export function openSpanSink(config: OtlpConfig, resource: Record<string, string>): SpanSink {
  const kept = new KeptSpans();
  const ids = new KeyedIds();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes(resource),
    idGenerator: ids,
    spanProcessors: [kept],
    // Messages and tool lists flatten to many attributes, and the record is sent whole.
    spanLimits: { attributeCountLimit: 100_000, eventCountLimit: 100_000, attributePerEventCountLimit: 128 },
  });
  const exporter = makeExporter(config);
  return {
    tracer: provider.getTracer("harness-studio"),
    ids,
    full: () => kept.spans.length >= SPANS_PER_REQUEST || kept.bytes >= BYTES_PER_REQUEST,
    sent: 0,
    async send() {
      for (const batch of kept.take()) {
        await exportBatch(exporter, batch, config.url);
        this.sent += batch.length;
      }
    },
    async close() {
      await exporter.shutdown().catch(() => {});
      await provider.shutdown().catch(() => {});
    },
  };
}

function makeExporter(config: OtlpConfig): SpanExporter {
  const options = { url: config.url, headers: config.headers };
  return config.protocol === "http/json" ? new JsonExporter(options) : new ProtobufExporter(options);
}

function exportBatch(exporter: SpanExporter, spans: ReadableSpan[], url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    exporter.export(spans, (result) => {
      if (result.code === ExportResultCode.SUCCESS) resolve();
      else reject(new Error(`OTLP export to ${url} failed: ${describe(result.error)}`));
    });
  });
}

/** The exporter's errors carry the HTTP status and the receiver's answer in different places. */
function describe(error: unknown): string {
  if (!error) return "no reason given";
  const e = error as {
    message?: string;
    code?: number | string;
    data?: string;
    cause?: { code?: string; message?: string };
  };
  const parts = [e.message || String(error)];
  if (e.cause?.code && !parts[0].includes(e.cause.code)) parts.push(e.cause.code);
  if (typeof e.data === "string" && e.data.trim()) parts.push(e.data.trim().slice(0, 300));
  return parts.join(": ");
}
