"use client";

import Link from "next/link";
import { useParams } from "next/navigation";
import { EmptyState, Page, ui } from "@/components/ui";

export default function SettingsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const params = useParams<{ id: string }>();
  return (
    <Page>
      <section className={ui.card}>
        <EmptyState icon="!" title="The settings could not load">
          <p>{error.message || "An unexpected error happened on the server."}</p>
          {error.digest && <p className="faint">Reference {error.digest} (see the studio&apos;s terminal output)</p>}
          <p>
            <button className={ui.button} onClick={reset}>
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
