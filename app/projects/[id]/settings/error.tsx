"use client";

import { ProjectPageError } from "@/components/ProjectPageError";

export default function SettingsError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return <ProjectPageError title="The settings could not load" error={error} reset={reset} />;
}
