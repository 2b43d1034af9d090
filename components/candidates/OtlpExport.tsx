"use client";

// An evaluation's OTLP export, beside it on the candidate page: how the last one went (spans
// sent, or why it failed) and a button that sends its traces to the project's endpoint now.
import { useState } from "react";
import { Badge, ui } from "@/components/ui";
import type { EvaluationView } from "@/lib/evaluations/state";
import styles from "./candidate.module.css";

export function OtlpExport(props: { evaluation: EvaluationView; onExported: () => Promise<unknown> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const last = props.evaluation.otlpExport;

  async function send() {
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(`/api/evaluations/${props.evaluation.id}/otlp-export`, { method: "POST" });
      // A refusal (nothing configured, say) is not stored; an export that failed is, and shows below.
      if (!response.ok)
        setError(
          ((await response.json().catch(() => ({}))) as { error?: string }).error ??
            `The studio answered ${response.status}.`,
        );
      await props.onExported();
    } catch {
      setError("The studio could not be reached.");
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={styles.otlp} aria-label="OTLP export">
      <div className={styles.actions}>
        <button type="button" className={ui.button} disabled={busy} onClick={() => void send()}>
          {busy ? "Exporting…" : last ? "Export traces again (OTLP)" : "Export traces (OTLP)"}
        </button>
        {last?.status === "exported" && (
          <span className={styles.reason}>
            <Badge tone="pass">exported</Badge> {last.spans} spans · {when(last.at)}
          </span>
        )}
        {last?.status === "failed" && (
          <span className={styles.reason}>
            <Badge tone="fail">export failed</Badge> {when(last.at)}
          </span>
        )}
      </div>
      {last?.status === "failed" && last.error && <p className={styles.errorLine}>{last.error}</p>}
      {error && <p className={ui.error}>{error}</p>}
    </div>
  );
}

/** The same text on the server and in the browser (no locale or time zone of either). */
function when(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}
