"use client";

import { EmptyState, Page, ui } from "@/components/ui";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <Page>
      <section className={ui.card}>
        <EmptyState icon="!" title="This page could not load">
          <p>{error.message || "An unexpected error happened on the server."}</p>
          {error.digest && <p className="faint">Reference {error.digest} (see the studio&apos;s terminal output)</p>}
          <button className={ui.button} onClick={reset}>
            Try again
          </button>
        </EmptyState>
      </section>
    </Page>
  );
}
