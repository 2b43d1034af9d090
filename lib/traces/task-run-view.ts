// The task-run page's header: the run, its task, evaluation and candidate (or, for a check's
// run, its check and iteration), its grade, and the failed runs next to it (n and p in the trace viewer).
import { db, Prisma } from "../db/client.ts";
import { isId } from "./queries.ts";

/** The page header: the task run, its task, and its owner. Null when the run is not in this project. */
export async function getTaskRunView(projectId: string, taskRunId: string) {
  if (!isId(projectId) || !isId(taskRunId)) return null;
  const run = await db.taskRun.findUnique({
    where: { id: taskRunId },
    select: {
      id: true,
      status: true,
      output: true,
      score: true,
      gradeExplanation: true,
      errorKind: true,
      errorMessage: true,
      inputTokens: true,
      outputTokens: true,
      costUsd: true,
      durationMs: true,
      eventCount: true,
      startedAt: true,
      finishedAt: true,
      task: { select: { key: true, position: true, split: true, expected: true } },
      evaluation: {
        select: {
          id: true,
          split: true,
          simulated: true,
          taskCount: true,
          candidate: {
            select: { id: true, number: true, projectId: true, project: { select: { name: true } } },
          },
        },
      },
      check: {
        select: {
          id: true,
          kind: true,
          _count: { select: { taskRuns: true } },
          iteration: {
            select: { number: true, simulated: true, projectId: true, project: { select: { name: true } } },
          },
        },
      },
    },
  });
  const owner = run?.evaluation
    ? {
        projectId: run.evaluation.candidate.projectId,
        projectName: run.evaluation.candidate.project.name,
        split: run.evaluation.split as string,
        evaluationId: run.evaluation.id as string | null,
        checkId: null as string | null,
        simulated: run.evaluation.simulated,
        taskCount: run.evaluation.taskCount,
        candidateId: run.evaluation.candidate.id as string | null,
        candidateNumber: run.evaluation.candidate.number as number | null,
        check: null as { kind: string; iterationNumber: number } | null,
      }
    : run?.check
      ? {
          projectId: run.check.iteration.projectId,
          projectName: run.check.iteration.project.name,
          split: "search",
          evaluationId: null,
          checkId: run.check.id,
          simulated: run.check.iteration.simulated,
          taskCount: run.check._count.taskRuns,
          candidateId: null,
          candidateNumber: null,
          check: { kind: run.check.kind as string, iterationNumber: run.check.iteration.number },
        }
      : null;
  if (!run || !owner || owner.projectId !== projectId) return null;
  const [grade] = await db.$queryRaw<
    { seq: number; passed: boolean | null; score: number | null; explanation: string | null }[]
  >`
    select seq,
      case when jsonb_typeof(body->'passed') = 'boolean' then (body->'passed')::boolean end as passed,
      case when jsonb_typeof(body->'score') = 'number' then (body->'score')::float8 end as score,
      left(body->>'explanation', 20000) as explanation
    from "TraceEvent" where "taskRunId" = ${taskRunId} and kind = 'grade'
    order by seq desc limit 1`;
  const { task } = run;
  return {
    id: run.id,
    status: run.status as string,
    score: run.score ?? grade?.score ?? null,
    explanation: run.gradeExplanation ?? grade?.explanation ?? null,
    gradeSeq: grade?.seq ?? null,
    passed: grade?.passed ?? null,
    errorKind: run.errorKind,
    errorMessage: run.errorMessage,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    costUsd: run.costUsd,
    durationMs: run.durationMs,
    eventCount: run.eventCount,
    startedAt: run.startedAt,
    expected: shownValue(task.expected),
    output: run.output === null ? null : shownValue(run.output),
    taskKey: task.key,
    taskPosition: task.position,
    ...owner,
    projectId,
  };
}

export type TaskRunView = NonNullable<Awaited<ReturnType<typeof getTaskRunView>>>;

const SHOWN_VALUE_CHARS = 20_000;

/** An expected or actual output as text for the header: strings as they are, the rest as JSON. */
function shownValue(value: unknown): { text: string; json: boolean; cut: number } {
  const json = typeof value !== "string";
  const text = json ? (JSON.stringify(value, null, 2) ?? "null") : (value as string);
  return text.length > SHOWN_VALUE_CHARS
    ? { text: text.slice(0, SHOWN_VALUE_CHARS), json, cut: text.length - SHOWN_VALUE_CHARS }
    : { text, json, cut: 0 };
}

/** The previous and next failed-or-error task runs of the same evaluation (or check), by task position. */
export async function failureNeighbours(run: {
  id: string;
  evaluationId: string | null;
  checkId: string | null;
  taskPosition: number;
}): Promise<{ previous: string | null; next: string | null; failures: number }> {
  // A run has one owner: its evaluation or its check. An equality on it (not `is not distinct
  // from`, which no index serves) reads the owner's failed runs through (evaluationId, status).
  const owner =
    run.evaluationId != null
      ? Prisma.sql`r."evaluationId" = ${run.evaluationId}`
      : Prisma.sql`r."checkId" = ${run.checkId}`;
  const [next, previous, [counted]] = await Promise.all([
    db.$queryRaw<{ id: string }[]>`
      select r.id from "TaskRun" r join "Task" t on t.id = r."taskId"
      where ${owner} and r.status in ('failed', 'error') and r.id <> ${run.id}
        and (t.position > ${run.taskPosition} or (t.position = ${run.taskPosition} and r.id > ${run.id}))
      order by t.position asc, r.id asc limit 1`,
    db.$queryRaw<{ id: string }[]>`
      select r.id from "TaskRun" r join "Task" t on t.id = r."taskId"
      where ${owner} and r.status in ('failed', 'error') and r.id <> ${run.id}
        and (t.position < ${run.taskPosition} or (t.position = ${run.taskPosition} and r.id < ${run.id}))
      order by t.position desc, r.id desc limit 1`,
    db.$queryRaw<{ failures: number }[]>`
      select count(*)::int as failures from "TaskRun" r where ${owner} and r.status in ('failed', 'error')`,
  ]);
  return { previous: previous[0]?.id ?? null, next: next[0]?.id ?? null, failures: counted?.failures ?? 0 };
}
