// OTLP export end to end: an evaluation runs against the fake Anthropic server, then its traces
// reach a real OTLP/HTTP receiver on loopback (protobuf and JSON), one trace per task run, with
// the recorded times and the gen_ai.* and OpenInference attributes; a receiver that is down
// leaves the evaluation finished, with the export's error stored on it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { db, disconnectDb } from "../helpers/db.ts";
import { startFakeAnthropic, type FakeAnthropic } from "../fakes/anthropic-server.ts";
import { startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from "../helpers/otlp-receiver.ts";
import { refusedPort } from "../helpers/refused-port.ts";
import { runCli, studioEnv } from "../helpers/studio.ts";
import { createProject } from "../../lib/projects/create.ts";
import { prepareEvaluation, runEvaluation } from "../../lib/evaluations/run.ts";
import { exportEvaluation } from "../../lib/otlp/export.ts";

const HARNESS = `
const tools = [{ name: "lookup", description: "Looks a sum up", input_schema: { type: "object", properties: { q: { type: "string" } } } }];
export default {
  async run(task, ctx) {
    const question = { role: "user", content: "What is " + task.input.a + "+" + task.input.b + "?" };
    const first = await ctx.model.messages.create({ model: "claude-sonnet-4-5", max_tokens: 100, system: "You add numbers.", tools, messages: [question] });
    const call = first.content.find((block) => block.type === "tool_use");
    const shell = await ctx.exec("sleep 0.05; echo looked-up");
    const second = await ctx.model.messages.create({
      model: "claude-sonnet-4-5", max_tokens: 100, system: "You add numbers.", tools,
      messages: [question, { role: "assistant", content: first.content }, { role: "user", content: [{ type: "tool_result", tool_use_id: call.id, content: shell.stdout.trim() }] }],
    });
    return Number(/(\\d+)\\.$/.exec(second.content[0].text)[1]);
  },
};
`;

let fake: FakeAnthropic;
let receiver: OtlpReceiver;
const folders: string[] = [];

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  fake = await startFakeAnthropic({
    respond: (request) => {
      const messages = request.body.messages as { role: string; content: unknown }[];
      const sum = /What is (\d+)\+(\d+)/.exec(JSON.stringify(messages[0]));
      if (messages.length === 1) return { content: [{ type: "tool_use", name: "lookup", input: { q: "sum" } }] };
      return { text: `The answer is ${Number(sum![1]) + Number(sum![2])}.` };
    },
  });
});
afterAll(async () => {
  await fake?.close();
  await receiver?.close();
  await disconnectDb();
  for (const folder of folders) fs.rmSync(folder, { recursive: true, force: true });
});

async function project(otlp: Record<string, string> | null) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-otlp-test-"));
  folders.push(dir);
  fs.mkdirSync(path.join(dir, "suite"));
  fs.writeFileSync(
    path.join(dir, "suite", "suite.json"),
    JSON.stringify({ name: "sums", description: "Adds.", mode: "independent", grader: { type: "numeric" } }),
  );
  const tasks = [0, 1, 2].map((i) => ({ id: `sum-${i}`, input: { a: i, b: 10 }, expected: i + 10, split: "search" }));
  fs.writeFileSync(path.join(dir, "suite", "tasks.jsonl"), tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), HARNESS);
  // The model the harness names, so every call goes where it asks (the proxy points calls at the project's model).
  const created = await createProject({
    suiteDir: path.join(dir, "suite"),
    harnessFile: path.join(dir, "harness.ts"),
    model: "claude-sonnet-4-5",
  });
  if (otlp) await db.project.update({ where: { id: created.projectId }, data: { settings: { otlp } } });
  return created;
}

async function evaluate(candidateId: string) {
  const { evaluationId } = await prepareEvaluation(candidateId, "search");
  return runEvaluation(evaluationId, { upstreamUrl: fake.url, apiKey: "key", concurrency: 2 });
}

const nanos = (date: Date) => BigInt(date.getTime()) * 1_000_000n;

/** Checks every trace against the stored task runs and events: count, parentage, times, attributes. */
async function expectTraces(evaluationId: string, spans: ReceivedSpan[]) {
  const runs = await db.taskRun.findMany({
    where: { evaluationId },
    include: { events: { orderBy: { seq: "asc" } }, task: true },
  });
  expect(runs).toHaveLength(3);
  const byTrace = new Map<string, ReceivedSpan[]>();
  for (const span of spans) byTrace.set(span.traceId, [...(byTrace.get(span.traceId) ?? []), span]);
  expect(byTrace.size).toBe(3);
  for (const run of runs) {
    const roots = spans.filter((span) => span.attributes["studio.task_run.id"] === run.id);
    expect(roots).toHaveLength(1);
    const root = roots[0];
    expect(root.parentSpanId).toBe("");
    expect(root.name).toBe(`task run ${run.task.key}`);
    expect(root.startNs).toBe(nanos(run.startedAt!));
    expect(root.endNs).toBe(nanos(run.finishedAt!));
    expect(root.attributes).toMatchObject({
      "openinference.span.kind": "AGENT",
      "gen_ai.operation.name": "invoke_agent",
      "studio.evaluation.id": evaluationId,
      "session.id": evaluationId,
      "output.value": JSON.stringify(run.output),
    });
    expect(root.events.map((event) => event.name)).toContain("grade");
    expect(root.resource["service.name"]).toBe("harness-studio");
    expect(root.resource["openinference.project.name"]).toBe("sums");

    const children = byTrace.get(root.traceId)!.filter((span) => span !== root);
    const calls = run.events.filter((event) => event.kind === "model_call");
    const execs = run.events.filter((event) => event.kind === "exec");
    expect(calls).toHaveLength(2);
    expect(execs).toHaveLength(1);
    expect(children).toHaveLength(3);
    for (const child of children) expect(child.parentSpanId).toBe(root.spanId);

    const llm = children.filter((span) => span.attributes["openinference.span.kind"] === "LLM");
    expect(llm).toHaveLength(2);
    llm.sort((a, b) => Number(a.startNs - b.startNs));
    calls.forEach((call, i) => {
      const span = llm[i];
      expect(span.name).toBe("chat claude-sonnet-4-5");
      expect(span.kind).toBe(3); // CLIENT
      expect(span.startNs).toBe(nanos(call.time));
      expect(span.endNs).toBe(nanos(call.time) + BigInt(call.durationMs!) * 1_000_000n);
      expect(span.attributes).toMatchObject({
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "anthropic",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.response.model": call.genAiResponseModel,
        "gen_ai.response.finish_reasons": [i === 0 ? "tool_use" : "end_turn"],
        "gen_ai.usage.input_tokens": call.genAiUsageInputTokens,
        "gen_ai.usage.output_tokens": call.genAiUsageOutputTokens,
        "gen_ai.request.max_tokens": 100,
        "llm.model_name": call.genAiResponseModel,
        "llm.token_count.prompt": call.genAiUsageInputTokens,
        "llm.input_messages.0.message.role": "system",
        "llm.input_messages.0.message.content": "You add numbers.",
        "llm.input_messages.1.message.role": "user",
        "llm.output_messages.0.message.role": "assistant",
        "input.mime_type": "application/json",
      });
      const body = call.body as { request: { body: unknown }; response: { body: unknown } };
      expect(JSON.parse(span.attributes["input.value"] as string)).toEqual(body.request.body);
      expect(JSON.parse(span.attributes["output.value"] as string)).toEqual(body.response.body);
      const input = JSON.parse(span.attributes["gen_ai.input.messages"] as string);
      const output = JSON.parse(span.attributes["gen_ai.output.messages"] as string);
      expect(input[0]).toEqual({
        role: "user",
        parts: [{ type: "text", content: `What is ${(run.task.input as { a: number }).a}+10?` }],
      });
      if (i === 0) {
        expect(output[0].parts[0]).toMatchObject({ type: "tool_call", name: "lookup", arguments: { q: "sum" } });
        expect(span.attributes["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe("lookup");
      } else {
        expect(input[2].parts[0]).toMatchObject({ type: "tool_call_response", response: "looked-up" });
        expect(output[0]).toMatchObject({ role: "assistant", finish_reason: "end_turn" });
      }
    });

    const tool = children.find((span) => span.attributes["openinference.span.kind"] === "TOOL")!;
    const exec = execs[0];
    expect(tool.attributes).toMatchObject({
      "gen_ai.operation.name": "execute_tool",
      "gen_ai.tool.name": "exec",
      "input.value": "sleep 0.05; echo looked-up",
      "process.exit.code": 0,
    });
    expect(tool.endNs).toBe(nanos(exec.time));
    expect(tool.startNs).toBe(nanos(exec.time) - BigInt(exec.durationMs!) * 1_000_000n);
    expect(Number(tool.endNs - tool.startNs)).toBeGreaterThanOrEqual(40_000_000);
  }
}

describe("OTLP export", () => {
  it("sends each task run as one trace over http/protobuf after the evaluation, when the project names an endpoint", async () => {
    const created = await project({ endpoint: receiver.endpoint, headers: "x-studio-key=s%20e%20c" });
    receiver.requests.length = 0;
    const summary = await evaluate(created.seedCandidateId);
    expect(summary.status).toBe("done");
    expect(summary.score).toBe(1);

    expect(receiver.requests.length).toBeGreaterThan(0);
    for (const request of receiver.requests) {
      expect(request.contentType).toBe("application/x-protobuf");
      expect(request.headers["x-studio-key"]).toBe("s e c");
    }
    const spans = receiver.spans();
    expect(spans).toHaveLength(3 * 4);
    await expectTraces(summary.evaluationId, spans);

    const evaluation = await db.evaluation.findUniqueOrThrow({ where: { id: summary.evaluationId } });
    expect(evaluation).toMatchObject({
      status: "done",
      otlpExportStatus: "exported",
      otlpExportError: null,
      otlpExportSpans: 12,
    });
    expect(evaluation.otlpExportedAt!.getTime()).toBeGreaterThanOrEqual(evaluation.finishedAt!.getTime());

    // Exported again on demand, over http/json from the standard variables: the same trace and span ids.
    const before = new Set(spans.map((span) => `${span.traceId}/${span.spanId}`));
    await db.project.update({ where: { id: created.projectId }, data: { settings: {} } });
    const json = await startOtlpReceiver();
    try {
      const result = await exportEvaluation(summary.evaluationId, {
        OTEL_EXPORTER_OTLP_ENDPOINT: json.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        OTEL_EXPORTER_OTLP_HEADERS: "authorization=Basic%20cGs6c2s=",
      });
      expect(result).toMatchObject({ status: "exported", traces: 3, spans: 12, protocol: "http/json", error: null });
      expect(result.url).toBe(`${json.endpoint}/v1/traces`);
      for (const request of json.requests) {
        expect(request.contentType).toBe("application/json");
        expect(request.headers.authorization).toBe("Basic cGs6c2s=");
      }
      expect(new Set(json.spans().map((span) => `${span.traceId}/${span.spanId}`))).toEqual(before);
      await expectTraces(summary.evaluationId, json.spans());
    } finally {
      await json.close();
    }
  });

  it("leaves the evaluation finished and records the error when the receiver is down", async () => {
    const port = await refusedPort();
    const created = await project({ endpoint: `http://127.0.0.1:${port}`, protocol: "http/json" });
    const summary = await evaluate(created.seedCandidateId);
    expect(summary.status).toBe("done");
    expect(summary.score).toBe(1);
    const evaluation = await db.evaluation.findUniqueOrThrow({ where: { id: summary.evaluationId } });
    expect(evaluation.status).toBe("done");
    expect(evaluation.otlpExportStatus).toBe("failed");
    expect(evaluation.otlpExportError).toContain(`OTLP export to http://127.0.0.1:${port}/v1/traces failed`);
    expect(evaluation.otlpExportError).toMatch(/ECONNREFUSED/);
    expect(evaluation.otlpExportSpans).toBe(0);
  });

  it("exports nothing after an evaluation when no endpoint is configured, and refuses an export by hand", async () => {
    const created = await project(null);
    const summary = await evaluate(created.seedCandidateId);
    const evaluation = await db.evaluation.findUniqueOrThrow({ where: { id: summary.evaluationId } });
    expect(evaluation.otlpExportStatus).toBeNull();
    await expect(exportEvaluation(summary.evaluationId, {})).rejects.toThrow(/No OTLP endpoint is configured/);
  });

  it("studio export --otlp sends one evaluation, or an iteration's, from the standard variables, and says what is wrong", async () => {
    const created = await project(null);
    const summary = await evaluate(created.seedCandidateId);
    const cli = await startOtlpReceiver();
    try {
      const env = studioEnv({
        DATABASE_URL: inject("databaseUrl"),
        OTEL_EXPORTER_OTLP_ENDPOINT: cli.endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      });
      const one = await runCli(
        ["export", "--project", created.projectId, "--otlp", "--evaluation", summary.evaluationId, "--json"],
        env,
      );
      expect(one.code, one.stderr).toBe(0);
      expect(JSON.parse(one.stdout)).toMatchObject({
        evaluationId: summary.evaluationId,
        status: "exported",
        traces: 3,
        spans: 12,
      });
      await expectTraces(summary.evaluationId, cli.spans());

      // The seed belongs to no iteration: iteration 1 has nothing to send.
      const none = await runCli(["export", "--project", created.projectId, "--otlp", "--iteration", "1"], env);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain(
        `Project ${created.projectId} has no finished evaluation in iteration 1 to export.`,
      );

      const unconfigured = await runCli(
        ["export", "--project", created.projectId, "--otlp"],
        studioEnv({ DATABASE_URL: inject("databaseUrl"), OTEL_EXPORTER_OTLP_ENDPOINT: undefined }),
      );
      expect(unconfigured.code).toBe(1);
      expect(unconfigured.stderr).toContain("No OTLP endpoint is configured");

      const grpc = await runCli(["export", "--project", created.projectId, "--otlp"], {
        ...env,
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      });
      expect(grpc.code).toBe(1);
      expect(grpc.stderr).toContain('OTEL_EXPORTER_OTLP_PROTOCOL is "grpc"');
    } finally {
      await cli.close();
    }
  });
});
