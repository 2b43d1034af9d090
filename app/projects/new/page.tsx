import Link from "next/link";
import { CreateFromExample } from "@/components/CreateFromExample";
import { UploadForm } from "@/components/upload/UploadForm";
import { Badge, EmptyState, Page, PageHeader, Section, ui } from "@/components/ui";
import { listExamples } from "@/lib/projects/examples";

export const metadata = { title: "New project" };

export default function NewProjectPage() {
  const examples = listExamples();
  return (
    <Page>
      <PageHeader
        eyebrow={
          <>
            <Link href="/projects">Projects</Link> <span>/</span>
          </>
        }
        title="New project"
        description="Start from a bundled example (each is a task suite and a deliberately plain seed harness with room to improve), or upload your own suite and seed harness."
      />
      <Section title="Bundled examples" hint="Created in one click; run them offline without an API key">
        {examples.length === 0 ? (
          <EmptyState icon="∅" title="No examples in this copy of the studio" />
        ) : (
          <div className={ui.grid}>
            {examples.map((example) => (
              <div key={example.name} className={`${ui.card} ${ui.exampleCard}`}>
                <div style={{ display: "flex", gap: 8, alignItems: "center" }}>
                  <h2>{example.title}</h2>
                  <Badge>{example.mode}</Badge>
                </div>
                <p>
                  {example.description.length > 260 ? `${example.description.slice(0, 257)}…` : example.description}
                </p>
                <p className="faint">
                  {example.tasks} tasks · <code>examples/{example.name}</code>
                </p>
                <CreateFromExample example={example.name} />
              </div>
            ))}
          </div>
        )}
      </Section>
      <Section
        title="Your own task suite"
        hint="Checked the way the CLI checks it; nothing is saved unless all of it is valid"
      >
        <UploadForm />
        <p className="faint" style={{ marginTop: 18 }}>
          Or from the command line:
        </p>
        <code className={ui.command}>npx studio project create --suite path/to/suite --harness path/to/harness.ts</code>
      </Section>
    </Page>
  );
}
