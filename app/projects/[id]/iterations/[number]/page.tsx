import { notFound } from "next/navigation";
import { PROPOSER_LABELS } from "@/lib/proposer/labels";
import { cache, Suspense } from "react";
import { Section } from "@/components/ui";
import { TimelineSkeleton } from "@/components/trace/TimelineSkeleton";
import { TraceViewer } from "@/components/trace/TraceViewer";
import {
  getIterationView,
  listClosingNotes,
  listFilesRead,
  listIterationCandidates,
  listIterationChecks,
} from "@/lib/iterations/queries";
import { DETAIL_BODY_BYTES, parseIndex, parseKinds, timelineStart, TRACE_PAGE_SIZE } from "@/lib/traces/queries";
import { FilesRead } from "./FilesRead";
import { RejectedProposals, WrittenCandidates } from "./IterationCandidates";
import { IterationChecks } from "./IterationChecks";
import { IterationHeader } from "./IterationHeader";
import { IterationProgress } from "./IterationProgress";
import styles from "./page.module.css";

type Params = Promise<{ id: string; number: string }>;
type Search = Promise<Record<string, string | string[] | undefined>>;

const loadIteration = cache(async (projectId: string, rawNumber: string) => {
  const number = parseIndex(rawNumber, 1_000_000_000);
  return number == null ? null : getIterationView(projectId, number);
});

export async function generateMetadata({ params }: { params: Params }) {
  const { id, number } = await params;
  const iteration = await loadIteration(id, number);
  return { title: iteration ? `Iteration ${iteration.number} · ${iteration.projectName}` : "Iteration" };
}

/**
 * One iteration: what the proposer ran with and cost, the candidates it wrote and how they
 * scored, the files it read (linked to what they are), and its own transcript in the trace
 * viewer. The header is read before anything is sent (an unknown number is a real 404); the
 * transcript streams in behind a skeleton.
 */
export default async function IterationPage({ params, searchParams }: { params: Params; searchParams: Search }) {
  const { id, number } = await params;
  const query = await searchParams;
  const iteration = await loadIteration(id, number);
  if (!iteration) notFound();
  const [candidates, files, checks] = await Promise.all([
    listIterationCandidates(iteration.id),
    listFilesRead(id, iteration),
    listIterationChecks(iteration.id),
  ]);

  const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);
  const parsedKinds = parseKinds(first(query.kind));
  const kinds = parsedKinds === "invalid" ? null : parsedKinds;
  const selectedSeq = parseIndex(first(query.event));
  const running = iteration.status === "running" || iteration.status === "queued";
  const rawHref = `/api/iterations/${iteration.id}/raw`;
  const neighbour = (n: number | null) => (n == null ? null : `/projects/${id}/iterations/${n}`);
  const count = (status: string) => candidates.filter((candidate) => candidate.status === status).length;
  // An iteration that wrote nothing says why at the end of its transcript: bring that up here.
  const closingNotes = !running && candidates.length === 0 ? await listClosingNotes(iteration.id) : [];

  return (
    <div className={styles.page} data-width="wide">
      <IterationHeader
        iteration={iteration}
        filesRead={Math.max(iteration.filesReadCount, files.length)}
        candidates={{ valid: count("valid"), rejected: count("rejected"), pending: count("pending") }}
        rawHref={rawHref}
      />
      {running && (
        <IterationProgress
          projectId={id}
          number={iteration.number}
          stage={iteration.stage}
          progress={iteration.progress}
        />
      )}

      <div className={styles.split}>
        <div>
          <WrittenCandidates
            projectId={id}
            candidates={candidates}
            running={running}
            stage={iteration.stage}
            closingNotes={closingNotes}
          />
          <RejectedProposals projectId={id} candidates={candidates} />
          <IterationChecks projectId={id} checks={checks} />
        </div>
        <Section title="Files read" hint="In the order first read; the time opens that read in the transcript" flush>
          <FilesRead projectId={id} files={files} startMs={iteration.firstEventMs} running={running} />
        </Section>
      </div>

      <div className={styles.heading}>
        <h2 id="transcript">The proposer&apos;s transcript</h2>
        <p>
          Every model call, tool call and result, file read and note, in order; a body loads when its event is opened
        </p>
      </div>
      <Suspense fallback={<TimelineSkeleton label="Loading the transcript…" />}>
        <Transcript
          key={`${iteration.id}:${selectedSeq ?? ""}:${kinds?.join(",") ?? ""}`}
          iterationId={iteration.id}
          kinds={kinds}
          selectedSeq={selectedSeq}
          previousHref={neighbour(iteration.previousNumber)}
          nextHref={neighbour(iteration.nextNumber)}
          rawHref={rawHref}
          live={running}
          proposerKind={iteration.proposerKind}
        />
      </Suspense>
    </div>
  );
}

async function Transcript(props: {
  iterationId: string;
  kinds: string[] | null;
  selectedSeq: number | null;
  previousHref: string | null;
  nextHref: string | null;
  rawHref: string;
  live: boolean;
  proposerKind: string;
}) {
  const start = await timelineStart(
    { iterationId: props.iterationId },
    { kinds: props.kinds, selectedSeq: props.selectedSeq, pageSize: TRACE_PAGE_SIZE },
  );
  return (
    <TraceViewer
      apiBase={`/api/iterations/${props.iterationId}`}
      start={start}
      filter={props.kinds}
      selectedSeq={props.selectedSeq}
      pageSize={TRACE_PAGE_SIZE}
      detailMaxBytes={DETAIL_BODY_BYTES}
      previousHref={props.previousHref}
      nextHref={props.nextHref}
      neighbourLabel="iteration"
      rawTraceHref={props.rawHref}
      emptyText={
        props.live
          ? "The proposer has not recorded anything yet: the workspace is being brought up to date, or the proposer is starting."
          : `This iteration has no transcript: it ended before the ${PROPOSER_LABELS[props.proposerKind] ?? props.proposerKind} proposer recorded anything.`
      }
      live={props.live}
    />
  );
}
