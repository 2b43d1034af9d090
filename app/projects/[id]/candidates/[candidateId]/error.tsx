"use client";

import { ProjectPageError } from "@/components/ProjectPageError";

export default function CandidateError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ProjectPageError title="This candidate could not load" error={error} reset={reset} />;
}
