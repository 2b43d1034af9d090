import Link from "next/link";
import { Badge, HasSimulatedRunsBadge, PageHeader, Tabs } from "@/components/ui";

export function ProjectHeader(props: {
  project: { id: string; name: string; description: string; hasSimulatedRuns: boolean; suite: { mode: string } | null };
  active: "overview" | "search" | "matrix" | "transfer" | "tasks" | "settings";
}) {
  const { project } = props;
  return (
    <>
      <PageHeader
        eyebrow={
          <>
            <Link href="/projects">Projects</Link> <span>/</span>
          </>
        }
        title={project.name}
        badges={
          <>
            {project.suite && <Badge>{project.suite.mode}</Badge>}
            {project.hasSimulatedRuns && <HasSimulatedRunsBadge />}
          </>
        }
        description={project.description || undefined}
      />
      <Tabs
        active={props.active}
        items={[
          { key: "overview", label: "Overview", href: `/projects/${project.id}` },
          { key: "search", label: "Search", href: `/projects/${project.id}/search` },
          { key: "matrix", label: "Matrix", href: `/projects/${project.id}/matrix` },
          { key: "transfer", label: "Transfer", href: `/projects/${project.id}/transfer` },
          { key: "tasks", label: "Tasks", href: `/projects/${project.id}/tasks` },
          { key: "settings", label: "Settings", href: `/projects/${project.id}/settings` },
        ]}
      />
    </>
  );
}
