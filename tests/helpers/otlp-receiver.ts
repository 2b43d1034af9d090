// A real OTLP/HTTP trace receiver on loopback for tests: it takes POST /v1/traces as
// http/protobuf or http/json, decodes both into one shape (protobuf by its wire format, read
// field by field here, independently of the exporter's encoder), and keeps every request.
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface ReceivedSpan {
  traceId: string;
  spanId: string;
  /** "" for a root span. */
  parentSpanId: string;
  name: string;
  kind: number;
  startNs: bigint;
  endNs: bigint;
  attributes: Record<string, unknown>;
  events: { name: string; timeNs: bigint; attributes: Record<string, unknown> }[];
  status: { code: number; message: string };
  resource: Record<string, unknown>;
}

export interface ReceivedRequest {
  path: string;
  contentType: string;
  headers: http.IncomingHttpHeaders;
  spans: ReceivedSpan[];
}

export interface OtlpReceiver {
  /** The base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT takes it. */
  endpoint: string;
  requests: ReceivedRequest[];
  spans(): ReceivedSpan[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const requests: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const contentType = String(req.headers["content-type"] ?? "");
      try {
        if (req.method !== "POST" || req.url !== "/v1/traces") throw new Error(`unexpected ${req.method} ${req.url}`);
        const spans = contentType.includes("json") ? fromJson(JSON.parse(body.toString("utf8"))) : fromProtobuf(body);
        requests.push({ path: req.url, contentType, headers: req.headers, spans });
        res.writeHead(200, { "content-type": contentType.includes("json") ? "application/json" : contentType });
        res.end(contentType.includes("json") ? "{}" : undefined);
      } catch (error) {
        res.writeHead(400, { "content-type": "text/plain" });
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    spans: () => requests.flatMap((request) => request.spans),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// --- http/json -------------------------------------------------------------------------------

type JsonAny = Record<string, unknown>;

function fromJson(request: { resourceSpans?: JsonAny[] }): ReceivedSpan[] {
  return (request.resourceSpans ?? []).flatMap((rs) => {
    const resource = jsonAttributes(((rs.resource as JsonAny) ?? {}).attributes as JsonAny[]);
    return ((rs.scopeSpans as JsonAny[]) ?? []).flatMap((ss) =>
      ((ss.spans as JsonAny[]) ?? []).map((span) => ({
        traceId: String(span.traceId ?? ""),
        spanId: String(span.spanId ?? ""),
        parentSpanId: String(span.parentSpanId ?? ""),
        name: String(span.name),
        kind: Number(span.kind ?? 0),
        startNs: BigInt(span.startTimeUnixNano as string),
        endNs: BigInt(span.endTimeUnixNano as string),
        attributes: jsonAttributes(span.attributes as JsonAny[]),
        events: ((span.events as JsonAny[]) ?? []).map((event) => ({
          name: String(event.name),
          timeNs: BigInt(event.timeUnixNano as string),
          attributes: jsonAttributes(event.attributes as JsonAny[]),
        })),
        status: {
          code: Number((span.status as JsonAny)?.code ?? 0),
          message: String((span.status as JsonAny)?.message ?? ""),
        },
        resource,
      })),
    );
  });
}

function jsonAttributes(list: JsonAny[] | undefined): Record<string, unknown> {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key as string, jsonValue(kv.value as JsonAny)]));
}

function jsonValue(value: JsonAny | undefined): unknown {
  if (!value) return undefined;
  if ("stringValue" in value) return value.stringValue;
  if ("boolValue" in value) return value.boolValue;
  if ("intValue" in value) return Number(value.intValue);
  if ("doubleValue" in value) return Number(value.doubleValue);
  if ("arrayValue" in value)
    return (((value.arrayValue as JsonAny).values as JsonAny[]) ?? []).map((item) => jsonValue(item));
  return undefined;
}

// --- http/protobuf: the wire format, and the OTLP trace messages' field numbers -------------

type Field = { no: number; wire: number; varint?: bigint; bytes?: Buffer; fixed?: Buffer };

function fields(buffer: Buffer): Field[] {
  const out: Field[] = [];
  let at = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[at++];
      result |= BigInt(byte & 0x7f) << shift;
      if (!(byte & 0x80)) return result;
      shift += 7n;
    }
  };
  while (at < buffer.length) {
    const key = Number(varint());
    const no = key >>> 3;
    const wire = key & 7;
    if (wire === 0) out.push({ no, wire, varint: varint() });
    else if (wire === 1) out.push({ no, wire, fixed: buffer.subarray(at, (at += 8)) });
    else if (wire === 5) out.push({ no, wire, fixed: buffer.subarray(at, (at += 4)) });
    else if (wire === 2) {
      const length = Number(varint());
      out.push({ no, wire, bytes: buffer.subarray(at, (at += length)) });
    } else throw new Error(`protobuf wire type ${wire} not expected`);
  }
  return out;
}

const all = (list: Field[], no: number) => list.filter((field) => field.no === no);
const one = (list: Field[], no: number) => list.find((field) => field.no === no);
const text = (field?: Field) => field?.bytes?.toString("utf8") ?? "";
const hexOf = (field?: Field) => field?.bytes?.toString("hex") ?? "";
const fixed64 = (field?: Field) => field?.fixed?.readBigUInt64LE(0) ?? 0n;

function fromProtobuf(body: Buffer): ReceivedSpan[] {
  // ExportTraceServiceRequest { 1: ResourceSpans }
  return all(fields(body), 1).flatMap((resourceSpans) => {
    const rs = fields(resourceSpans.bytes!);
    // ResourceSpans { 1: Resource { 1: KeyValue }, 2: ScopeSpans { 1: scope, 2: Span } }
    const resourceField = one(rs, 1);
    const resource = resourceField ? protoAttributes(all(fields(resourceField.bytes!), 1)) : {};
    return all(rs, 2).flatMap((scopeSpans) =>
      all(fields(scopeSpans.bytes!), 2).map((spanField) => {
        const span = fields(spanField.bytes!);
        const status = one(span, 15) ? fields(one(span, 15)!.bytes!) : [];
        return {
          traceId: hexOf(one(span, 1)),
          spanId: hexOf(one(span, 2)),
          parentSpanId: hexOf(one(span, 4)),
          name: text(one(span, 5)),
          kind: Number(one(span, 6)?.varint ?? 0n),
          startNs: fixed64(one(span, 7)),
          endNs: fixed64(one(span, 8)),
          attributes: protoAttributes(all(span, 9)),
          // Event { 1: time_unix_nano, 2: name, 3: KeyValue }
          events: all(span, 11).map((eventField) => {
            const event = fields(eventField.bytes!);
            return {
              name: text(one(event, 2)),
              timeNs: fixed64(one(event, 1)),
              attributes: protoAttributes(all(event, 3)),
            };
          }),
          // Status { 2: message, 3: code }
          status: { code: Number(one(status, 3)?.varint ?? 0n), message: text(one(status, 2)) },
          resource,
        };
      }),
    );
  });
}

/** KeyValue { 1: key, 2: AnyValue } */
function protoAttributes(list: Field[]): Record<string, unknown> {
  return Object.fromEntries(
    list.map((kvField) => {
      const kv = fields(kvField.bytes!);
      const value = one(kv, 2);
      return [text(one(kv, 1)), value ? protoValue(fields(value.bytes!)) : undefined];
    }),
  );
}

/** AnyValue { 1: string, 2: bool, 3: int64, 4: double, 5: ArrayValue { 1: AnyValue } } */
function protoValue(value: Field[]): unknown {
  const field = value[0];
  if (!field) return undefined;
  switch (field.no) {
    case 1:
      return text(field);
    case 2:
      return field.varint === 1n;
    case 3:
      return Number(BigInt.asIntN(64, field.varint!));
    case 4:
      return field.fixed!.readDoubleLE(0);
    case 5:
      return all(fields(field.bytes!), 1).map((item) => protoValue(fields(item.bytes!)));
    default:
      return undefined;
  }
}
