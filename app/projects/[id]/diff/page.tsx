import Link from "next/link";
import { notFound } from "next/navigation";
import { Suspense } from "react";
import { DiffPicker, OutcomeDiffTable, parseChange } from "@/components/candidates/OutcomeDiff";
import { candidateHref } from "@/components/candidates/format";
import { Hypotheses } from "@/components/candidates/Hypotheses";
import { DiffView } from "@/components/editor/DiffView";
import { parseDiffView } from "@/components/editor/view";
import { EDITOR_LINE_HEIGHT, editorHeight } from "@/components/editor/height";
import { Badge, EmptyState, Page, PageHeader, Section, Skeleton, ui } from "@/components/ui";
import { formatScore } from "@/lib/format";
import type { OutcomeChange } from "@/lib/evaluations/queries";
import { diffTaskOutcomes, getCandidateEvaluations, type EvaluationBrief } from "@/lib/evaluations/queries";
import { getCandidateSource, listCandidateOptions } from "@/lib/candidates/queries";
import { getProject } from "@/lib/projects/queries";
import { evaluationAudit } from "@/lib/audit/queries";
import { compareAudits } from "@/lib/audit/summary";
import { AuditComparisonView } from "@/components/audit/Audit";
import styles from "@/components/candidates/candidate.module.css";

/** Code reads best side by side and unwrapped; both can be changed on the page. */
const SOURCE_VIEW = { inline: false, wrap: false };

type Query = Promise<Record<string, string | string[] | undefined>>;

function one(value: string | string[] | undefined): string | null {
  return typeof value === "string" && value ? value : null;
}

export async function generateMetadata({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Query;
}) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const [a, b] = await Promise.all([
    one(query.a) ? getCandidateSource(id, one(query.a)!) : null,
    one(query.b) ? getCandidateSource(id, one(query.b)!) : null,
  ]);
  return { title: a && b ? `Diff #${a.number} → #${b.number}` : "Diff" };
}

export default async function DiffPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Query;
}) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const project = await getProject(id);
  if (!project) notFound();
  const options = await listCandidateOptions(project.id);
  const action = `/projects/${project.id}/diff`;

  // b alone: compare it with its first parent.
  const bId = one(query.b);
  const b = bId ? await getCandidateSource(project.id, bId) : null;
  const aId = one(query.a) ?? b?.parents[0]?.parentId ?? null;
  const a = aId ? await getCandidateSource(project.id, aId) : null;
  // In the order of the address (a, then b), as the person typed them.
  const missing = [one(query.a) && !a ? one(query.a) : null, bId && !b ? bId : null].filter(Boolean);

  const header = (
    <PageHeader
      eyebrow={
        <>
          <Link href="/projects">Projects</Link> <span>/</span>{" "}
          <Link href={`/projects/${project.id}`}>{project.name}</Link> <span>/</span> <span>Diff</span>
        </>
      }
      title={a && b ? `Diff #${a.number} → #${b.number}` : "Diff two candidates"}
      description={
        a && b
          ? "What each set out to do, the source change, and the tasks whose outcome it changed on the search split."
          : undefined
      }
    />
  );

  if (!a || !b) {
    return (
      <Page>
        {header}
        <Section title="Choose two candidates">
          {missing.length > 0 && (
            <p className={ui.error} style={{ marginBottom: 12 }}>
              No candidate {missing.join(" or ")} in this project.
            </p>
          )}
          {b && !a && !missing.length && (
            <p className="muted" style={{ marginBottom: 12 }}>
              #{b.number} has no parent to compare with: choose another candidate as A.
            </p>
          )}
          {options.length < 2 ? (
            <EmptyState icon="⇄" title="Nothing to compare yet">
              <p>
                A diff needs two candidates; this project has {options.length}. Run an iteration, or edit a candidate
                and save it as a new one.
              </p>
            </EmptyState>
          ) : (
            <DiffPicker action={action} options={options} a={a?.id ?? null} b={b?.id ?? null} />
          )}
        </Section>
      </Page>
    );
  }

  const [evalsA, evalsB] = await Promise.all([getCandidateEvaluations(a.id), getCandidateEvaluations(b.id)]);
  const show = parseChange(query.show);
  const identical = a.source === b.source;
  // Room for the horizontal scrollbar and a few lines of context after the last change.
  const height =
    Math.max(editorHeight(a.source, { max: 40 }), editorHeight(b.source, { max: 40 })) + 2 * EDITOR_LINE_HEIGHT;

  return (
    <Page>
      {header}
      <Hypotheses projectId={project.id} a={a} b={b} />
      <Section
        title="Source"
        hint={identical ? "The two sources are identical" : "A on the left, B on the right · read-only"}
      >
        <div className={styles.diffHead}>
          <div className={styles.diffSide}>
            <Badge>A</Badge>
            <Link href={candidateHref(project.id, a.id)}>#{a.number}</Link>
            <span className="faint">
              {a.origin} · search {formatScore(evalsA.search.done?.score)}
            </span>
          </div>
          <div className={styles.diffSide}>
            <Badge tone="accent">B</Badge>
            <Link href={candidateHref(project.id, b.id)}>#{b.number}</Link>
            <span className="faint">
              {b.origin} · search {formatScore(evalsB.search.done?.score)}
            </span>
            <Link href={`${action}?a=${b.id}&b=${a.id}`} style={{ marginLeft: "auto", fontSize: 12.5 }}>
              swap A and B
            </Link>
          </div>
        </div>
        <DiffView
          original={a.source}
          modified={b.source}
          originalPath={`diff/${a.id}/harness.ts`}
          modifiedPath={`diff/${b.id}/harness.ts`}
          height={height}
          param="view"
          initial={parseDiffView(query.view, SOURCE_VIEW)}
          defaults={SOURCE_VIEW}
          label="Source diff"
        />
        <details style={{ marginTop: 12 }}>
          <summary className="muted" style={{ cursor: "pointer", fontSize: 13 }}>
            Compare other candidates
          </summary>
          <div style={{ marginTop: 10 }}>
            <DiffPicker action={action} options={options} a={a.id} b={b.id} />
          </div>
        </details>
      </Section>

      <Suspense
        fallback={
          <Section title="Audit" hint="Newest search evaluation of each">
            <Skeleton height={200} label="Loading the audit" />
          </Section>
        }
      >
        <AuditSection a={a} b={b} searchA={evalsA.search.newest} searchB={evalsB.search.newest} />
      </Suspense>

      <Suspense
        fallback={
          <Section title="Task outcomes" hint="Newest search evaluation of each">
            <Skeleton height={240} label="Loading the task outcomes" />
          </Section>
        }
      >
        <OutcomeSection
          projectId={project.id}
          action={action}
          a={a}
          b={b}
          searchA={evalsA.search.newest}
          searchB={evalsB.search.newest}
          show={show}
          view={one(query.view)}
        />
      </Suspense>
    </Page>
  );
}

type Side = { id: string; number: number };
type SearchEvaluation = EvaluationBrief | null;

/** What grew, what shrank, which tools came and went: the audits of both newest search evaluations. */
async function AuditSection(props: { a: Side; b: Side; searchA: SearchEvaluation; searchB: SearchEvaluation }) {
  const [auditA, auditB] = await Promise.all([
    props.searchA ? evaluationAudit(props.searchA.id) : null,
    props.searchB ? evaluationAudit(props.searchB.id) : null,
  ]);
  if (!auditA || !auditB) {
    return (
      <Section title="Audit" hint="Newest search evaluation of each">
        <p className="faint">Both need finished task runs on search to compare their audits.</p>
      </Section>
    );
  }
  return (
    <Section
      title="Audit"
      hint="Newest search evaluation of each · means per task · ▲ grew, ▼ shrank from A to B"
      flush
    >
      <AuditComparisonView comparison={compareAudits(auditA, auditB)} a={props.a.number} b={props.b.number} />
    </Section>
  );
}

async function OutcomeSection(props: {
  projectId: string;
  action: string;
  a: Side;
  b: Side;
  searchA: SearchEvaluation;
  searchB: SearchEvaluation;
  show: OutcomeChange | null;
  /** The source diff's view (?view=inline,wrap), kept by the filter links. */
  view: string | null;
}) {
  const { a, b, searchA, searchB } = props;
  if (!searchA || !searchB) {
    const missing = [!searchA ? a : null, !searchB ? b : null].filter(
      (candidate): candidate is Side => candidate !== null,
    );
    return (
      <Section title="Task outcomes" hint="Newest search evaluation of each" flush>
        <EmptyState icon="▷" title="Both need a search evaluation">
          <p>
            {missing.map((candidate, index) => (
              <span key={candidate.id}>
                {index > 0 ? " and " : ""}
                <Link href={candidateHref(props.projectId, candidate.id)}>#{candidate.number}</Link>
              </span>
            ))}{" "}
            {missing.length > 1 ? "have" : "has"} not been evaluated on search yet: open it and use “Evaluate on
            search”.
          </p>
        </EmptyState>
      </Section>
    );
  }
  const diff = await diffTaskOutcomes(searchA.id, searchB.id);
  const hrefFor = (change: OutcomeChange | null) =>
    `${props.action}?a=${a.id}&b=${b.id}${change ? `&show=${change}` : ""}${props.view ? `&view=${encodeURIComponent(props.view)}` : ""}`;
  return (
    <Section title="Task outcomes" hint="Newest search evaluation of each" flush>
      <div className={styles.scores}>
        <span>
          A · #{a.number}: <strong>{formatScore(searchA.score)}</strong> ({searchA.passedCount} of{" "}
          {searchA.taskCount * searchA.trials} task runs passed{searchA.status === "done" ? "" : `, ${searchA.status}`})
        </span>
        <span>
          B · #{b.number}: <strong>{formatScore(searchB.score)}</strong> ({searchB.passedCount} of{" "}
          {searchB.taskCount * searchB.trials} task runs passed{searchB.status === "done" ? "" : `, ${searchB.status}`})
        </span>
      </div>
      <OutcomeDiffTable projectId={props.projectId} diff={diff} a={a} b={b} show={props.show} hrefFor={hrefFor} />
    </Section>
  );
}
