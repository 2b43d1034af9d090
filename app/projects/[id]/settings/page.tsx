import { notFound } from "next/navigation";
import { Page, Section, ui } from "@/components/ui";
import { formatDuration } from "@/lib/format";
import { getProject } from "@/lib/projects/queries";
import { ProjectHeader } from "../ProjectHeader";

export const metadata = { title: "Settings" };

export default async function SettingsPage({ params }: { params: Promise<{ id: string }> }) {
  const project = await getProject((await params).id);
  if (!project) notFound();
  const settings = JSON.stringify(project.settings, null, 2);
  return (
    <Page>
      <ProjectHeader project={project} active="settings" />
      <Section title="Models and proposer" flush>
        <dl className={ui.kv}>
          <dt>Task model</dt>
          <dd>
            <code>{project.model}</code>
          </dd>
          <dt>Proposer</dt>
          <dd>{project.proposerKind}</dd>
          <dt>Proposer model</dt>
          <dd>
            <code>{project.proposerModel}</code>
          </dd>
          <dt>Proposer command</dt>
          <dd>{project.proposerCommand ? <code>{project.proposerCommand}</code> : <span className="faint">none</span>}</dd>
          <dt>Candidates per iteration</dt>
          <dd>{project.candidatesPerIteration}</dd>
          <dt>Task time limit</dt>
          <dd>{project.suite ? formatDuration(project.suite.timeoutMs) : "—"}</dd>
        </dl>
      </Section>
      <Section title="Budgets and limits" hint="Stored as JSON on the project">
        <pre className={ui.command}>{settings === "{}" ? "No budgets set: runs are limited only by the task time limit." : settings}</pre>
      </Section>
    </Page>
  );
}
