"use client";

// What a project's page shows when the server failed to render it: the error in words, a retry,
// and the way back to the project. Each page's error.tsx names what could not load.
import Link from "next/link";
import { useParams } from "next/navigation";
import { EmptyState, Page, ui } from "@/components/ui";

export function ProjectPageError(props: { title: string; error: Error & { digest?: string }; reset: () => void }) {
  const params = useParams<{ id: string }>();
  return (
    <Page>
      <section className={ui.card}>
        <EmptyState icon="!" title={props.title}>
          <p>{props.error.message || "An unexpected error happened on the server."}</p>
          {props.error.digest && (
            <p className="faint">Reference {props.error.digest} (see the studio&apos;s terminal output)</p>
          )}
          <p>
            <button className={ui.button} onClick={props.reset}>
              Try again
            </button>{" "}
            <Link className={ui.button} href={`/projects/${params.id}`}>
              Back to the project
            </Link>
          </p>
        </EmptyState>
      </section>
    </Page>
  );
}
