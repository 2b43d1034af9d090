// What the browser reads from the studio's API, in one place: each query's key (what the cache
// is indexed by) beside its fetcher. Keys start with what they belong to (a project, a candidate,
// a trace), so everything of one thing can be found or dropped with its prefix.
import { queryOptions } from "@tanstack/react-query";
import type { FrontierChartPoint, ProgressPoint } from "@/components/charts/points";
import type { CostEstimate } from "@/lib/evaluations/estimate";
import type { CandidateEvaluationState } from "@/lib/evaluations/state";
import type { LiveWorker } from "@/lib/jobs/workers";
import type { Packed } from "@/lib/candidates/packed";
import type { CandidatesPage } from "@/lib/candidates/table-view";
import type { TreeNode } from "@/lib/candidates/tree";
import type { RunProgress } from "@/lib/projects/progress";
import type { TraceEventDetail, TraceEventPage } from "@/lib/traces/queries";

/** GET a JSON answer; a non-2xx answer throws with the studio's own `error` message. */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url, { cache: "no-store", signal });
  if (response.ok) return (await response.json()) as T;
  const data = (await response.json().catch(() => ({}))) as { error?: string };
  throw new Error(data.error ?? `The studio answered ${response.status}.`);
}

/** What a project is doing right now (the run controls, an iteration's live progress). */
export const progressQuery = (projectId: string) =>
  queryOptions({
    queryKey: ["project", projectId, "progress"] as const,
    queryFn: ({ signal }) => getJson<RunProgress>(`/api/projects/${projectId}/progress`, signal),
  });

/**
 * The lineage tree at one revision of the project (RunProgress.revision): the overview re-renders
 * with a new revision as work lands, and the new key reads the tree again.
 */
export const treeQuery = (projectId: string, revision: string) =>
  queryOptions({
    queryKey: ["project", projectId, "tree", revision] as const,
    queryFn: ({ signal }) => getJson<Packed<TreeNode>>(`/api/projects/${projectId}/tree`, signal),
    staleTime: Infinity,
  });

/** The overview's charts at one revision of the project (as treeQuery): a new revision reads them again. */
export const chartsQuery = (projectId: string, revision: string) =>
  queryOptions({
    queryKey: ["project", projectId, "charts", revision] as const,
    queryFn: ({ signal }) =>
      getJson<{ progress: Packed<ProgressPoint>; points: Packed<FrontierChartPoint> }>(
        `/api/projects/${projectId}/charts`,
        signal,
      ),
    staleTime: Infinity,
  });

/**
 * One page of the overview's candidates table for one view (its query string, viewQuery) at one
 * revision of the project: a new revision (work landed) reads it again.
 */
export const candidatesQuery = (projectId: string, view: string, revision: string) =>
  queryOptions({
    queryKey: ["project", projectId, "candidates", view, revision] as const,
    queryFn: ({ signal }) =>
      getJson<CandidatesPage>(`/api/projects/${projectId}/candidates${view ? `?${view}` : ""}`, signal),
    staleTime: Infinity,
  });

/** A candidate's evaluations on both splits. */
export const evaluationsQuery = (projectId: string, candidateId: string) =>
  queryOptions({
    queryKey: ["candidate", candidateId, "evaluations"] as const,
    queryFn: ({ signal }) =>
      getJson<CandidateEvaluationState>(
        `/api/candidates/${candidateId}/evaluations?projectId=${encodeURIComponent(projectId)}`,
        signal,
      ),
  });

// ─── Traces: `apiBase` is the owner's API, /api/task-runs/<id> or /api/iterations/<id> ───

/** The kind filter as one key part and one URL parameter value ("" for all kinds). */
export const kindsParam = (kinds: string[] | null): string => (kinds ? kinds.join(",") : "");

export function traceEventsUrl(
  apiBase: string,
  options: { offset: number; limit: number; kinds: string[] | null; locate?: number; summary?: boolean },
): string {
  const kinds = options.kinds ? `&kind=${encodeURIComponent(kindsParam(options.kinds))}` : "";
  const locate = options.locate != null ? `&locate=${options.locate}` : "";
  return `${apiBase}/events?offset=${options.offset}&limit=${options.limit}${kinds}${locate}${options.summary ? "&summary=1" : ""}`;
}

export const traceKeys = {
  /** Every query of one trace. */
  all: (apiBase: string) => ["trace", apiBase] as const,
  /** Every page of the timeline under one filter. */
  pages: (apiBase: string, kinds: string[] | null, pageSize: number) =>
    ["trace", apiBase, "page", kindsParam(kinds), pageSize] as const,
  /** The counts per kind of a live trace (whatever the filter). */
  summary: (apiBase: string) => ["trace", apiBase, "summary"] as const,
};

/**
 * One page of the timeline (narrow rows, no bodies). A page never changes once full; a short
 * page (the end of a live trace) is re-read by the viewer when the trace has grown past it.
 */
export const tracePageQuery = (apiBase: string, kinds: string[] | null, pageSize: number, page: number) =>
  queryOptions({
    queryKey: [...traceKeys.pages(apiBase, kinds, pageSize), page] as const,
    queryFn: ({ signal }) =>
      getJson<TraceEventPage>(traceEventsUrl(apiBase, { offset: page * pageSize, limit: pageSize, kinds }), signal),
    staleTime: Infinity,
  });

/** Where event `seq` sits under a filter (`located`: its index, or null when filtered out). */
export const traceLocateQuery = (apiBase: string, kinds: string[] | null, seq: number) =>
  queryOptions({
    queryKey: ["trace", apiBase, "locate", kindsParam(kinds), seq] as const,
    queryFn: ({ signal }) =>
      getJson<TraceEventPage>(traceEventsUrl(apiBase, { offset: 0, limit: 1, kinds, locate: seq }), signal),
    staleTime: Infinity,
  });

/** Bodies stay cached this long after they were last shown, so moving back and forth with j/k is instant. */
const EVENT_BODY_KEEP_MS = 60_000;

/** One event with its body, cut to `maxBytes` for display. An event never changes once recorded. */
export const traceEventQuery = (apiBase: string, seq: number | null, maxBytes: number) =>
  queryOptions({
    queryKey: ["trace", apiBase, "event", seq, maxBytes] as const,
    queryFn: ({ signal }) => getJson<TraceEventDetail>(`${apiBase}/events/${seq}?maxBytes=${maxBytes}`, signal),
    staleTime: Infinity,
    gcTime: EVENT_BODY_KEEP_MS,
  });

/** What a run would likely cost before it starts (an evaluation of a split, or N iterations). */
export const estimateQuery = (
  projectId: string,
  run: { split: "search" | "test"; models?: string[]; candidates?: number; trials?: number } | { iterations: number },
  offline = false,
) => {
  const transfer =
    "split" in run && run.models?.length
      ? `&models=${run.models.map(encodeURIComponent).join(",")}&candidates=${run.candidates ?? 1}`
      : "";
  const trials = "split" in run && run.trials !== undefined ? `&trials=${run.trials}` : "";
  const what = "split" in run ? `split=${run.split}${transfer}${trials}` : `iterations=${run.iterations}`;
  return queryOptions({
    queryKey: ["project", projectId, "estimate", what, offline] as const,
    queryFn: ({ signal }) =>
      getJson<CostEstimate>(`/api/projects/${projectId}/estimate?${what}${offline ? "&offline=1" : ""}`, signal),
  });
};

/** The job workers that are up, on any machine sharing the studio's database. */
export const workersQuery = () =>
  queryOptions({
    queryKey: ["workers"] as const,
    queryFn: ({ signal }) => getJson<LiveWorker[]>("/api/workers", signal),
  });
