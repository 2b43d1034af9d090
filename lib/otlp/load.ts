// Reads what an export sends from the database: an evaluation's finished task runs a page at a
// time, and each run's trace events (bodies only for the kinds that become spans; the rest are
// told by their preview).
import { db } from "../db/client.ts";
import type { StoredEvent, StoredTaskRun } from "./spans.ts";

const PAGE = 50;
const BODY_KINDS = ["model_call", "exec", "tool_call", "tool_result"];

const eventColumns = {
  seq: true,
  kind: true,
  time: true,
  durationMs: true,
  name: true,
  preview: true,
  genAiSystem: true,
  genAiOperationName: true,
  genAiRequestModel: true,
  genAiResponseModel: true,
  genAiResponseId: true,
  genAiResponseFinishReasons: true,
  genAiUsageInputTokens: true,
  genAiUsageOutputTokens: true,
  costUsd: true,
} as const;

/** The evaluation with what the export's resource and root spans name; null when there is none. */
export async function loadEvaluationHead(evaluationId: string) {
  return db.evaluation.findUnique({
    where: { id: evaluationId },
    select: {
      id: true,
      split: true,
      status: true,
      candidate: {
        select: { id: true, number: true, project: { select: { id: true, name: true, settings: true } } },
      },
    },
  });
}
export type EvaluationHead = NonNullable<Awaited<ReturnType<typeof loadEvaluationHead>>>;

/** The evaluation's task runs that ran (not pending), in task order, a page at a time, each with its events. */
export async function* storedTaskRuns(head: EvaluationHead): AsyncGenerator<StoredTaskRun> {
  let skip = 0;
  for (;;) {
    const runs = await db.taskRun.findMany({
      where: { evaluationId: head.id, status: { not: "pending" } },
      orderBy: [{ task: { position: "asc" } }, { trial: "asc" }, { id: "asc" }],
      skip,
      take: PAGE,
      select: {
        id: true,
        trial: true,
        status: true,
        output: true,
        score: true,
        errorKind: true,
        errorMessage: true,
        inputTokens: true,
        outputTokens: true,
        costUsd: true,
        startedAt: true,
        finishedAt: true,
        task: { select: { key: true, input: true } },
      },
    });
    for (const run of runs) {
      yield {
        id: run.id,
        taskKey: run.task.key,
        trial: run.trial,
        status: run.status,
        input: run.task.input,
        output: run.output,
        score: run.score,
        errorKind: run.errorKind,
        errorMessage: run.errorMessage,
        inputTokens: run.inputTokens,
        outputTokens: run.outputTokens,
        costUsd: run.costUsd,
        evaluationId: head.id,
        candidateId: head.candidate.id,
        candidateName: `candidate #${head.candidate.number}`,
        projectId: head.candidate.project.id,
        split: head.split,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        events: await storedEvents(run.id),
      };
    }
    if (runs.length < PAGE) return;
    skip += PAGE;
  }
}

async function storedEvents(taskRunId: string): Promise<StoredEvent[]> {
  const [withBody, rest] = await Promise.all([
    db.traceEvent.findMany({
      where: { taskRunId, kind: { in: BODY_KINDS } },
      select: { ...eventColumns, body: true },
    }),
    db.traceEvent.findMany({ where: { taskRunId, kind: { notIn: BODY_KINDS } }, select: eventColumns }),
  ]);
  return [...withBody, ...rest.map((event) => ({ ...event, body: null }))].sort((a, b) => a.seq - b.seq);
}
