"use client";

import { ProjectPageError } from "@/components/ProjectPageError";

export default function DiffError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ProjectPageError title="This diff could not load" error={error} reset={reset} />;
}
