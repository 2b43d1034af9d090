// A `summary`-mode iteration's first step (the feedback ablation): each task run the workspace
// shows gets a short summary of its raw trace, written by the proposer model, once. Summaries are
// kept per task run (TraceSummary), so a later build or iteration makes no new call for them.
// The calls are the proposer's spending: they go through the iteration's recording proxy with the
// iteration's credential (recorded in its transcript, priced, held to the proposer's budgets) and
// are added to the iteration's proposer tokens and cost. Offline, the offline model writes them.
import Anthropic from "@anthropic-ai/sdk";
import { db, type FeedbackMode } from "../db/client.ts";
import type { RunOptions } from "../evaluations/run.ts";
import type { ProjectSettings } from "../projects/settings.ts";
import { MODEL_REQUEST_TIMEOUT_MS } from "../proposer/limits.ts";
import { costUsd } from "../runner/proxy/prices.ts";
import { noteEvent } from "../traces/build.ts";
import { exportLine } from "../traces/export.ts";
import { TranscriptWriter } from "../traces/writer.ts";
import { buildWorkspace } from "../workspace/build.ts";
import { loadLatestSearchEvaluations, loadTaskRuns, type TaskRunInfo } from "../workspace/data.ts";
import { openProposerLine } from "./proposer-proxy.ts";

/** The system prompt; the offline model recognises its first sentence (lib/offline/summary.ts). */
export const SUMMARY_SYSTEM = [
  "Summarize the raw trace of one task run of an LLM harness, for an engineer who will improve the harness",
  "without seeing the trace. In at most 8 short lines: what the harness asked the model, what came back, what",
  "the harness returned, how it was graded, and the most likely reason it failed (if it did). Plain text.",
].join(" ");
/** Trace text sent per summary; past it the middle is cut, with a marker (the start and the grade at the end stay). */
export const SUMMARY_TRACE_CHARS = 120_000;
const SUMMARY_MAX_TOKENS = 600;
/** Summary calls in flight at once. */
const SUMMARY_CONCURRENCY = 6;

export interface SummarizeSpec {
  iteration: { id: string; projectId: string; simulated: boolean };
  model: string;
  settings: ProjectSettings;
  run: RunOptions;
}

/** Summaries made, and why it stopped short (a budget, an API error), if it did. */
export async function summarizeTraces(spec: SummarizeSpec): Promise<{ made: number; stopped: string | null }> {
  const missing = await unsummarized(spec.iteration.projectId);
  if (missing.length === 0) return { made: 0, stopped: null };
  const transcript = await TranscriptWriter.open({ iterationId: spec.iteration.id });
  const line = await openProposerLine("claude", { ...spec, record: (event) => transcript.add(event) });
  const client = new Anthropic({
    baseURL: line.client.baseURL,
    apiKey: line.client.apiKey,
    defaultHeaders: { "x-api-key": line.client.apiKey },
    maxRetries: 2,
    timeout: MODEL_REQUEST_TIMEOUT_MS,
  });
  transcript.add(
    noteEvent(`summary mode: summarizing ${missing.length} task run trace${missing.length === 1 ? "" : "s"}`),
  );
  let made = 0;
  let stopped: string | null = null;
  let next = 0;
  // A few calls at a time: hundreds of task runs, one at a time, would take a real model an hour.
  const lane = async () => {
    while (stopped === null && !spec.run.signal?.aborted && next < missing.length) {
      const run = missing[next++];
      try {
        await summarizeOne(client, run, spec);
        made++;
      } catch (error) {
        if (spec.run.signal?.aborted) return;
        stopped ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(SUMMARY_CONCURRENCY, missing.length) }, lane));
    if (stopped) transcript.add(noteEvent(`summary mode: stopped after ${made} summaries: ${stopped}`));
  } finally {
    const figures = await line.finish({
      proposals: [],
      filesRead: [],
      inputTokens: 0,
      outputTokens: 0,
      costUsd: 0,
      stopReason: "done",
    });
    await transcript.close();
    await db.iteration.update({
      where: { id: spec.iteration.id },
      data: {
        inputTokens: { increment: figures.inputTokens },
        outputTokens: { increment: figures.outputTokens },
        costUsd: figures.costUsd === null ? null : { increment: figures.costUsd },
      },
    });
  }
  return { made, stopped };
}

/** One summary, stored with what its call spent. */
async function summarizeOne(client: Anthropic, run: TaskRunInfo, spec: SummarizeSpec): Promise<void> {
  // A signal per call, linked to the run's: the SDK leaves a listener on the signal it is given.
  const call = new AbortController();
  const abort = () => call.abort();
  spec.run.signal?.addEventListener("abort", abort, { once: true });
  try {
    const response = await client.messages.create(
      {
        model: spec.model,
        max_tokens: SUMMARY_MAX_TOKENS,
        system: SUMMARY_SYSTEM,
        messages: [{ role: "user", content: await request(run) }],
      },
      { signal: call.signal },
    );
    const text = response.content.flatMap((block) => (block.type === "text" ? [block.text] : [])).join("\n");
    const { usage } = response;
    const cost = costUsd(spec.model, {
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens ?? undefined,
      cache_creation_input_tokens: usage.cache_creation_input_tokens ?? undefined,
    });
    await db.traceSummary.create({
      data: {
        taskRunId: run.id,
        iterationId: spec.iteration.id,
        text,
        model: spec.model,
        inputTokens:
          usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0),
        outputTokens: usage.output_tokens,
        costUsd: cost.priced ? cost.usd : null,
        simulated: spec.iteration.simulated,
      },
    });
  } finally {
    spec.run.signal?.removeEventListener("abort", abort);
  }
}

/** The search task runs the workspace shows (each candidate's newest finished search evaluation) with no summary yet. */
async function unsummarized(projectId: string): Promise<TaskRunInfo[]> {
  const evaluations = await loadLatestSearchEvaluations(projectId);
  const runs = await loadTaskRuns(evaluations.map((evaluation) => evaluation.id));
  const done = new Set(
    (
      await db.traceSummary.findMany({
        where: { taskRunId: { in: runs.map((run) => run.id) } },
        select: { taskRunId: true },
      })
    ).map((row) => row.taskRunId),
  );
  return runs.filter((run) => !done.has(run.id)).sort((a, b) => a.position - b.position);
}

/** The user message: the task run's facts, then its trace as the workspace would hold it (cut in the middle if huge). */
async function request(run: TaskRunInfo): Promise<string> {
  const events = await db.traceEvent.findMany({ where: { taskRunId: run.id }, orderBy: { seq: "asc" } });
  let trace = events.map((event) => exportLine(event, "workspace")).join("");
  if (trace.length > SUMMARY_TRACE_CHARS) {
    const half = SUMMARY_TRACE_CHARS / 2;
    trace = `${trace.slice(0, half)}\n[… ${trace.length - SUMMARY_TRACE_CHARS} characters cut …]\n${trace.slice(-half)}`;
  }
  return `Task ${run.key}: ${run.status}, score ${run.score ?? "none"}.\n\nThe raw trace, one JSON event per line:\n${trace}`;
}

/** The iteration's workspace stage: in summary mode the missing summaries first, then the build. */
export async function refreshWorkspace(
  iteration: SummarizeSpec["iteration"] & { number: number },
  dir: string,
  feedback: FeedbackMode = "raw",
  spec: Omit<SummarizeSpec, "iteration">,
): Promise<void> {
  if (feedback === "summary") await summarizeTraces({ ...spec, iteration });
  await buildWorkspace(iteration.projectId, dir, { iteration: iteration.number, feedback });
}
