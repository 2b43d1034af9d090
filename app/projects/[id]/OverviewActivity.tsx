import Link from "next/link";
import { Badge, EmptyState, Section, SimulatedBadge, ui } from "@/components/ui";
import { IsolationBadge } from "@/components/IsolationBadge";
import { AblationControls } from "@/components/ablations/AblationControls";
import { WorkersPanel } from "@/components/workers/WorkersPanel";
import { projectAblations } from "@/lib/ablations/queries";
import { listEvaluations } from "@/lib/evaluations/queries";
import { formatCost, formatDuration, formatInterval, formatRelative, formatScore, formatTokens } from "@/lib/format";
import { listIterations } from "@/lib/iterations/queries";
import { liveWorkers } from "@/lib/jobs/workers";
import { stopInWords } from "@/lib/loop/stop";
import { PROPOSER_LABELS } from "@/lib/proposer/labels";

/** The reads the activity shows; the page starts them with its own, so they run at once. */
export function readActivity(projectId: string) {
  const reads = Promise.all([
    listIterations(projectId),
    projectAblations(projectId),
    listEvaluations(projectId),
    liveWorkers(),
  ]);
  // Awaited in OverviewActivity; a page that fails before rendering it must not leave this unhandled.
  reads.catch(() => {});
  return reads;
}

/**
 * The overview below its candidates table: the proposer's iterations, the feedback ablation, the
 * newest evaluations and the job workers. Drawn behind the page's Suspense boundary, so the page
 * above it is sent first.
 */
export async function OverviewActivity({
  projectId,
  activity,
  model,
  offline,
}: {
  projectId: string;
  activity: ReturnType<typeof readActivity>;
  /** The project's model: an evaluation on another is a transfer evaluation, and says so. */
  model: string;
  /** No model API key: runs go offline. */
  offline: boolean;
}) {
  const [iterations, ablations, evaluations, workers] = await activity;
  const weakIsolation = evaluations.some((evaluation) => evaluation.isolation === "process");
  return (
    <>
      <Section
        title="Iterations"
        hint="The proposer's steps, newest first: open one for its transcript, files read and candidates"
        flush
      >
        {iterations.length === 0 ? (
          <EmptyState icon="↻" title="No iterations yet">
            <p>
              Press <strong>Run iteration</strong> above (the seed is scored first), or from a terminal:{" "}
              <code>npx studio optimize --project {projectId} --iterations 3</code>
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
                    <Link href={`/projects/${projectId}/iterations/${iteration.number}`}>
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
          projectId={projectId}
          offline={offline}
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
              <code>npx studio eval --project {projectId} --split search</code>
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
                      href={`/projects/${projectId}/candidates/${evaluation.candidateId}${evaluation.split === "test" ? "?split=test" : ""}`}
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
                    {evaluation.model !== model && (
                      <>
                        {" "}
                        <Link
                          href={`/projects/${projectId}/transfer`}
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
        <WorkersPanel projectId={projectId} initial={workers} />
      </Section>
    </>
  );
}
