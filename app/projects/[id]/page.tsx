import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge, EmptyState, Page, Section, Stat, Stats, ui } from "@/components/ui";
import { formatRelative, formatScore, formatTokens, formatUsd } from "@/lib/format";
import { getProject, getProjectTotals, listCandidates } from "@/lib/projects/queries";
import { ProjectHeader } from "./ProjectHeader";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  const project = await getProject((await params).id);
  return { title: project?.name ?? "Project" };
}

export default async function ProjectPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const project = await getProject(id);
  if (!project) notFound();
  const [totals, candidates] = await Promise.all([getProjectTotals(id), listCandidates(id)]);

  return (
    <Page>
      <ProjectHeader project={project} active="overview" />
      <Stats>
        <Stat label="Best search score" value={formatScore(totals.best?.searchScore)} hint={totals.best ? `candidate #${totals.best.number}` : "no evaluation yet"} />
        <Stat label="Its test score" value={formatScore(totals.best?.testScore)} hint="held-out split" />
        <Stat label="Iterations" value={totals.iterations} />
        <Stat label="Candidates" value={totals.candidates} />
        <Stat label="Tokens" value={formatTokens(totals.inputTokens + totals.outputTokens)} hint={`${formatTokens(totals.inputTokens)} in · ${formatTokens(totals.outputTokens)} out`} />
        <Stat label="Cost" value={formatUsd(totals.costUsd)} hint="evaluations and proposer" />
      </Stats>

      <Section title="Candidates" hint={`${totals.searchTasks} search and ${totals.testTasks} test tasks`} flush>
        {candidates.length === 0 ? (
          <EmptyState icon="∅" title="No candidates yet">
            <p>The seed harness becomes candidate #1 when the project is created.</p>
          </EmptyState>
        ) : (
          <table className={ui.table}>
            <thead>
              <tr>
                <th>Candidate</th>
                <th>Origin</th>
                <th>Parents</th>
                <th>Status</th>
                <th className={ui.right}>Search score</th>
                <th className={ui.right}>Test score</th>
                <th className={ui.right}>Created</th>
              </tr>
            </thead>
            <tbody>
              {candidates.map((candidate) => (
                <tr key={candidate.id}>
                  <td className={ui.rowTitle}>
                    #{candidate.number}
                    {candidate.iterationNumber != null && <span className="faint"> · iteration {candidate.iterationNumber}</span>}
                  </td>
                  <td>{candidate.origin}</td>
                  <td className="num">{candidate.parentNumbers.length ? candidate.parentNumbers.map((n) => `#${n}`).join(", ") : <span className="faint">—</span>}</td>
                  <td>
                    <Badge tone={candidate.status === "rejected" ? "fail" : candidate.status === "valid" ? "pass" : "neutral"}>{candidate.status}</Badge>
                  </td>
                  <td className={`${ui.right} num`}>{formatScore(candidate.searchScore)}</td>
                  <td className={`${ui.right} num`}>{formatScore(candidate.testScore)}</td>
                  <td className={`${ui.right} muted`}>{formatRelative(candidate.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
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
