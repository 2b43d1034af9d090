import Link from "next/link";
import { notFound } from "next/navigation";
import { cache, Suspense } from "react";
import { Page, Section, Skeleton, Stat, Stats } from "@/components/ui";
import { AllErroredBanner } from "@/components/AllErroredBanner";
import { RunControls } from "@/components/RunControls";
import { CandidatesTable } from "@/components/candidates/CandidatesTable";
import { CandidateTree } from "@/components/candidates/CandidateTree";
import { ProjectCharts } from "@/components/charts/ProjectCharts";
import { projectProgress } from "@/lib/projects/progress";
import { formatInterval, formatRelative, formatScore, formatTokens, formatUsd } from "@/lib/format";
import { bestOf, readCandidates } from "@/lib/candidates/queries";
import { readView, viewRows } from "@/lib/candidates/table-view";
import { getProject, getProjectTotals } from "@/lib/projects/queries";
import { allErroredEvaluations } from "@/lib/evaluations/all-errored";
import { OverviewActivity, readActivity } from "./OverviewActivity";
import { ProjectHeader } from "./ProjectHeader";

// One read of the project per request: the title and the page both need it.
const loadProject = cache(getProject);

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const project = await loadProject((await params).id);
  return { title: project?.name ?? "Project" };
}

export default async function ProjectPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const view = readView(queryOf(await searchParams));
  // Everything at once: the reads of an unknown project's id find nothing, and it is a 404 anyway.
  const activity = readActivity(id);
  const [project, totals, candidates, progress, allErrored] = await Promise.all([
    loadProject(id),
    getProjectTotals(id),
    readCandidates(id),
    projectProgress(id),
    allErroredEvaluations(id),
  ]);
  if (!project) notFound();
  const best = bestOf(candidates);

  return (
    <Page>
      {/* The first frame waits until the parser is past the candidates table (React puts this
          link in the head). Chromium parses in 10 ms slices; on a busy machine the first slice
          ended a dozen rows in, and the frame it painted there (style and layout of the page so
          far) held the rest of the rows back by about 80 ms. */}
      <link rel="expect" href="#activity" blocking="render" />
      <ProjectHeader project={project} active="overview" />
      <RunControls projectId={project.id} initial={progress} />
      <AllErroredBanner projectId={project.id} evaluations={allErrored} />
      <div style={{ height: 16 }} />
      <Stats>
        <Stat
          label="Best search score"
          value={formatScore(best?.searchScore)}
          hint={
            best ? (
              <>
                candidate #{best.number}
                <IntervalHint low={best.searchLow} high={best.searchHigh} />
              </>
            ) : (
              "no evaluation yet"
            )
          }
        />
        <Stat
          label="Its test score"
          value={formatScore(best?.testScore)}
          hint={
            <>
              held-out split
              <IntervalHint low={best?.testLow} high={best?.testHigh} />
            </>
          }
        />
        <Stat label="Iterations" value={totals.iterations} />
        <Stat label="Candidates" value={totals.candidates} />
        <Stat
          label="Tokens"
          value={formatTokens(totals.inputTokens + totals.outputTokens)}
          hint={`${formatTokens(totals.inputTokens)} in · ${formatTokens(totals.outputTokens)} out`}
        />
        <Stat
          label="Cost"
          value={
            totals.unpricedRuns === 0
              ? formatUsd(totals.costUsd)
              : totals.costUsd > 0
                ? `${formatUsd(totals.costUsd)} + unpriced`
                : "unpriced"
          }
          hint={
            totals.unpricedRuns === 0
              ? "evaluations and proposer"
              : `${totals.unpricedRuns} run${totals.unpricedRuns === 1 ? "" : "s"} unpriced: add the model's price in settings`
          }
        />
      </Stats>

      <ProjectCharts projectId={project.id} revision={progress.revision} />

      <Section title="Lineage" hint="Every candidate by iteration, with edges from its parents">
        <CandidateTree projectId={project.id} revision={progress.revision} />
      </Section>

      <Section title="Candidates" hint={`${totals.searchTasks} search and ${totals.testTasks} test tasks`} flush>
        {/* No Suspense boundary: React throttles a boundary's reveal to 300 ms after the first
            paint, and the rows are already here, so the table is part of the first paint. */}
        <CandidatesTable
          projectId={project.id}
          initial={viewRows(candidates.rows, view)}
          revision={progress.revision}
        />
      </Section>

      {/* What the project did, below the table: it streams in after it, so the page's first
          bytes (and the table) do not wait for these reads and their markup. Its start is where
          the first frame may be painted (the link above). */}
      <div id="activity">
        <Suspense fallback={<Skeleton height={480} label="Loading iterations and evaluations" />}>
          <OverviewActivity
            projectId={project.id}
            activity={activity}
            model={project.model}
            offline={!progress.modelConfigured}
          />
        </Suspense>
      </div>

      {project.suite && (
        <Section title="Task suite" hint={project.suite.name}>
          <p className="muted" style={{ whiteSpace: "pre-wrap" }}>
            {project.suite.description || "No description."}
          </p>
        </Section>
      )}
      <p className="faint" style={{ marginTop: 16, fontSize: 12 }}>
        Created {formatRelative(project.createdAt)} · <Link href={`/projects/${project.id}/settings`}>settings</Link>
      </p>
    </Page>
  );
}

/** " · 95% 52.0–80.0%" after a card's hint: the score's interval, when it has one. */
function IntervalHint({ low, high }: { low: number | null | undefined; high: number | null | undefined }) {
  if (low == null || high == null) return null;
  return (
    <span data-score-interval title="The score's 95% interval">
      {" "}
      · 95% {formatInterval(low, high)}
    </span>
  );
}

/** A page's search params as a URL query (a repeated key counts once, as URLSearchParams.get reads it). */
function queryOf(params: Record<string, string | string[] | undefined>): URLSearchParams {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) query.set(key, first);
  }
  return query;
}
