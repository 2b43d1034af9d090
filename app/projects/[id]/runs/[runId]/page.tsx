import { notFound } from "next/navigation";
import { cache } from "react";
import { TraceViewer } from "@/components/trace/TraceViewer";
import {
  DETAIL_BODY_BYTES,
  firstEventDetail,
  parseIndex,
  parseKinds,
  timelineStart,
  TRACE_PAGE_SIZE,
} from "@/lib/traces/queries";
import { failureNeighbours, getTaskRunView } from "@/lib/traces/task-run-view";
import { taskRunAudit } from "@/lib/audit/queries";
import { RunAuditLine } from "@/components/audit/Audit";
import { RunHeader } from "./RunHeader";
import styles from "./page.module.css";

type Params = Promise<{ id: string; runId: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

const loadRun = cache(getTaskRunView);

export async function generateMetadata({ params }: { params: Params }) {
  const { id, runId } = await params;
  const run = await loadRun(id, runId);
  if (!run) return { title: "Task run" };
  return {
    title: run.check
      ? `${run.taskKey} · check, iteration ${run.check.iterationNumber}`
      : `${run.taskKey} · candidate #${run.candidateNumber}`,
  };
}

/**
 * One task run: its header, then its raw trace in the viewer. The header and the timeline's first
 * page are read before anything is sent (so an unknown run is a real 404), in one flush: React
 * throttles a Suspense boundary's reveal to 300 ms after the first paint, longer than the query.
 */
export default async function TaskRunPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const { id, runId } = await params;
  const query = await searchParams;
  const run = await loadRun(id, runId);
  if (!run) notFound();

  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const parsedKinds = parseKinds(first(query.kind));
  const kinds = parsedKinds === "invalid" ? null : parsedKinds;
  const selectedSeq = parseIndex(first(query.event));
  // The audit is one small stored value (a run stored before the audit existed is audited once, here).
  const [neighbours, start, audit, firstEvent] = await Promise.all([
    failureNeighbours(run),
    timelineStart({ taskRunId: run.id }, { kinds, selectedSeq, pageSize: TRACE_PAGE_SIZE }),
    taskRunAudit(run.id),
    firstEventDetail({ taskRunId: run.id }, { kinds, selectedSeq }),
  ]);
  const runHref = (taskRunId: string | null) => (taskRunId ? `/projects/${id}/runs/${taskRunId}` : null);
  const rawHref = `/api/task-runs/${run.id}/raw`;

  return (
    <div className={styles.page} data-width="wide">
      <RunHeader
        run={run}
        previousHref={runHref(neighbours.previous)}
        nextHref={runHref(neighbours.next)}
        failures={neighbours.failures}
        rawHref={rawHref}
        audit={audit ? <RunAuditLine audit={audit} /> : null}
      />
      <TraceViewer
        key={`${run.id}:${selectedSeq ?? ""}:${kinds?.join(",") ?? ""}`}
        apiBase={`/api/task-runs/${run.id}`}
        start={start}
        firstEvent={firstEvent}
        filter={kinds}
        selectedSeq={selectedSeq}
        pageSize={TRACE_PAGE_SIZE}
        detailMaxBytes={DETAIL_BODY_BYTES}
        previousHref={runHref(neighbours.previous)}
        nextHref={runHref(neighbours.next)}
        neighbourLabel="failed run"
        rawTraceHref={rawHref}
        emptyText="This task run has no trace events: it has not started yet, or it ended before the harness did anything."
      />
    </div>
  );
}
