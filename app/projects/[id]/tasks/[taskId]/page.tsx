// One task: its input and expected answer in full, and its history across candidates, each task
// run opening its trace.
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge, EmptyState, Page, PageHeader, Section, ui } from "@/components/ui";
import { candidateHref, runHref, taskStatusTone } from "@/components/candidates/format";
import styles from "@/components/tasks/tasks.module.css";
import { formatCost, formatDuration, formatRelative, formatScore, formatTokens } from "@/lib/format";
import { getTaskDetail } from "@/lib/tasks/queries";
import { isId } from "@/lib/traces/queries";
import { getProject } from "@/lib/projects/queries";

export const metadata = { title: "Task" };

const asText = (value: unknown) => (typeof value === "string" ? value : JSON.stringify(value, null, 2));

export default async function TaskPage({ params }: { params: Promise<{ id: string; taskId: string }> }) {
  const { id, taskId } = await params;
  if (!isId(taskId)) notFound();
  const [project, task] = await Promise.all([getProject(id), getTaskDetail(id, taskId)]);
  if (!project || !task) notFound();
  const passed = task.history.filter((run) => run.status === "passed").length;

  return (
    <Page>
      <PageHeader
        eyebrow={
          <>
            <Link href="/projects">Projects</Link> <span>/</span> <Link href={`/projects/${id}`}>{project.name}</Link>{" "}
            <span>/</span> <Link href={`/projects/${id}/tasks`}>Tasks</Link> <span>/</span>
          </>
        }
        title={task.key}
        badges={<Badge tone={task.split === "test" ? "accent" : "neutral"}>{task.split} split</Badge>}
        description={`Task ${task.position + 1} of the suite · ${task.history.length} task run${task.history.length === 1 ? "" : "s"}, ${passed} passed`}
      />
      <div className={styles.io}>
        <Section title="Input">
          <pre className={styles.json} data-testid="task-input">
            {asText(task.input)}
          </pre>
        </Section>
        <Section title="Expected answer">
          <pre className={styles.json} data-testid="task-expected">
            {asText(task.expected)}
          </pre>
        </Section>
      </div>
      <Section title="History across candidates" hint="Every task run of this task, newest candidate first" flush>
        {task.history.length === 0 ? (
          <EmptyState icon="·" title="Not run yet">
            <p>No evaluation has run this task.</p>
          </EmptyState>
        ) : (
          <div className={styles.scroll}>
            <table className={ui.table} data-table="task-history">
              <thead>
                <tr>
                  <th>Candidate</th>
                  <th>Evaluation</th>
                  <th>Outcome</th>
                  <th className={ui.right}>Score</th>
                  <th>Output</th>
                  <th className={ui.right}>Tokens</th>
                  <th className={ui.right}>Latency</th>
                  <th className={ui.right}>Cost</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {task.history.map((run) => (
                  <tr key={run.taskRunId} data-candidate={run.candidateNumber} data-status={run.status}>
                    <td>
                      <Link href={candidateHref(id, run.candidateId)} className={ui.rowTitle} prefetch={false}>
                        #{run.candidateNumber}
                      </Link>
                    </td>
                    <td>
                      {run.evaluationSplit} · <span className="faint">{formatRelative(run.evaluatedAt)}</span>
                      {run.trials > 1 && (
                        <span className="faint">
                          {" "}
                          · trial {run.trial} of {run.trials}
                        </span>
                      )}
                    </td>
                    <td>
                      <Badge tone={taskStatusTone(run.status)}>
                        {run.status}
                        {run.errorKind ? ` · ${run.errorKind}` : ""}
                      </Badge>
                    </td>
                    <td className={`${ui.right} num`}>{formatScore(run.score)}</td>
                    <td>
                      <div className={styles.preview} title={run.outputPreview ?? undefined}>
                        {run.outputPreview ?? <span className="faint">—</span>}
                      </div>
                    </td>
                    <td className={`${ui.right} num`}>{formatTokens(run.tokens)}</td>
                    <td className={`${ui.right} num`}>{formatDuration(run.durationMs)}</td>
                    <td className={`${ui.right} num`}>{formatCost(run.costUsd)}</td>
                    <td>
                      <Link href={runHref(id, run.taskRunId)} prefetch={false} data-testid="open-trace">
                        Trace →
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Section>
    </Page>
  );
}
