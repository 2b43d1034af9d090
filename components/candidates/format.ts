// Small shared helpers for candidate views (server and client components alike).

export type Tone = "neutral" | "warn" | "pass" | "fail" | "accent";

export function candidateStatusTone(status: string): Tone {
  return status === "rejected" ? "fail" : status === "valid" ? "pass" : "neutral";
}

export function workStatusTone(status: string): Tone {
  return status === "done"
    ? "pass"
    : status === "failed"
      ? "fail"
      : status === "running" || status === "queued"
        ? "accent"
        : "neutral";
}

export function taskStatusTone(status: string): Tone {
  return status === "passed" ? "pass" : status === "failed" ? "fail" : status === "error" ? "warn" : "neutral";
}

/** The tail of a cuid: its random part, which tells candidates apart (the head is a timestamp). */
export function shortId(id: string): string {
  return id.length > 8 ? id.slice(-8) : id;
}

export function candidateHref(projectId: string, candidateId: string): string {
  return `/projects/${projectId}/candidates/${candidateId}`;
}

export function runHref(projectId: string, taskRunId: string): string {
  return `/projects/${projectId}/runs/${taskRunId}`;
}
