import Link from "next/link";
import { Badge, EmptyState, Page, PageHeader, Section, HasSimulatedRunsBadge, ui } from "@/components/ui";
import { ProjectActions } from "@/components/projects/ProjectActions";
import { formatRelative, formatScore } from "@/lib/format";
import { listProjects } from "@/lib/projects/queries";

export const metadata = { title: "Projects" };

export default async function ProjectsPage() {
  const projects = await listProjects();
  // Projects of the same name are told apart by their creation date and short id (the suite has its column).
  const named = new Map<string, number>();
  for (const project of projects) named.set(project.name, (named.get(project.name) ?? 0) + 1);
  return (
    <Page>
      <PageHeader
        title="Projects"
        description="A project pairs a task suite with a seed harness. The studio evaluates each harness candidate, keeps every raw trace, and lets a proposer write the next candidate from them."
        actions={
          <Link href="/projects/new" className={`${ui.button} ${ui.buttonPrimary}`}>
            New project
          </Link>
        }
      />
      {projects.length === 0 ? (
        <section className={ui.card}>
          <EmptyState icon="+" title="No projects yet">
            <p>
              Start from a bundled example with <Link href="/projects/new">New project</Link>, or create one from the
              command line, in this folder. A project needs a task suite (a folder with suite.json and tasks.jsonl) and
              a seed harness (one TypeScript module).
            </p>
            <div className={ui.steps}>
              <div className={ui.step}>
                <span className={ui.stepNo}>1</span>
                <div>
                  Create the project; it prints the project id.
                  <code className={ui.command}>
                    npx studio project create --name &quot;My suite&quot; --suite path/to/suite --harness
                    path/to/harness.ts
                  </code>
                </div>
              </div>
              <div className={ui.step}>
                <span className={ui.stepNo}>2</span>
                <div>
                  Score the seed harness on the search split.
                  <code className={ui.command}>npx studio eval --project &lt;id&gt; --split search</code>
                </div>
              </div>
              <div className={ui.step}>
                <span className={ui.stepNo}>3</span>
                <div>Reload this page: the project, its candidates and their traces appear here.</div>
              </div>
            </div>
          </EmptyState>
        </section>
      ) : (
        <Section
          title={`${projects.length} project${projects.length === 1 ? "" : "s"}`}
          hint="Most recent activity first"
          flush
        >
          <table className={ui.table}>
            <thead>
              <tr>
                <th>Project</th>
                <th>Task suite</th>
                <th className={ui.right}>Tasks (search / test)</th>
                <th className={ui.right}>Candidates</th>
                <th className={ui.right}>Iterations</th>
                <th className={ui.right}>Best search score</th>
                <th className={ui.right}>Last activity</th>
                <th aria-label="Actions" />
              </tr>
            </thead>
            <tbody>
              {projects.map((project) => (
                <tr key={project.id}>
                  <td>
                    <Link href={`/projects/${project.id}`} className={ui.rowTitle}>
                      {project.name}
                    </Link>{" "}
                    {project.hasSimulatedRuns && <HasSimulatedRunsBadge />}{" "}
                    {project.allErroredEvaluations > 0 && (
                      <span data-all-errored>
                        <Badge
                          tone="fail"
                          title="Every task of its newest evaluation errored: no task ran to an answer, so the score says nothing. Open the project to see why."
                        >
                          every task errored
                          {project.allErroredEvaluations > 1 ? ` · ${project.allErroredEvaluations} evaluations` : ""}
                        </Badge>
                      </span>
                    )}
                    {(named.get(project.name) ?? 0) > 1 && (
                      <div className={ui.rowSub} data-project-distinct>
                        created {project.createdAt.toISOString().slice(0, 16).replace("T", " ")} UTC · id{" "}
                        <code>{project.id.slice(-8)}</code>
                      </div>
                    )}
                    {project.description && <div className={ui.rowSub}>{project.description}</div>}
                  </td>
                  <td>
                    {project.suiteName ?? <span className="faint">none</span>}{" "}
                    {project.mode && <Badge>{project.mode}</Badge>}
                  </td>
                  <td className={`${ui.right} num`}>
                    {project.searchTasks} / {project.testTasks}
                  </td>
                  <td className={`${ui.right} num`}>{project.candidates}</td>
                  <td className={`${ui.right} num`}>{project.iterations}</td>
                  <td className={`${ui.right} num`}>{formatScore(project.bestSearchScore)}</td>
                  <td className={`${ui.right} muted`}>{formatRelative(project.lastActivity)}</td>
                  <td data-project-actions>
                    <ProjectActions id={project.id} name={project.name} candidates={project.candidates} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
    </Page>
  );
}
