import { notFound } from "next/navigation";
import { cache, Suspense } from "react";
import { TimelineSkeleton } from "@/components/trace/TimelineSkeleton";
import { TraceViewer } from "@/components/trace/TraceViewer";
import { DETAIL_BODY_BYTES, parseIndex, parseKinds, timelineStart, TRACE_PAGE_SIZE } from "@/lib/traces/queries";
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
 * One task run: its header, then its raw trace in the viewer. The header is read before
 * anything is sent (so an unknown run is a real 404); the timeline streams in behind a skeleton.
 */
export default async function TaskRunPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const { id, runId } = await params;
  const query = await searchParams;
  const run = await loadRun(id, runId);
  if (!run) notFound();
  const neighbours = await failureNeighbours(run);

  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const parsedKinds = parseKinds(first(query.kind));
  const kinds = parsedKinds === "invalid" ? null : parsedKinds;
  const selectedSeq = parseIndex(first(query.event));
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
        audit={
          <Suspense fallback={null}>
            <RunAudit runId={run.id} />
          </Suspense>
        }
      />
      <Suspense fallback={<TimelineSkeleton />}>
        <Timeline
          key={`${run.id}:${selectedSeq ?? ""}:${kinds?.join(",") ?? ""}`}
          runId={run.id}
          kinds={kinds}
          selectedSeq={selectedSeq}
          previousFailureHref={runHref(neighbours.previous)}
          nextFailureHref={runHref(neighbours.next)}
          rawHref={rawHref}
        />
      </Suspense>
    </div>
  );
}

/** The run's audit: one small stored value (a run stored before the audit existed is audited once, here). */
async function RunAudit({ runId }: { runId: string }) {
  const audit = await taskRunAudit(runId);
  return audit ? <RunAuditLine audit={audit} /> : null;
}

async function Timeline(props: {
  runId: string;
  kinds: string[] | null;
  selectedSeq: number | null;
  previousFailureHref: string | null;
  nextFailureHref: string | null;
  rawHref: string;
}) {
  const start = await timelineStart(
    { taskRunId: props.runId },
    { kinds: props.kinds, selectedSeq: props.selectedSeq, pageSize: TRACE_PAGE_SIZE },
  );
  return (
    <TraceViewer
      apiBase={`/api/task-runs/${props.runId}`}
      start={start}
      filter={props.kinds}
      selectedSeq={props.selectedSeq}
      pageSize={TRACE_PAGE_SIZE}
      detailMaxBytes={DETAIL_BODY_BYTES}
      previousHref={props.previousFailureHref}
      nextHref={props.nextFailureHref}
      neighbourLabel="failed run"
      rawTraceHref={props.rawHref}
      emptyText="This task run has no trace events: it has not started yet, or it ended before the harness did anything."
    />
  );
}
