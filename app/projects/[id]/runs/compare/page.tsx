import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { EmptyState, Page, PageHeader } from "@/components/ui";
import { TimelineSkeleton } from "@/components/trace/TimelineSkeleton";
import { DETAIL_BODY_BYTES, parseIndex, parseKinds, timelineStart, TRACE_PAGE_SIZE } from "@/lib/traces/queries";
import { firstModelRequest } from "@/lib/traces/prompt";
import { getTaskRunView } from "@/lib/traces/task-run-view";
import { parseDiffView } from "@/components/editor/view";
import { CompareColumns, type CompareSide } from "./CompareColumns";
import { PromptDiff } from "./PromptDiff";
import { RunSummary } from "./RunSummary";
import styles from "./compare.module.css";

type Params = Promise<{ id: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

export const metadata = { title: "Traces side by side" };

/** Prompts are prose with long lines: wrapped, side by side, unless the URL says otherwise. */
const PROMPT_VIEW = { inline: false, wrap: true };

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/**
 * Two task runs' traces side by side (?a=<run>&b=<run>), usually one task under two candidates:
 * the outcome diff opens a flipped task here. Each side keeps its own selection and filter in
 * the URL (aEvent, aKind, bEvent, bKind), so a link shows the same two events.
 */
export default async function CompareRunsPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const { id } = await params;
  const query = await searchParams;
  const [aId, bId] = [first(query.a), first(query.b)];
  if (!aId || !bId) {
    return (
      <Page>
        <PageHeader title="Traces side by side" eyebrow={<Link href={`/projects/${id}`}>Project</Link>} />
        <EmptyState icon="⇆" title="Choose two task runs">
          <p>
            Open this page from a task in a candidate <Link href={`/projects/${id}/diff`}>diff</Link>: its “side by
            side” link shows the task under both candidates.
          </p>
        </EmptyState>
      </Page>
    );
  }
  const [a, b] = await Promise.all([getTaskRunView(id, aId), getTaskRunView(id, bId)]);
  if (!a || !b) notFound();

  const side = (
    key: "a" | "b",
  ): Omit<CompareSide, "viewer"> & { kinds: string[] | null; selectedSeq: number | null } => {
    const kinds = parseKinds(first(query[`${key}Kind`]));
    return { key, kinds: kinds === "invalid" ? null : kinds, selectedSeq: parseIndex(first(query[`${key}Event`])) };
  };
  const diffHref = `/projects/${id}/diff?a=${a.candidateId}&b=${b.candidateId}`;
  const sameTask = a.taskKey === b.taskKey;

  return (
    <div className={styles.page} data-width="widest">
      <PageHeader
        eyebrow={
          <>
            <Link href="/projects">Projects</Link> <span>/</span> <Link href={`/projects/${id}`}>{a.projectName}</Link>{" "}
            <span>/</span>{" "}
            <Link href={diffHref}>
              diff #{a.candidateNumber} → #{b.candidateNumber}
            </Link>
          </>
        }
        title={
          sameTask ? `${a.taskKey}: #${a.candidateNumber} and #${b.candidateNumber}` : `${a.taskKey} and ${b.taskKey}`
        }
        description="Two traces side by side. Click a side (or press a / b) to give it the keyboard; j and k move through its events, or through both sides' with “j / k move both” (t)."
      />
      <div className={styles.summaries}>
        <RunSummary run={a} label="A" />
        <RunSummary run={b} label="B" />
      </div>
      <Suspense fallback={null}>
        <Prompts a={a.id} b={b.id} open={first(query.prompt) === "open"} view={first(query.promptView)} />
      </Suspense>
      <Suspense
        fallback={
          <div className={styles.columns}>
            <TimelineSkeleton />
            <TimelineSkeleton />
          </div>
        }
      >
        <Viewers
          a={{ ...side("a"), runId: a.id }}
          b={{ ...side("b"), runId: b.id }}
          together={first(query.together) === "1"}
        />
      </Suspense>
    </div>
  );
}

type ViewerInput = { key: "a" | "b"; runId: string; kinds: string[] | null; selectedSeq: number | null };

async function Prompts(props: { a: string; b: string; open: boolean; view: string | undefined }) {
  const [a, b] = await Promise.all([firstModelRequest(props.a), firstModelRequest(props.b)]);
  return (
    <PromptDiff
      a={a && { runId: props.a, ...a }}
      b={b && { runId: props.b, ...b }}
      open={props.open}
      view={parseDiffView(props.view, PROMPT_VIEW)}
      defaults={PROMPT_VIEW}
    />
  );
}

async function Viewers(props: { a: ViewerInput; b: ViewerInput; together: boolean }) {
  const load = (input: ViewerInput) =>
    timelineStart(
      { taskRunId: input.runId },
      { kinds: input.kinds, selectedSeq: input.selectedSeq, pageSize: TRACE_PAGE_SIZE },
    );
  const [startA, startB] = await Promise.all([load(props.a), load(props.b)]);
  const viewer = (input: ViewerInput, start: Awaited<ReturnType<typeof load>>): CompareSide => ({
    key: input.key,
    viewer: {
      apiBase: `/api/task-runs/${input.runId}`,
      start,
      filter: input.kinds,
      selectedSeq: input.selectedSeq,
      pageSize: TRACE_PAGE_SIZE,
      detailMaxBytes: DETAIL_BODY_BYTES,
      previousHref: null,
      nextHref: null,
      neighbourLabel: "",
      rawTraceHref: `/api/task-runs/${input.runId}/raw`,
      emptyText: "This task run has no trace events.",
    },
  });
  return <CompareColumns sides={[viewer(props.a, startA), viewer(props.b, startB)]} together={props.together} />;
}
