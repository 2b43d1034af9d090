import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge, Page, PageHeader, Section, SimulatedBadge, ui } from "@/components/ui";
import { AblationChart } from "@/components/ablations/AblationChart";
import { RefreshWhileRunning } from "@/components/ablations/RefreshWhileRunning";
import styles from "@/components/ablations/ablations.module.css";
import { getAblation, type Arm } from "@/lib/ablations/queries";
import { formatCost, formatRelative, formatScore, formatTokens } from "@/lib/format";
import { FEEDBACK_LABELS, PAPER_MEDIANS } from "@/lib/loop/feedback";

export const metadata = { title: "Feedback ablation" };

/** The comparison of a feedback ablation's modes: score against iteration, tokens, files read, frontier. */
export default async function AblationPage({ params }: { params: Promise<{ id: string }> }) {
  const ablation = await getAblation((await params).id);
  if (!ablation) notFound();
  const { arms } = ablation;
  const running = arms.some((arm) => arm.optimization?.status === "queued" || arm.optimization?.status === "running");
  const lastIteration = Math.max(0, ...arms.flatMap((arm) => arm.iterations.map((iteration) => iteration.number)));

  return (
    <Page>
      <RefreshWhileRunning running={running} />
      <PageHeader
        eyebrow={
          <>
            <Link href="/projects">Projects</Link> <span>/</span>{" "}
            {ablation.sourceProjectId ? (
              <Link href={`/projects/${ablation.sourceProjectId}`}>{ablation.name}</Link>
            ) : (
              ablation.name
            )}{" "}
            <span>/</span>
          </>
        }
        title="Feedback ablation"
        badges={
          <>
            <Badge>{ablation.iterations} iterations per mode</Badge>
            {ablation.simulated && <SimulatedBadge />}
            {running && <Badge tone="warn">running</Badge>}
          </>
        }
        description={
          <>
            The same seed, suite, settings and budget, optimized once per feedback mode, each in its own project so no
            mode sees another&apos;s candidates. Raw traces are the product&apos;s default; the summary and scores-only
            modes exist only to test the method&apos;s finding on this task (search-set medians in the paper: raw traces{" "}
            {PAPER_MEDIANS.raw.toFixed(1)}, scores + summaries {PAPER_MEDIANS.summary}, scores only{" "}
            {PAPER_MEDIANS.scores}). Started {formatRelative(ablation.createdAt)}.
          </>
        }
      />

      <Section
        title="Best search score"
        hint="Best so far, by iteration (0 = the seed, the same harness in every mode)"
      >
        <AblationChart
          series={arms.map((arm) => ({
            feedback: arm.feedback,
            label: FEEDBACK_LABELS[arm.feedback],
            points: arm.progress.map(({ iteration, best }) => ({ iteration, best })),
          }))}
        />
      </Section>

      <Section title="Modes" hint="Each mode's project, run and spending" flush>
        <table className={ui.table} data-testid="ablation-modes">
          <thead>
            <tr>
              <th>Feedback</th>
              <th>Project</th>
              <th>Run</th>
              <th className={ui.right}>Best search</th>
              <th className={ui.right}>Proposer tokens</th>
              <th className={ui.right}>of which summaries</th>
              <th className={ui.right}>Evaluation tokens</th>
              <th className={ui.right}>Cost</th>
              <th className={ui.right}>Paper median</th>
            </tr>
          </thead>
          <tbody>
            {arms.map((arm) => (
              <tr key={arm.feedback} data-feedback={arm.feedback}>
                <td className={ui.rowTitle}>{FEEDBACK_LABELS[arm.feedback]}</td>
                <td>
                  <Link href={`/projects/${arm.project.id}`}>{arm.project.name}</Link>
                </td>
                <td style={{ whiteSpace: "nowrap" }}>{runCell(arm)}</td>
                <td className={`${ui.right} num`} data-testid="best-search">
                  {formatScore(arm.progress.at(-1)?.best)}
                </td>
                <td className={`${ui.right} num`}>{formatTokens(arm.tokens.proposer)}</td>
                <td className={`${ui.right} num`}>
                  {arm.feedback === "summary"
                    ? formatTokens(arm.iterations.reduce((sum, iteration) => sum + iteration.summaryTokens, 0))
                    : "—"}
                </td>
                <td className={`${ui.right} num`}>{formatTokens(arm.tokens.evaluations)}</td>
                <td className={`${ui.right} num`}>{costCell(arm)}</td>
                <td className={`${ui.right} num`}>{PAPER_MEDIANS[arm.feedback].toFixed(1)}%</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section
        title="Files read per iteration"
        hint="What each mode's proposer read, and its tokens (summaries included)"
        flush
      >
        <table className={ui.table} data-testid="ablation-files-read">
          <thead>
            <tr>
              <th>Iteration</th>
              {arms.map((arm) => (
                <th key={arm.feedback} className={ui.right}>
                  {FEEDBACK_LABELS[arm.feedback]}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {lastIteration === 0 && (
              <tr>
                <td colSpan={arms.length + 1} className="faint">
                  No iteration has started yet: each mode scores the seed first.
                </td>
              </tr>
            )}
            {Array.from({ length: lastIteration }, (_, index) => index + 1).map((number) => (
              <tr key={number}>
                <td>Iteration {number}</td>
                {arms.map((arm) => {
                  const iteration = arm.iterations.find((item) => item.number === number);
                  return (
                    <td key={arm.feedback} className={`${ui.right} num`}>
                      {iteration ? (
                        <Link href={`/projects/${arm.project.id}/iterations/${number}`}>
                          {iteration.filesRead} files · {formatTokens(iteration.proposerTokens)} tokens
                        </Link>
                      ) : (
                        "—"
                      )}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </Section>

      <Section title="Final frontier" hint="Each mode's candidates not dominated on search score and tokens per task">
        <div className={styles.arms}>
          {arms.map((arm) => (
            <div key={arm.feedback} className={styles.arm} data-testid={`frontier-${arm.feedback}`}>
              <h3>{FEEDBACK_LABELS[arm.feedback]}</h3>
              {arm.frontier.length === 0 ? (
                <p className="faint">No scored candidate yet.</p>
              ) : (
                <table className={styles.table}>
                  <thead>
                    <tr>
                      <th>Candidate</th>
                      <th className={styles.num}>Search</th>
                      <th className={styles.num}>Tokens / task</th>
                    </tr>
                  </thead>
                  <tbody>
                    {arm.frontier.map((point) => (
                      <tr key={point.id}>
                        <td>
                          <Link href={`/projects/${arm.project.id}/candidates/${point.id}`}>#{point.number}</Link>{" "}
                          <span className="faint">
                            {point.origin === "seed" ? "seed" : `iteration ${point.iteration}`}
                          </span>
                        </td>
                        <td className={styles.num}>{formatScore(point.score)}</td>
                        <td className={styles.num}>{formatTokens(point.tokensPerTask)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </div>
          ))}
        </div>
      </Section>
    </Page>
  );
}

function runCell(arm: Arm) {
  const run = arm.optimization;
  if (!run) return <span className="faint">not started</span>;
  const tone = run.status === "done" ? "pass" : run.status === "failed" ? "fail" : "neutral";
  return (
    <>
      <Badge tone={tone}>{run.status}</Badge>{" "}
      <span className="faint">
        {run.iterationsDone} of {run.iterationsRequested}
        {run.error ? ` · ${run.error}` : run.stop && run.stop !== run.status ? ` · ${run.stop}` : ""}
      </span>
    </>
  );
}

function costCell(arm: Arm) {
  const { proposer, evaluations } = arm.costUsd;
  if (proposer === null || evaluations === null) return "unpriced";
  return formatCost(proposer + evaluations);
}
