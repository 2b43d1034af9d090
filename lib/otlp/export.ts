// Exports evaluations' traces over OTLP/HTTP: on demand (`studio export --otlp`, the button on
// the evaluation) and after each evaluation when an endpoint is configured. A failed export is
// recorded on the evaluation, never thrown into the run: the evaluation stays as it finished.
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { readSettings } from "../projects/settings.ts";
import { NOT_CONFIGURED, resolveOtlpConfig, type OtlpConfig } from "./config.ts";
import { openSpanSink } from "./exporter.ts";
import { loadEvaluationHead, storedTaskRuns, type EvaluationHead } from "./load.ts";
import { taskRunSpans } from "./spans.ts";
import { recordOtlpExport } from "./status.ts";

export interface OtlpExportResult {
  evaluationId: string;
  status: "exported" | "failed";
  /** Task runs sent (one trace each). */
  traces: number;
  spans: number;
  url: string;
  protocol: string;
  error: string | null;
}

type Env = Record<string, string | undefined>;

/**
 * Exports one evaluation's task runs and records the outcome on it. Refuses (throws) only when
 * there is no such evaluation or no endpoint; a receiver that fails is a `failed` result.
 */
export async function exportEvaluation(evaluationId: string, env: Env = process.env): Promise<OtlpExportResult> {
  const head = await loadEvaluationHead(evaluationId);
  if (!head) throw new StudioError(`No evaluation ${evaluationId}.`, { code: "not_found" });
  if (head.status === "queued" || head.status === "running")
    throw new StudioError(`Evaluation ${evaluationId} is ${head.status}; export it once it has finished.`, {
      code: "conflict",
    });
  const config = resolveOtlpConfig(readSettings(head.candidate.project.settings), env);
  if (!config) throw new StudioError(NOT_CONFIGURED);
  return sendEvaluation(head, config);
}

/**
 * After an evaluation finishes: exports it when an endpoint is configured. Never throws; what
 * went wrong (a bad setting too) is recorded on the evaluation.
 */
export async function exportAfterEvaluation(evaluationId: string, env: Env = process.env): Promise<void> {
  try {
    const head = await loadEvaluationHead(evaluationId);
    if (!head) return;
    let config: OtlpConfig | null;
    try {
      config = resolveOtlpConfig(readSettings(head.candidate.project.settings), env);
    } catch (error) {
      await recordOtlpExport(evaluationId, { status: "failed", error: messageOf(error), spans: 0, at: new Date() });
      return;
    }
    if (config) await sendEvaluation(head, config);
  } catch (error) {
    // The run is over and stored; an export problem is only worth a line in the worker's log.
    console.error(`[studio] OTLP export of evaluation ${evaluationId}: ${messageOf(error)}`);
  }
}

/** The finished evaluations of a project (or of one iteration's candidates), oldest first. */
export async function exportableEvaluations(projectId: string, iteration?: number): Promise<string[]> {
  const project = await db.project.findUnique({ where: { id: projectId }, select: { id: true } });
  if (!project) throw new StudioError(`No project ${projectId}.`, { code: "not_found" });
  const rows = await db.evaluation.findMany({
    where: {
      candidate: { projectId, ...(iteration === undefined ? {} : { iterationNumber: iteration }) },
      status: { in: ["done", "failed", "cancelled"] },
    },
    orderBy: { createdAt: "asc" },
    select: { id: true },
  });
  return rows.map((row) => row.id);
}

async function sendEvaluation(head: EvaluationHead, config: OtlpConfig): Promise<OtlpExportResult> {
  const project = head.candidate.project;
  const sink = openSpanSink(config, {
    "service.name": "harness-studio",
    "studio.project.id": project.id,
    "studio.project.name": project.name,
    // Phoenix files the traces under a project of this name.
    "openinference.project.name": project.name,
  });
  let traces = 0;
  let error: string | null = null;
  try {
    for await (const run of storedTaskRuns(head)) {
      if (taskRunSpans(sink.tracer, sink.ids, run)) traces++;
      if (sink.full()) await sink.send();
    }
    await sink.send();
  } catch (caught) {
    error = messageOf(caught);
  } finally {
    await sink.close();
  }
  const spans = sink.sent;
  const status = error ? "failed" : "exported";
  await recordOtlpExport(head.id, { status, error, spans, at: new Date() });
  return { evaluationId: head.id, status, traces, spans, url: config.url, protocol: config.protocol, error };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
