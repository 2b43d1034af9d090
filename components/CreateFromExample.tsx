"use client";

import { useRouter } from "next/navigation";
import { useState } from "react";
import { ui } from "./ui";

/** Creates a project from a bundled example and opens it. */
export function CreateFromExample({ example }: { example: string }) {
  const router = useRouter();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function create() {
    setBusy(true);
    setError(null);
    const response = await fetch("/api/projects", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ example }),
    });
    const body = (await response.json().catch(() => ({}))) as { projectId?: string; error?: string };
    if (response.ok && body.projectId) router.push(`/projects/${body.projectId}`);
    else {
      setError(body.error ?? `The studio answered ${response.status}.`);
      setBusy(false);
    }
  }
  return (
    <div>
      <button className={`${ui.button} ${ui.buttonPrimary}`} onClick={() => void create()} disabled={busy}>
        {busy ? "Creating…" : "Create project"}
      </button>
      {error && (
        <p className={ui.error} style={{ marginTop: 8 }}>
          {error}
        </p>
      )}
    </div>
  );
}
