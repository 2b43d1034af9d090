"use client";

// The overview's feedback ablation: start one (three sibling projects, one optimization each,
// from the same seed with the same budget) and open the comparisons of earlier ones.
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { formatRelative } from "@/lib/format";
import { useSpendConfirmation } from "../SpendConfirm";
import { Badge, ui } from "../ui";
import styles from "./ablations.module.css";

export interface AblationLink {
  id: string;
  name: string;
  iterations: number;
  createdAt: string;
  simulated: boolean;
}

export function AblationControls(props: {
  projectId: string;
  offline: boolean;
  /** The project is itself an arm of an ablation: it starts none of its own. */
  isArm: boolean;
  ablations: AblationLink[];
}) {
  const router = useRouter();
  const [iterations, setIterations] = useState(3);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const spend = useSpendConfirmation(props.projectId, props.offline);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      // Three optimizations of N iterations: estimated as 3 × N iterations of this project.
      await spend.guard({ iterations: iterations * 3 }, "Start the feedback ablation", async () => {
        const response = await fetch(`/api/projects/${props.projectId}/ablations`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ iterations, offline: props.offline }),
        });
        const answer = (await response.json().catch(() => ({}))) as { ablationId?: string; error?: string };
        if (!response.ok || !answer.ablationId) setError(answer.error ?? `The studio answered ${response.status}.`);
        else router.push(`/ablations/${answer.ablationId}`);
      });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={styles.controls} data-testid="ablation-controls">
      <p className={styles.explain}>
        Does the method&apos;s finding hold on this task? The paper found raw traces are the signal (search-set medians:
        raw traces 50.0, scores + summaries 34.9, scores only 34.6). An ablation copies this project&apos;s suite, seed
        and settings into three sibling projects and optimizes each with the same budget: one whose proposer reads raw
        traces (the default), one that reads a summary of each trace in its place, and one that reads scores only. The
        summary and scores modes exist only to test that claim: the studio never hands a proposer a summary instead of
        the raw record otherwise.
      </p>
      {!props.isArm && (
        <div className={styles.row}>
          <label>
            Iterations per mode{" "}
            <input
              className={ui.input}
              type="number"
              min={1}
              max={100}
              value={iterations}
              onChange={(event) => setIterations(Math.max(1, Math.min(100, Number(event.target.value) || 1)))}
              style={{ width: 72 }}
            />
          </label>
          <button className={ui.button} disabled={busy || spend.confirming} onClick={() => void start()}>
            Run feedback ablation
          </button>
          {props.offline && <Badge tone="warn">offline · simulated</Badge>}
        </div>
      )}
      {spend.confirmation}
      {error && <p className={styles.error}>{error}</p>}
      {props.ablations.length > 0 && (
        <ul className={styles.list}>
          {props.ablations.map((ablation) => (
            <li key={ablation.id}>
              <Link href={`/ablations/${ablation.id}`}>
                Feedback ablation of {ablation.name}, {ablation.iterations} iteration
                {ablation.iterations === 1 ? "" : "s"} per mode
              </Link>{" "}
              <span className={styles.muted}>{formatRelative(new Date(ablation.createdAt))}</span>
              {ablation.simulated && (
                <>
                  {" "}
                  <Badge tone="warn">simulated</Badge>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
