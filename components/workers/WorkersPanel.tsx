"use client";

// The job workers that are up, on any machine sharing the studio's database: where a run's task
// runs go. Re-read every few seconds (useLiveQuery), from what the server rendered.
import Link from "next/link";
import { EmptyState, ui } from "@/components/ui";
import { workersQuery } from "@/components/data/queries";
import { useLiveQuery } from "@/components/data/useLiveQuery";
import type { LiveWorker } from "@/lib/jobs/workers";
import styles from "./workers.module.css";

const EVERY_MS = 5_000;

export function WorkersPanel({ projectId, initial }: { projectId: string; initial: LiveWorker[] }) {
  const { data: workers = initial } = useLiveQuery({ query: workersQuery(), initial, every: EVERY_MS });
  if (workers.length === 0)
    return (
      <EmptyState icon="⚙" title="No job worker is up">
        <p>
          Queued work waits for one: <code>npx studio start</code> runs one beside the web server, and{" "}
          <code>npx studio worker --slots N</code> adds one on any machine with the same <code>DATABASE_URL</code>.
        </p>
      </EmptyState>
    );
  return (
    <table className={ui.table} data-testid="workers">
      <thead>
        <tr>
          <th>Worker</th>
          <th className={ui.right}>Slots</th>
          <th>Busy</th>
          <th className={ui.right}>Heartbeat</th>
          <th>Work</th>
        </tr>
      </thead>
      <tbody>
        {workers.map((worker) => (
          <tr key={worker.id} data-worker={worker.id}>
            <td className={ui.rowTitle}>
              {worker.host}
              <span className="faint"> · pid {worker.pid}</span>
            </td>
            <td className={`${ui.right} num`}>{worker.slots}</td>
            <td>
              <span className={styles.meter} title={`${worker.busy} of ${worker.slots} slots running a task`}>
                <span style={{ width: `${Math.min(100, (100 * worker.busy) / worker.slots)}%` }} />
              </span>{" "}
              <span className="num">
                {worker.busy} / {worker.slots}
              </span>
            </td>
            <td className={`${ui.right} muted num`}>{worker.silentSeconds} s ago</td>
            <td>
              {worker.work.length === 0 ? (
                <span className="faint">idle</span>
              ) : (
                worker.work.map((work) => (
                  <div key={work.id}>
                    {work.kind === "evaluation" ? "Evaluation" : "Optimization"}{" "}
                    <span className="muted">· {work.what}</span>
                    {work.projectId === projectId ? (
                      <span className="faint"> · this project</span>
                    ) : (
                      <>
                        {" "}
                        <span className="faint">in</span>{" "}
                        <Link href={`/projects/${work.projectId}`}>{work.projectName}</Link>
                      </>
                    )}
                  </div>
                ))
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
