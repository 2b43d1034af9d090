import Link from "next/link";
import { PROPOSER_LABELS } from "@/lib/proposer/labels";
import { notFound } from "next/navigation";
import { cache } from "react";
import { Badge, EmptyState, Page, Section, SimulatedBadge, Stat, Stats, ui } from "@/components/ui";
import { AllErroredBanner } from "@/components/AllErroredBanner";
import { IsolationBadge } from "@/components/IsolationBadge";
import { RunControls } from "@/components/RunControls";
import { CandidatesTable } from "@/components/candidates/CandidatesTable";
import { CandidateTree } from "@/components/candidates/CandidateTree";
import { ProjectCharts } from "@/components/charts/ProjectCharts";
import { projectProgress } from "@/lib/projects/progress";
import {
  formatDuration,
  formatInterval,
  formatRelative,
  formatScore,
  formatTokens,
  formatUsd,
  formatCost,
} from "@/lib/format";
import { bestOf, readCandidates } from "@/lib/candidates/queries";
import { readView, viewRows } from "@/lib/candidates/table-view";
import { getProject, getProjectTotals } from "@/lib/projects/queries";
import { allErroredEvaluations } from "@/lib/evaluations/all-errored";
import { listEvaluations } from "@/lib/evaluations/queries";
import { listIterations } from "@/lib/iterations/queries";
import { stopInWords } from "@/lib/loop/stop";
import { liveWorkers } from "@/lib/jobs/workers";
import { WorkersPanel } from "@/components/workers/WorkersPanel";
import { projectAblations } from "@/lib/ablations/queries";
import { AblationControls } from "@/components/ablations/AblationControls";
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
  const [project, totals, candidates, evaluations, iterations, progress, allErrored, workers, ablations] =
    await Promise.all([
      loadProject(id),
      getProjectTotals(id),
      readCandidates(id),
      listEvaluations(id),
      listIterations(id),
      projectProgress(id),
      allErroredEvaluations(id),
      liveWorkers(),
      projectAblations(id),
    ]);
  if (!project) notFound();
  const best = bestOf(candidates);
  const weakIsolation = evaluations.some((evaluation) => evaluation.isolation === "process");

  return (
    <Page>
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

      <Section
        title="Iterations"
        hint="The proposer's steps, newest first: open one for its transcript, files read and candidates"
        flush
      >
        {iterations.length === 0 ? (
          <EmptyState icon="↻" title="No iterations yet">
            <p>
              Press <strong>Run iteration</strong> above (the seed is scored first), or from a terminal:{" "}
              <code>npx studio optimize --project {project.id} --iterations 3</code>
            </p>
          </EmptyState>
        ) : (
          <table className={ui.table}>
            <thead>
              <tr>
                <th>Iteration</th>
                <th>Status</th>
                <th>Proposer</th>
                <th className={ui.right}>Files read</th>
                <th className={ui.right}>Tokens</th>
                <th className={ui.right}>Cost</th>
                <th>Candidates</th>
                <th>Note</th>
              </tr>
            </thead>
            <tbody>
              {iterations.map((iteration) => (
                <tr key={iteration.id}>
                  <td className={ui.rowTitle}>
                    <Link href={`/projects/${project.id}/iterations/${iteration.number}`}>
                      Iteration {iteration.number}
                    </Link>
                    {iteration.simulated && (
                      <>
                        {" "}
                        <SimulatedBadge />
                      </>
                    )}
                    {iteration.instructionVersion != null && (
                      <span className="faint"> · instructions v{iteration.instructionVersion}</span>
                    )}
                  </td>
                  <td>
                    <Badge
                      tone={iteration.status === "done" ? "pass" : iteration.status === "failed" ? "fail" : "neutral"}
                    >
                      {iteration.status === "running" && iteration.stage ? `${iteration.stage}…` : iteration.status}
                    </Badge>
                  </td>
                  <td>{PROPOSER_LABELS[iteration.proposerKind] ?? iteration.proposerKind}</td>
                  <td className={`${ui.right} num`}>{iteration.filesReadCount}</td>
                  <td className={`${ui.right} num`}>{formatTokens(iteration.inputTokens + iteration.outputTokens)}</td>
                  <td className={`${ui.right} num`}>{formatCost(iteration.costUsd)}</td>
                  <td>
                    {iteration.candidates.length === 0 ? (
                      <span className="faint">none</span>
                    ) : (
                      iteration.candidates.map((candidate) => (
                        <span key={candidate.number} style={{ marginRight: 6 }}>
                          <Badge tone={candidate.status === "rejected" ? "fail" : "neutral"}>#{candidate.number}</Badge>
                        </span>
                      ))
                    )}
                  </td>
                  <td className="muted">
                    {iteration.error ??
                      stopInWords(iteration.stop) ??
                      (iteration.status === "done" && iteration.candidates.length === 0
                        ? "wrote no new candidates (its page says why)"
                        : "")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section
        title="Feedback ablation"
        hint="Raw traces against summaries against scores only, from the same seed with the same budget"
      >
        <AblationControls
          projectId={project.id}
          offline={!progress.modelConfigured}
          isArm={ablations.isArm}
          ablations={ablations.ablations}
        />
      </Section>

      <Section title="Evaluations" hint="Newest first" flush>
        {weakIsolation && (
          <p className={ui.warning}>
            Some evaluations ran with process-level isolation only: their harness code could reach the network and
            world-readable files. Install bubblewrap on the studio&apos;s machine for full isolation.
          </p>
        )}
        {evaluations.length === 0 ? (
          <EmptyState icon="▷" title="No evaluations yet">
            <p>
              The first iteration scores the seed harness; to score it alone:{" "}
              <code>npx studio eval --project {project.id} --split search</code>
            </p>
          </EmptyState>
        ) : (
          <table className={ui.table}>
            <thead>
              <tr>
                <th>Candidate</th>
                <th>Split</th>
                <th>Status</th>
                <th className={ui.right}>Score</th>
                <th className={ui.right}>Passed / failed / errors</th>
                <th className={ui.right}>Tokens</th>
                <th className={ui.right}>Cost</th>
                <th className={ui.right}>Time</th>
                <th>Isolation</th>
                <th className={ui.right}>Started</th>
              </tr>
            </thead>
            <tbody>
              {evaluations.map((evaluation) => (
                <tr key={evaluation.id}>
                  <td className={ui.rowTitle}>
                    <Link
                      href={`/projects/${project.id}/candidates/${evaluation.candidateId}${evaluation.split === "test" ? "?split=test" : ""}`}
                      title={`Task results of #${evaluation.candidateNumber} on ${evaluation.split}`}
                    >
                      #{evaluation.candidateNumber}
                    </Link>
                    {evaluation.simulated && (
                      <>
                        {" "}
                        <SimulatedBadge />
                      </>
                    )}
                  </td>
                  <td>
                    <Badge tone={evaluation.split === "test" ? "accent" : "neutral"}>{evaluation.split}</Badge>
                    {evaluation.model !== project.model && (
                      <>
                        {" "}
                        <Link
                          href={`/projects/${project.id}/transfer`}
                          title="A transfer evaluation: another model than the project's; its score stays out of the search"
                        >
                          <Badge>{evaluation.model}</Badge>
                        </Link>
                      </>
                    )}
                    {evaluation.trials > 1 && <div className="faint">{evaluation.trials} trials</div>}
                  </td>
                  <td>
                    <Badge
                      tone={evaluation.status === "done" ? "pass" : evaluation.status === "failed" ? "fail" : "neutral"}
                    >
                      {evaluation.status}
                    </Badge>
                    {evaluation.status === "failed" && evaluation.error && (
                      <div className={`${ui.rowSub} ${ui.clip}`} title={evaluation.error}>
                        {evaluation.error}
                      </div>
                    )}
                  </td>
                  <td className={`${ui.right} num`}>
                    {formatScore(evaluation.score)}
                    {evaluation.scoreLow != null && (
                      <div className="faint" data-score-interval>
                        {formatInterval(evaluation.scoreLow, evaluation.scoreHigh)}
                      </div>
                    )}
                  </td>
                  <td className={`${ui.right} num`}>
                    {evaluation.passedCount} / {evaluation.failedCount} / {evaluation.errorCount}
                    <span className="faint"> of {evaluation.taskCount * evaluation.trials}</span>
                  </td>
                  <td className={`${ui.right} num`}>
                    {formatTokens(evaluation.inputTokens + evaluation.outputTokens)}
                  </td>
                  <td className={`${ui.right} num`}>{formatCost(evaluation.costUsd)}</td>
                  <td className={`${ui.right} num`}>{formatDuration(evaluation.durationMs)}</td>
                  <td>
                    <IsolationBadge isolation={evaluation.isolation} memoryLimit={evaluation.memoryLimit} />
                  </td>
                  <td className={`${ui.right} muted`}>{formatRelative(evaluation.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>

      <Section
        title="Workers"
        hint="Job workers on this database, any machine: each runs its slots' worth of task runs at once"
        flush
      >
        <WorkersPanel projectId={project.id} initial={workers} />
      </Section>

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
