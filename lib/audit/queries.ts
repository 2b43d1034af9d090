// The audit as the pages and the workspace read it: the per-task-run figures the runner stored
// (TaskRun.audit, one small JSON value per run), so a page never reads request bodies. A run
// stored before the audit existed is audited once from its trace, narrowly (no raw streams or
// headers), and the result stored.
import { db, type Prisma } from "../db/client.ts";
import { auditEvents, readAudit, type AuditEvent, type TaskRunAudit } from "./compute.ts";
import { summarizeAudits, type AuditedRun, type AuditSummary } from "./summary.ts";

/** A task run as the audit reads it: the stored audit (maybe missing) and its wall time. */
export interface StoredRun {
  id: string;
  audit: unknown;
  durationMs: number | null;
}

/** Finished task runs only: a pending or running one has no trace yet. */
const FINISHED = ["passed", "failed", "error"] as const;

/** The audit of each run, computing (and storing) the ones stored without it. */
export async function auditedRuns(runs: StoredRun[]): Promise<AuditedRun[]> {
  const result: AuditedRun[] = [];
  for (const run of runs) {
    const audit = readAudit(run.audit) ?? (await auditFromTrace(run.id));
    result.push({ audit, durationMs: run.durationMs });
  }
  return result;
}

/** One task run's audit (the trace viewer's header), or null when it has not finished. */
export async function taskRunAudit(taskRunId: string): Promise<TaskRunAudit | null> {
  const run = await db.taskRun.findUnique({ where: { id: taskRunId }, select: { status: true, audit: true } });
  if (!run || !(FINISHED as readonly string[]).includes(run.status)) return null;
  return readAudit(run.audit) ?? (await auditFromTrace(taskRunId));
}

/** The audit of an evaluation's finished task runs; null when none has finished. */
export async function evaluationAudit(evaluationId: string): Promise<AuditSummary | null> {
  const runs = await db.taskRun.findMany({
    where: { evaluationId, status: { in: [...FINISHED] } },
    select: { id: true, audit: true, durationMs: true },
  });
  if (runs.length === 0) return null;
  return summarizeAudits(await auditedRuns(runs));
}

/**
 * Audits a stored trace and stores the result. Reads only what the audit uses: of a model call,
 * its operation, usage, request body and response content (not the raw stream or headers).
 */
export async function auditFromTrace(taskRunId: string): Promise<TaskRunAudit> {
  const events = await db.$queryRaw<AuditEvent[]>`
    select kind, name,
      case when kind = 'model_call' and body ? 'request' then jsonb_build_object(
          'operation', body->'operation', 'usage', body->'usage',
          'request', jsonb_build_object('body', body->'request'->'body'),
          'response', jsonb_build_object('body', jsonb_build_object('content', body->'response'->'body'->'content')))
        else body end as body
    from "TraceEvent"
    where "taskRunId" = ${taskRunId} and kind in ('model_call', 'exec', 'tool_call', 'tool_result')
    order by seq`;
  const audit = auditEvents(events);
  await db.taskRun.update({ where: { id: taskRunId }, data: { audit: audit as unknown as Prisma.InputJsonValue } });
  return audit;
}
