// Read model for iterations: the overview's list and the iteration page (the iteration's
// figures, the candidates it wrote with their scores, and the workspace files its proposer
// read, each resolved to what it is, a candidate's source or a task run's trace, so the page
// can link to it).
import { db } from "../db/client.ts";
import { onProjectModel } from "../evaluations/model.ts";
import { candidateParents, latestScores } from "../candidates/queries.ts";
import { readStop, type Stop } from "../loop/stop.ts";
import { readProgress } from "./progress.ts";
import { isId } from "../traces/queries.ts";
import { CANDIDATES, PROPOSALS, REJECTED, TASKS } from "../workspace/layout.ts";

export interface IterationRow {
  id: string;
  number: number;
  status: string;
  stage: string | null;
  proposerKind: string;
  filesReadCount: number;
  inputTokens: number;
  outputTokens: number;
  /** Null when a model call was unpriced. */
  costUsd: number | null;
  /** Why it stopped short, if it did. */
  stop: Stop | null;
  error: string | null;
  candidates: { number: number; status: string }[];
  instructionVersion: number | null;
  /** The offline proposer and model ran it. */
  simulated: boolean;
  createdAt: Date;
}

export async function listIterations(projectId: string, limit = 20): Promise<IterationRow[]> {
  const rows = await db.iteration.findMany({
    where: { projectId },
    orderBy: { number: "desc" },
    take: limit,
    select: {
      id: true,
      number: true,
      status: true,
      stage: true,
      proposerKind: true,
      filesReadCount: true,
      inputTokens: true,
      outputTokens: true,
      costUsd: true,
      stopKind: true,
      stopReason: true,
      error: true,
      simulated: true,
      createdAt: true,
      instructionVersion: { select: { version: true } },
      candidates: { orderBy: { number: "asc" }, select: { number: true, status: true } },
    },
  });
  return rows.map(({ instructionVersion, stopKind, stopReason, ...row }) => ({
    ...row,
    stop: readStop({ stopKind, stopReason }),
    instructionVersion: instructionVersion?.version ?? null,
  }));
}
/** The iteration with its project, instructions version and neighbours; null when not in this project. */
export async function getIterationView(projectId: string, number: number) {
  if (!isId(projectId) || !Number.isSafeInteger(number)) return null;
  const iteration = await db.iteration.findUnique({
    where: { projectId_number: { projectId, number } },
    select: {
      id: true,
      number: true,
      status: true,
      stage: true,
      proposerKind: true,
      inputTokens: true,
      outputTokens: true,
      costUsd: true,
      filesRead: true,
      filesReadCount: true,
      proposerIsolation: true,
      progress: true,
      error: true,
      stopKind: true,
      stopReason: true,
      simulated: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      project: { select: { name: true, proposerModel: true, proposerCommand: true } },
      instructionVersion: { select: { version: true, note: true } },
    },
  });
  if (!iteration) return null;
  const [previous, next, eventCount, firstEvent] = await Promise.all([
    db.iteration.findFirst({
      where: { projectId, number: { lt: number } },
      orderBy: { number: "desc" },
      select: { number: true },
    }),
    db.iteration.findFirst({
      where: { projectId, number: { gt: number } },
      orderBy: { number: "asc" },
      select: { number: true },
    }),
    db.traceEvent.count({ where: { iterationId: iteration.id } }),
    db.traceEvent.findFirst({ where: { iterationId: iteration.id }, orderBy: { seq: "asc" }, select: { time: true } }),
  ]);
  const { project, instructionVersion, progress, stopKind, stopReason, ...rest } = iteration;
  return {
    ...rest,
    stop: readStop({ stopKind, stopReason }),
    status: iteration.status as string,
    proposerKind: iteration.proposerKind as string,
    progress: readProgress(progress),
    projectId,
    projectName: project.name,
    proposerModel: project.proposerModel,
    proposerCommand: project.proposerCommand,
    instructionVersion: instructionVersion?.version ?? null,
    instructionNote: instructionVersion?.note ?? null,
    previousNumber: previous?.number ?? null,
    nextNumber: next?.number ?? null,
    eventCount,
    /** The transcript's "+0 ms": its first event's time, epoch ms. */
    firstEventMs: firstEvent?.time.getTime() ?? null,
  };
}

export type IterationView = NonNullable<Awaited<ReturnType<typeof getIterationView>>>;

export interface ClosingNote {
  seq: number;
  kind: string;
  text: string;
}

/**
 * The proposer's last notes and errors in its transcript, oldest first: what an iteration that
 * wrote no harness said about why (every proposer ends with its reasons there).
 */
export async function listClosingNotes(iterationId: string, take = 5): Promise<ClosingNote[]> {
  const events = await db.traceEvent.findMany({
    where: { iterationId, kind: { in: ["note", "error"] } },
    orderBy: { seq: "desc" },
    take,
    select: { seq: true, kind: true, preview: true },
  });
  return events.reverse().map((event) => ({ seq: event.seq, kind: event.kind, text: event.preview }));
}

/** An iteration by id, for the API routes: its transcript is only served when it exists. */
export async function iterationExists(
  iterationId: string,
): Promise<{ id: string; number: number; projectId: string } | null> {
  if (!isId(iterationId)) return null;
  return db.iteration.findUnique({ where: { id: iterationId }, select: { id: true, number: true, projectId: true } });
}

export interface IterationCandidate {
  id: string;
  number: number;
  status: string;
  rejectReason: string | null;
  hypothesis: string | null;
  axis: string | null;
  /** First line of the rationale. */
  summary: string;
  parents: { id: string; number: number }[];
  searchScore: number | null;
  testScore: number | null;
  /** Model tokens (in + out) per task of the newest finished search evaluation. */
  tokensPerTask: number | null;
  /** Null when not evaluated, or unpriced (then `unpriced`). */
  costUsd: number | null;
  unpriced: boolean;
  /** The newest search evaluation's status, if any: queued, running, done, failed, cancelled. */
  searchStatus: string | null;
}

/** The candidates an iteration wrote (valid and rejected), by number, with their newest finished scores. */
export async function listIterationCandidates(iterationId: string): Promise<IterationCandidate[]> {
  const rows = await db.$queryRaw<
    {
      id: string;
      number: number;
      status: string;
      reject_reason: string | null;
      hypothesis: string | null;
      axis: string | null;
      summary: string | null;
      parents: { id: string; number: number }[];
      search_score: number | null;
      tokens_per_task: number | null;
      search_cost: number | null;
      search_unpriced: boolean | null;
      test_score: number | null;
      search_status: string | null;
    }[]
  >`
    select c.id, c.number, c.status::text as status, c."rejectReason" as reject_reason, c.hypothesis, c.axis,
      left(split_part(coalesce(c.rationale, ''), E'\n', 1), 240) as summary,
      ${candidateParents} as parents,
      s.score as search_score, s.tokens_per_task, s.cost as search_cost, s.unpriced as search_unpriced, t.score as test_score,
      (select e.status::text from "Evaluation" e where e."candidateId" = c.id and e.split = 'search' and ${onProjectModel} order by e."createdAt" desc limit 1) as search_status
    from "Candidate" c
    ${latestScores}
    where c."iterationId" = ${iterationId}
    order by c.number`;
  return rows.map((row) => ({
    id: row.id,
    number: row.number,
    status: row.status,
    rejectReason: row.reject_reason,
    hypothesis: row.hypothesis,
    axis: row.axis,
    summary: row.summary ?? "",
    parents: row.parents,
    searchScore: row.search_score,
    testScore: row.test_score,
    tokensPerTask: row.tokens_per_task,
    costUsd: row.search_cost,
    unpriced: row.search_unpriced === true,
    searchStatus: row.search_status,
  }));
}

/** What a workspace path is, by the layout in lib/workspace/layout.ts. */
export type FileKind = "source" | "trace" | "candidate" | "task" | "proposal" | "workspace";

export interface FileRead {
  path: string;
  kind: FileKind;
  /** The candidate the file belongs to (source, trace, meta, scores…), when it is one of this project's. */
  candidate: { id: string; number: number; rejected: boolean } | null;
  /** Trace files: the task's key, and the task run the file was written from, when it can be found. */
  taskKey: string | null;
  runId: string | null;
  /** file_read events for this path (a long file is read in pages); null when the proposer recorded none. */
  reads: number | null;
  /** The first file_read event: its seq in the transcript and its time (epoch ms). */
  firstSeq: number | null;
  firstMs: number | null;
}

/** Splits a workspace path into what it is: candidates/<id>/harness.ts, candidates/<id>/traces/<key>.jsonl, tasks/<key>.json… */
export function classifyPath(path: string): {
  kind: FileKind;
  candidateId: string | null;
  rejected: boolean;
  taskKey: string | null;
} {
  const candidate = new RegExp(`^(${CANDIDATES}|${REJECTED})/([^/]+)/(.+)$`).exec(path);
  if (candidate) {
    const [, folder, candidateId, rest] = candidate;
    const rejected = folder === REJECTED;
    if (rest === "harness.ts") return { kind: "source", candidateId, rejected, taskKey: null };
    const trace = /^traces\/([^/]+)\.jsonl$/.exec(rest);
    if (trace) return { kind: "trace", candidateId, rejected, taskKey: trace[1] };
    return { kind: "candidate", candidateId, rejected, taskKey: null };
  }
  if (path.startsWith(`${TASKS}/`)) return { kind: "task", candidateId: null, rejected: false, taskKey: null };
  if (path.startsWith(`${PROPOSALS}/`)) return { kind: "proposal", candidateId: null, rejected: false, taskKey: null };
  return { kind: "workspace", candidateId: null, rejected: false, taskKey: null };
}

/**
 * Every file the proposer read, in the order of its first read: from the transcript's file_read
 * events (live while the proposer works), then any path the proposer reported without an event
 * (a command proposer's reads). Trace files resolve to the task run of the candidate's newest
 * finished search evaluation as of the iteration's start: the run whose trace the file held.
 */
export async function listFilesRead(
  projectId: string,
  iteration: { id: string; filesRead: string[]; startedAt: Date | null; createdAt: Date },
): Promise<FileRead[]> {
  const reads = await db.$queryRaw<{ path: string; reads: number; first_seq: number; first_time: Date }[]>`
    select name as path, count(*)::int as reads, min(seq) as first_seq, min(time) as first_time
    from "TraceEvent" where "iterationId" = ${iteration.id} and kind = 'file_read' and name is not null
    group by name order by min(seq)`;
  const byPath = new Map(reads.map((row) => [row.path, row]));
  const paths = [...byPath.keys(), ...iteration.filesRead.filter((path) => !byPath.has(path))];
  const classified = paths.map((path) => ({ path, ...classifyPath(path) }));

  const candidateIds = [
    ...new Set(classified.flatMap((file) => (file.candidateId && isId(file.candidateId) ? [file.candidateId] : []))),
  ];
  const traces = classified.filter((file) => file.kind === "trace" && file.candidateId && isId(file.candidateId));
  const asOf = iteration.startedAt ?? iteration.createdAt;
  const [candidates, runs] = await Promise.all([
    candidateIds.length
      ? db.candidate.findMany({ where: { projectId, id: { in: candidateIds } }, select: { id: true, number: true } })
      : Promise.resolve([]),
    traces.length
      ? db.$queryRaw<{ candidate_id: string; key: string; run_id: string }[]>`
          select w.candidate_id, w.key, r.id as run_id
          from unnest(${traces.map((file) => file.candidateId!)}::text[], ${traces.map((file) => file.taskKey!)}::text[]) as w(candidate_id, key)
          join lateral (
            select e.id from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
            where e."candidateId" = w.candidate_id and c."projectId" = ${projectId} and e.split = 'search' and e.status = 'done'
              and ${onProjectModel}
            order by coalesce(e."finishedAt" <= ${asOf}, false) desc, e."finishedAt" desc nulls last limit 1) e on true
          join "TaskRun" r on r."evaluationId" = e.id
          join "Task" t on t.id = r."taskId" and t.key = w.key`
      : Promise.resolve([]),
  ]);
  const numbers = new Map(candidates.map((candidate) => [candidate.id, candidate.number]));
  const runIds = new Map(runs.map((row) => [`${row.candidate_id}/${row.key}`, row.run_id]));

  return classified.map((file) => {
    const read = byPath.get(file.path);
    const number = file.candidateId ? numbers.get(file.candidateId) : undefined;
    return {
      path: file.path,
      kind: file.kind,
      candidate: number !== undefined ? { id: file.candidateId!, number, rejected: file.rejected } : null,
      taskKey: file.taskKey,
      runId: file.kind === "trace" ? (runIds.get(`${file.candidateId}/${file.taskKey}`) ?? null) : null,
      reads: read?.reads ?? null,
      firstSeq: read?.first_seq ?? null,
      firstMs: read?.first_time.getTime() ?? null,
    };
  });
}

/** A check of the iteration (check_candidate or a smoke run) with its task runs, for the page's "Checks". */
export interface IterationCheck {
  id: string;
  kind: string;
  summary: string;
  inputTokens: number;
  outputTokens: number;
  /** Null when a model call was unpriced. */
  costUsd: number | null;
  createdAt: Date;
  taskRuns: { id: string; status: string; score: number | null; taskKey: string }[];
}

export async function listIterationChecks(iterationId: string): Promise<IterationCheck[]> {
  const checks = await db.check.findMany({
    where: { iterationId },
    orderBy: { createdAt: "asc" },
    select: {
      id: true,
      kind: true,
      summary: true,
      inputTokens: true,
      outputTokens: true,
      costUsd: true,
      createdAt: true,
      taskRuns: {
        orderBy: { task: { position: "asc" } },
        select: { id: true, status: true, score: true, task: { select: { key: true } } },
      },
    },
  });
  return checks.map(({ taskRuns, ...check }) => ({
    ...check,
    taskRuns: taskRuns.map(({ task, ...run }) => ({ ...run, taskKey: task.key })),
  }));
}
