// The task set: a project's tasks with input, expected answer and split, how the candidates did
// on each, and one task's history across candidates. The test split is shown here: it is sealed
// from proposers (lib/workspace), not from the people who own the project.
import { db, Prisma } from "../db/client.ts";

export const TASKS_PAGE_SIZE = 100;

export interface TaskListRow {
  id: string;
  key: string;
  split: "search" | "test";
  inputPreview: string;
  expectedPreview: string;
  /** Task runs of this task across every evaluation, by outcome. */
  passed: number;
  failed: number;
  errors: number;
}

export interface TaskList {
  total: number;
  page: number;
  pageSize: number;
  rows: TaskListRow[];
}

/** One page of the suite's tasks in suite order, optionally of one split. */
export async function listTasks(
  projectId: string,
  options: { split?: "search" | "test"; page?: number },
): Promise<TaskList | null> {
  const suite = await db.taskSuite.findUnique({ where: { projectId }, select: { id: true } });
  if (!suite) return null;
  const page = options.page ?? 0;
  const split = options.split ?? null;
  const [rows, total] = await Promise.all([
    db.$queryRaw<
      {
        id: string;
        key: string;
        split: "search" | "test";
        input_preview: string | null;
        expected_preview: string | null;
        passed: number;
        failed: number;
        errors: number;
      }[]
    >`
      select t.id, t.key, t.split::text as split, left(t.input #>> '{}', 200) as input_preview,
        left(t.expected #>> '{}', 120) as expected_preview,
        count(*) filter (where r.status = 'passed')::int as passed,
        count(*) filter (where r.status = 'failed')::int as failed,
        count(*) filter (where r.status = 'error')::int as errors
      from "Task" t left join "TaskRun" r on r."taskId" = t.id and r."evaluationId" is not null
      where t."suiteId" = ${suite.id} and (${split}::text is null or t.split::text = ${split}::text)
      group by t.id
      order by t.position
      limit ${TASKS_PAGE_SIZE} offset ${page * TASKS_PAGE_SIZE}`,
    db.task.count({ where: { suiteId: suite.id, ...(options.split ? { split: options.split } : {}) } }),
  ]);
  return {
    total,
    page,
    pageSize: TASKS_PAGE_SIZE,
    rows: rows.map((row) => ({
      id: row.id,
      key: row.key,
      split: row.split,
      inputPreview: row.input_preview ?? "",
      expectedPreview: row.expected_preview ?? "",
      passed: row.passed,
      failed: row.failed,
      errors: row.errors,
    })),
  };
}

export interface TaskHistoryRow {
  taskRunId: string;
  candidateId: string;
  candidateNumber: number;
  evaluationId: string;
  evaluationSplit: "search" | "test";
  evaluatedAt: Date;
  /** Which of the evaluation's trials of the task: 1, 2, … of `trials`. */
  trial: number;
  trials: number;
  status: string;
  score: number | null;
  errorKind: string | null;
  outputPreview: string | null;
  tokens: number;
  durationMs: number | null;
  costUsd: number | null;
}

export interface TaskDetail {
  id: string;
  key: string;
  split: "search" | "test";
  position: number;
  input: Prisma.JsonValue;
  expected: Prisma.JsonValue;
  meta: Prisma.JsonValue | null;
  history: TaskHistoryRow[];
}

/** A task in full, and every task run of it in the project's evaluations, newest candidate first. */
export async function getTaskDetail(projectId: string, taskId: string): Promise<TaskDetail | null> {
  const task = await db.task.findFirst({
    where: { id: taskId, suite: { projectId } },
    select: { id: true, key: true, split: true, position: true, input: true, expected: true, meta: true },
  });
  if (!task) return null;
  const history = await db.$queryRaw<
    {
      id: string;
      candidate_id: string;
      number: number;
      evaluation_id: string;
      split: "search" | "test";
      created_at: Date;
      trial: number;
      trials: number;
      status: string;
      score: number | null;
      error_kind: string | null;
      output_preview: string | null;
      tokens: number;
      duration_ms: number | null;
      cost: number | null;
    }[]
  >`
    select r.id, c.id as candidate_id, c.number, e.id as evaluation_id, e.split::text as split, e."createdAt" as created_at,
      r.trial, e.trials, r.status::text as status, r.score, r."errorKind" as error_kind, left(r.output #>> '{}', 160) as output_preview,
      (r."inputTokens" + r."outputTokens")::int as tokens, r."durationMs" as duration_ms, r."costUsd" as cost
    from "TaskRun" r join "Evaluation" e on e.id = r."evaluationId" join "Candidate" c on c.id = e."candidateId"
    where r."taskId" = ${task.id} and c."projectId" = ${projectId}
    order by c.number desc, e."createdAt" desc, r.trial`;
  return {
    ...task,
    history: history.map((row) => ({
      taskRunId: row.id,
      candidateId: row.candidate_id,
      candidateNumber: row.number,
      evaluationId: row.evaluation_id,
      evaluationSplit: row.split,
      evaluatedAt: row.created_at,
      trial: row.trial,
      trials: row.trials,
      status: row.status,
      score: row.score,
      errorKind: row.error_kind,
      outputPreview: row.output_preview,
      tokens: row.tokens,
      durationMs: row.duration_ms,
      costUsd: row.cost,
    })),
  };
}

/** The task run of `taskId` in `evaluationId`, within the project: where a matrix cell leads (its first trial). */
export async function findTaskRun(projectId: string, evaluationId: string, taskId: string): Promise<string | null> {
  const run = await db.taskRun.findFirst({
    where: { evaluationId, taskId, evaluation: { candidate: { projectId } } },
    orderBy: { trial: "asc" },
    select: { id: true },
  });
  return run?.id ?? null;
}
