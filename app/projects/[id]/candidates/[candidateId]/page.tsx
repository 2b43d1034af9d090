import Link from "next/link";
import { notFound } from "next/navigation";
import { cache, Suspense } from "react";
import { CandidateSource } from "@/components/candidates/CandidateSource";
import { Collapsed } from "@/components/candidates/Collapsed";
import { EvaluationPanel } from "@/components/candidates/EvaluationPanel";
import { candidateEvaluationState } from "@/lib/evaluations/state";
import { candidateHref, candidateStatusTone, shortId } from "@/components/candidates/format";
import { parseOutcome, TaskResults } from "@/components/candidates/TaskResults";
import { Badge, EmptyState, Page, PageHeader, Section, SimulatedBadge, Skeleton, ui } from "@/components/ui";
import { formatRelative, formatScore } from "@/lib/format";
import {
  countTaskResults,
  getCandidateEvaluations,
  listTaskResults,
  TASK_RESULTS_PAGE,
  type TaskOutcome,
} from "@/lib/evaluations/queries";
import { getCandidateDetail } from "@/lib/candidates/queries";
import { getProject } from "@/lib/projects/queries";
import { evaluationAudit } from "@/lib/audit/queries";
import { AuditSummaryView } from "@/components/audit/Audit";
import { readSettings, trialsFor } from "@/lib/projects/settings";
import styles from "@/components/candidates/candidate.module.css";

type Params = Promise<{ id: string; candidateId: string }>;

/** One read per request, shared by the sections that stream in below the header. */
const evaluationsOf = cache(getCandidateEvaluations);

export async function generateMetadata({ params }: { params: Params }) {
  const { id, candidateId } = await params;
  const candidate = await getCandidateDetail(id, candidateId);
  return { title: candidate ? `Candidate #${candidate.number}` : "Candidate" };
}

export default async function CandidatePage({
  params,
  searchParams,
}: {
  params: Params;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id, candidateId } = await params;
  const query = await searchParams;
  const [project, candidate] = await Promise.all([getProject(id), getCandidateDetail(id, candidateId)]);
  if (!project || !candidate) notFound();

  const outcome = parseOutcome(query.results);
  const resultsPage = Math.max(1, Math.floor(Number(query.page)) || 1);
  const split = query.split === "test" ? "test" : "search";
  const basePath = candidateHref(project.id, candidate.id);
  const firstParent = candidate.parents[0];
  const diffHref = firstParent ? `/projects/${project.id}/diff?a=${firstParent.id}&b=${candidate.id}` : null;
  const created = query.created === "1";

  return (
    <Page>
      <PageHeader
        eyebrow={
          <>
            <Link href="/projects">Projects</Link> <span>/</span>{" "}
            <Link href={`/projects/${project.id}`}>{project.name}</Link> <span>/</span> <span>Candidates</span>
          </>
        }
        title={`Candidate #${candidate.number}`}
        badges={
          <>
            <Badge tone={candidate.origin === "person" ? "accent" : "neutral"}>{candidate.origin}</Badge>
            <Badge tone={candidateStatusTone(candidate.status)}>{candidate.status}</Badge>
            {candidate.iterationNumber != null && <Badge>iteration {candidate.iterationNumber}</Badge>}
            {candidate.simulated && <SimulatedBadge />}
          </>
        }
        description={candidate.hypothesis ?? undefined}
        actions={
          diffHref ? (
            <Link className={ui.button} href={diffHref}>
              Diff with parent #{firstParent!.number}
            </Link>
          ) : undefined
        }
      />

      {created && (
        <Suspense fallback={null}>
          <CreatedNotice
            candidateId={candidate.id}
            number={candidate.number}
            parentNumber={firstParent?.number ?? null}
          />
        </Suspense>
      )}

      {candidate.status === "rejected" && candidate.rejectReason && (
        <p className={ui.error} style={{ marginTop: 16, whiteSpace: "pre-wrap" }} role="note">
          <strong>Rejected:</strong> {candidate.rejectReason}
        </p>
      )}

      <div className={styles.top}>
        <Section title="About" flush>
          <dl className={`${ui.kv} ${styles.kvWide}`}>
            <dt>Origin</dt>
            <dd>
              {candidate.origin === "seed"
                ? "seed harness"
                : candidate.origin === "person"
                  ? "written by a person"
                  : "written by the proposer"}
            </dd>
            <dt>Iteration</dt>
            <dd>
              {candidate.iterationNumber != null ? (
                <Link href={`/projects/${project.id}/iterations/${candidate.iterationNumber}`}>
                  iteration {candidate.iterationNumber}
                </Link>
              ) : (
                <span className="faint">—</span>
              )}
            </dd>
            <dt>Parents</dt>
            <dd>
              {candidate.parents.length === 0 ? (
                <span className="faint">none</span>
              ) : (
                <span className={styles.links}>
                  {candidate.parents.map((parent) => (
                    <Link key={parent.id} href={candidateHref(project.id, parent.id)}>
                      #{parent.number} <span className="faint">({parent.origin})</span>
                    </Link>
                  ))}
                </span>
              )}
            </dd>
            <dt>Children</dt>
            <dd>
              {candidate.children.length === 0 ? (
                <span className="faint">none yet</span>
              ) : (
                <span className={styles.links}>
                  {candidate.children.map((child) => (
                    <Link key={child.id} href={candidateHref(project.id, child.id)}>
                      #{child.number}{" "}
                      <span className="faint">
                        ({child.origin}
                        {child.status === "valid" ? "" : `, ${child.status}`})
                      </span>
                    </Link>
                  ))}
                </span>
              )}
            </dd>
            {candidate.axis && (
              <>
                <dt>Axis</dt>
                <dd>{candidate.axis}</dd>
              </>
            )}
            {/* (the hypothesis is the page header's description) */}
            <dt>Rationale</dt>
            <dd>
              {candidate.rationale ? (
                <Collapsed text={candidate.rationale} what="rationale" />
              ) : (
                <span className="faint">none given</span>
              )}
            </dd>
            {candidate.rejectReason && (
              <>
                <dt>Reject reason</dt>
                <dd className={styles.prose} style={{ color: "var(--fail)" }}>
                  {candidate.rejectReason}
                </dd>
              </>
            )}
            <dt>Created</dt>
            <dd>
              {formatRelative(candidate.createdAt)} <span className="faint">· id </span>
              <code title={candidate.id}>{shortId(candidate.id)}</code> <span className="faint">· sha256 </span>
              <code title={candidate.sha256}>{candidate.sha256.slice(0, 10)}</code>
            </dd>
          </dl>
        </Section>
        <Section title="Evaluations" hint="Buttons queue the work; the job worker runs it">
          <Suspense fallback={<Skeleton height={240} label="Loading evaluations" />}>
            <Evaluations
              projectId={project.id}
              candidateId={candidate.id}
              candidateStatus={candidate.status}
              highlight={created}
              defaultTrials={{
                search: trialsFor(readSettings(project.settings), "search"),
                test: trialsFor(readSettings(project.settings), "test"),
              }}
            />
          </Suspense>
        </Section>
      </div>

      <Section title="Source" hint="TypeScript · the whole harness module">
        <CandidateSource
          projectId={project.id}
          candidateId={candidate.id}
          number={candidate.number}
          source={candidate.source}
          editable
        />
      </Section>

      <Suspense
        fallback={
          <Section title="Audit" hint={`Newest ${split} evaluation`}>
            <Skeleton height={200} label="Loading the audit" />
          </Section>
        }
      >
        <AuditSection candidateId={candidate.id} split={split} />
      </Suspense>

      <Suspense
        fallback={
          <Section title="Task results" hint={`Newest ${split} evaluation`}>
            <Skeleton height={320} label="Loading task results" />
          </Section>
        }
      >
        <TaskResultsSection
          projectId={project.id}
          candidateId={candidate.id}
          basePath={basePath}
          split={split}
          outcome={outcome}
          page={resultsPage}
        />
      </Suspense>
    </Page>
  );
}

async function CreatedNotice(props: { candidateId: string; number: number; parentNumber: number | null }) {
  const evaluations = await evaluationsOf(props.candidateId);
  return (
    <div className={styles.notice} role="status">
      Saved as candidate #{props.number}
      {props.parentNumber != null ? `, a child of #${props.parentNumber}` : ""}.
      {evaluations.search.newest ? "" : " It has no score yet: evaluate it on search to see how it does."}
    </div>
  );
}

async function Evaluations(props: {
  projectId: string;
  candidateId: string;
  candidateStatus: string;
  highlight: boolean;
  defaultTrials: Record<"search" | "test", number>;
}) {
  const evaluations = await evaluationsOf(props.candidateId);
  return (
    <EvaluationPanel
      projectId={props.projectId}
      candidateId={props.candidateId}
      candidateStatus={props.candidateStatus}
      initial={candidateEvaluationState(evaluations)}
      highlight={props.highlight ? "search" : undefined}
      defaultTrials={props.defaultTrials}
    />
  );
}

/** The harness audit of the newest evaluation on the split the task results show. */
async function AuditSection(props: { candidateId: string; split: "search" | "test" }) {
  const evaluation = (await evaluationsOf(props.candidateId))[props.split].newest;
  const summary = evaluation ? await evaluationAudit(evaluation.id) : null;
  const title = props.split === "test" ? "Audit · test" : "Audit · search";
  if (!summary) {
    return (
      <Section title={title} hint="Tokens, calls, tools and time per task, from the raw requests">
        <p className="faint">No finished task runs on {props.split} yet.</p>
      </Section>
    );
  }
  return (
    <Section
      title={title}
      hint={`Newest ${props.split} evaluation${evaluation!.status === "done" ? "" : ` (${evaluation!.status})`} · from the raw requests of its task runs`}
      flush
    >
      <AuditSummaryView summary={summary} />
    </Section>
  );
}

async function TaskResultsSection(props: {
  projectId: string;
  candidateId: string;
  basePath: string;
  split: "search" | "test";
  outcome: TaskOutcome | null;
  /** 1-based, TASK_RESULTS_PAGE tasks each. */
  page: number;
}) {
  const { split } = props;
  const evaluation = (await evaluationsOf(props.candidateId))[split].newest;
  // The split and the outcome filter live in the URL, so a link shows the same results.
  // A new split or filter starts at the first page.
  const href = (next: { split?: "search" | "test"; outcome?: TaskOutcome | null; page?: number }) => {
    const params = new URLSearchParams();
    const nextSplit = next.split ?? split;
    const nextOutcome = next.outcome === undefined ? props.outcome : next.outcome;
    if (nextSplit === "test") params.set("split", "test");
    if (nextOutcome) params.set("results", nextOutcome);
    if (next.page && next.page > 1) params.set("page", String(next.page));
    const query = params.toString();
    return `${props.basePath}${query ? `?${query}` : ""}`;
  };
  const splits = (
    <nav className={ui.segmented} aria-label="Split">
      {(["search", "test"] as const).map((key) => (
        <Link
          key={key}
          href={href({ split: key, outcome: null })}
          scroll={false}
          aria-current={key === split ? "page" : undefined}
          data-split-results={key}
        >
          {key}
        </Link>
      ))}
    </nav>
  );
  if (!evaluation) {
    return (
      <Section title={<>Task results {splits}</>} hint={`${split === "search" ? "Search" : "Test"} split`} flush>
        <EmptyState icon="▷" title={`Not evaluated on ${split} yet`}>
          <p>Use “Evaluate on {split}” above: each task&apos;s outcome, output and trace will be listed here.</p>
        </EmptyState>
      </Section>
    );
  }
  const [rows, counts] = await Promise.all([
    listTaskResults(evaluation.id, props.outcome, {
      offset: (props.page - 1) * TASK_RESULTS_PAGE,
      limit: TASK_RESULTS_PAGE,
    }),
    countTaskResults(evaluation.id),
  ]);
  // Tasks, not task runs: with trials, a task's trials share its row.
  const shown = props.outcome ? (counts[props.outcome] ?? 0) : evaluation.taskCount;
  return (
    <Section
      title={<>Task results {splits}</>}
      hint={`Newest ${split} evaluation · ${evaluation.status}${evaluation.score != null ? ` · ${formatScore(evaluation.score)}` : ""} · started ${formatRelative(evaluation.createdAt)}`}
      flush
    >
      <TaskResults
        projectId={props.projectId}
        hrefFor={(outcome) => href({ outcome })}
        rows={rows}
        counts={counts}
        outcome={props.outcome}
        taskCount={evaluation.taskCount}
        trials={evaluation.trials}
        pages={{
          page: props.page,
          size: TASK_RESULTS_PAGE,
          total: shown,
          hrefFor: (page) => href({ page }),
        }}
      />
    </Section>
  );
}
