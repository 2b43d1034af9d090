"use client";

import { ProjectPageError } from "@/components/ProjectPageError";

export default function IterationError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ProjectPageError title="This iteration could not load" error={error} reset={reset} />;
}
