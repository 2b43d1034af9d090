"use client";

// Run iterations, watch them, cancel them. Buttons only enqueue work (the job worker runs
// it); progress is polled from the database, so it survives a reload and shows in every tab.
import { useState } from "react";
import { progressQuery } from "@/components/data/queries";
import { useLiveQuery } from "@/components/data/useLiveQuery";
import type { RunProgress } from "@/lib/projects/progress";
import { EstimateLine, useSpendConfirmation } from "./SpendConfirm";
import { Badge, ui } from "./ui";
import styles from "./RunControls.module.css";

const POLL_RUNNING_MS = 1000;
/** Idle, the controls still notice a run started elsewhere (another tab, the CLI). */
const POLL_IDLE_MS = 5000;

export function RunControls({ projectId, initial }: { projectId: string; initial: RunProgress }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const { data: progress = initial, refetch } = useLiveQuery({
    query: progressQuery(projectId),
    initial,
    every: (data) => (data?.running ? POLL_RUNNING_MS : POLL_IDLE_MS),
    // When a run ends (here or in another tab), reload the page's tables.
    refreshPageWhen: (before, after) => Boolean(before?.running) && !after.running,
  });

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

  const { optimization, iteration } = progress;
  const disabledReason = progress.running
    ? "A run is already going for this project."
    : busy
      ? "Working…"
      : spend.confirming
        ? "Confirm or cancel the run below."
        : null;
  const stage = iteration?.stage ?? (optimization?.status === "queued" ? "waiting for a worker" : null);
  const tasksDone = iteration?.progress.tasksDone ?? 0;
  const tasksTotal = iteration?.progress.tasksTotal ?? 0;
  const share = optimization
    ? (optimization.iterationsDone + (tasksTotal ? tasksDone / tasksTotal : 0) * 0.9) / optimization.iterationsRequested
    : 0;

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
                  <>
                    {/* The project-wide number, as the iteration list and the CLI name it; then where this run is. */}
                    {iteration?.number ? `Iteration ${iteration.number} · ` : ""}
                    {Math.min(optimization.iterationsDone + 1, optimization.iterationsRequested)} of{" "}
                    {optimization.iterationsRequested} in this run
                    {stage ? ` · ${stage}` : ""}
                    {iteration?.progress.candidateNumber ? ` · candidate #${iteration.progress.candidateNumber}` : ""}
                    {tasksTotal ? ` · ${tasksDone} of ${tasksTotal} tasks` : ""}
                    {iteration?.progress.tokens ? ` · ${iteration.progress.tokens.toLocaleString("en-US")} tokens` : ""}
                    {optimization.stalled ? " · waiting for a job worker to resume it" : ""}
                  </>
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
