"use client";

// Run iterations, watch them, cancel them. Buttons only enqueue work (the job worker runs
// it); progress is polled from the database, so it survives a reload and shows in every tab.
import { useState } from "react";
import { useProjectProgress } from "@/components/data/useProjectProgress";
import type { RunProgress } from "@/lib/projects/progress";
import { progressLine, progressShare } from "@/lib/projects/progress-line";
import { EstimateLine, useSpendConfirmation } from "./SpendConfirm";
import { Badge, ui } from "./ui";
import styles from "./RunControls.module.css";

export function RunControls({ projectId, initial }: { projectId: string; initial: RunProgress }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // As work lands (here, in another tab or from the CLI), the page's cards and tables re-render.
  const { data: progress = initial, refetch } = useProjectProgress(projectId, initial);

  const offline = !progress.modelConfigured;
  const spend = useSpendConfirmation(projectId, offline);

  /** Cost before the spend: above the project's confirmation setting, the run waits for a second click. */
  async function run(iterations: number) {
    setBusy(true);
    setError(null);
    try {
      await spend.guard(
        { iterations },
        `Start ${iterations === 1 ? "the iteration" : `${iterations} iterations`}`,
        () => enqueue(iterations),
      );
    } finally {
      setBusy(false);
    }
  }

  async function enqueue(iterations: number) {
    setBusy(true);
    try {
      const response = await fetch(`/api/projects/${projectId}/optimizations`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ iterations, offline: !progress.modelConfigured }),
      });
      if (!response.ok)
        setError(
          ((await response.json().catch(() => ({}))) as { error?: string }).error ??
            `The studio answered ${response.status}.`,
        );
      await refetch();
    } finally {
      setBusy(false);
    }
  }

  async function cancel() {
    setBusy(true);
    await fetch(`/api/projects/${projectId}/cancel`, { method: "POST" });
    await refetch();
    setBusy(false);
  }

  const { optimization } = progress;
  const disabledReason = progress.running
    ? "A run is already going for this project."
    : busy
      ? "Working…"
      : spend.confirming
        ? "Confirm or cancel the run below."
        : null;
  const share = progressShare(progress);

  return (
    <section className={`${ui.card} ${ui.section}`} aria-label="Run controls">
      <div className={styles.box}>
        <div className={styles.row}>
          <button
            className={`${ui.button} ${ui.buttonPrimary}`}
            disabled={Boolean(disabledReason)}
            title={disabledReason ?? undefined}
            onClick={() => void run(1)}
          >
            Run iteration
          </button>
          <button
            className={ui.button}
            disabled={Boolean(disabledReason)}
            title={disabledReason ?? undefined}
            onClick={() => void run(3)}
          >
            Run 3 iterations
          </button>
          {progress.running && (
            <button className={ui.button} disabled={busy} onClick={() => void cancel()}>
              Cancel
            </button>
          )}
          {offline && (
            <Badge
              tone="warn"
              title="No ANTHROPIC_API_KEY on the server: runs use the offline proposer and the offline model, and are marked simulated."
            >
              offline mode · simulated
            </Badge>
          )}
          <span className={styles.hint}>
            {disabledReason ??
              (offline
                ? "No model API key: iterations run offline and are marked simulated."
                : "Each iteration: the proposer reads the workspace, writes candidates, and they are evaluated.")}
          </span>
          {!progress.running && (
            <EstimateLine
              projectId={projectId}
              run={{ iterations: 1 }}
              offline={offline}
              label="Estimated cost per iteration"
            />
          )}
        </div>
        {spend.confirmation}
        {optimization && (
          <>
            <div className={styles.status}>
              <span>
                {progress.running ? (
                  <span data-testid="run-phase" data-phase={progress.phase?.kind ?? ""}>
                    {progressLine(progress)}
                  </span>
                ) : (
                  <>
                    Last run: {optimization.status}, {optimization.iterationsDone} of {optimization.iterationsRequested}{" "}
                    iterations
                    {/* "cancelled" is the status already: a stop reason that only repeats it is left out. */}
                    {optimization.stopReason && optimization.stopReason !== optimization.status
                      ? ` · ${optimization.stopReason}`
                      : ""}
                  </>
                )}
              </span>
              {optimization.simulated && <Badge tone="warn">simulated</Badge>}
            </div>
            {progress.running && (
              <div
                className={styles.bar}
                role="progressbar"
                aria-valuemin={0}
                aria-valuemax={100}
                aria-valuenow={Math.round(share * 100)}
              >
                <div className={styles.fill} style={{ width: `${Math.max(3, Math.round(share * 100))}%` }} />
              </div>
            )}
            {optimization.error && <p className={styles.error}>The run failed: {optimization.error}</p>}
          </>
        )}
        {error && <p className={styles.error}>{error}</p>}
      </div>
    </section>
  );
}
