// The span sink's requests: at most 256 spans, and about 4 MiB of attribute text, a request;
// everything sent arrives, in order, and a receiver's refusal is an error naming the URL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOtlpReceiver, type OtlpReceiver } from "../../helpers/otlp-receiver.ts";
import { openSpanSink } from "../../../lib/otlp/exporter.ts";
import { tracesUrl } from "../../../lib/otlp/config.ts";

let receiver: OtlpReceiver;
beforeAll(async () => {
  receiver = await startOtlpReceiver();
});
afterAll(() => receiver.close());

function spans(count: number, text = "") {
  const sink = openSpanSink(
    { url: tracesUrl(receiver.endpoint), protocol: "http/protobuf", headers: {}, source: "project" },
    { "service.name": "test" },
  );
  for (let i = 0; i < count; i++) {
    sink.ids.next = { traceId: "a".repeat(32), spanId: i.toString(16).padStart(16, "0") };
    sink.tracer
      .startSpan(`s${i}`, { startTime: new Date(1_000 + i), attributes: { "input.value": text } })
      .end(new Date(2_000 + i));
  }
  return sink;
}

describe("span sink", () => {
  it("sends 600 small spans in three requests of at most 256", async () => {
    receiver.requests.length = 0;
    const sink = spans(600);
    expect(sink.full()).toBe(true);
    await sink.send();
    await sink.close();
    expect(sink.sent).toBe(600);
    expect(receiver.requests.map((request) => request.spans.length)).toEqual([256, 256, 88]);
    expect(receiver.spans().map((span) => span.name)).toEqual(Array.from({ length: 600 }, (_, i) => `s${i}`));
  });

  it("keeps a request under about 4 MiB of attribute text", async () => {
    receiver.requests.length = 0;
    const sink = spans(5, "x".repeat(1_500_000));
    await sink.send();
    await sink.close();
    expect(receiver.requests.map((request) => request.spans.length)).toEqual([2, 2, 1]);
    expect(receiver.spans()[0].attributes["input.value"]).toHaveLength(1_500_000);
  });
});
