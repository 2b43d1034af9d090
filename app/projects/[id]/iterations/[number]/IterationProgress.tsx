"use client";

// While an iteration runs: its stage and, when evaluating, tasks done, polled from the
// project's progress API (the one the overview's run controls use). When the stage changes or
// the run ends, the page re-reads the database, so candidates and figures appear as they land.
import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";
import { ui } from "@/components/ui";
import runStyles from "@/components/RunControls.module.css";
import type { RunProgress } from "@/lib/projects/progress";
import styles from "./page.module.css";

const STAGES = ["workspace", "proposing", "validating", "evaluating", "done"] as const;
const STAGE_WORDS: Record<string, string> = {
  workspace: "bringing the workspace up to date",
  proposing: "the proposer is reading and writing",
  validating: "checking the proposals",
  evaluating: "evaluating the new candidates on the search split",
  done: "done",
};
const POLL_MS = 1500;

export function IterationProgress(props: { projectId: string; number: number; stage: string | null; progress: Record<string, unknown> }) {
  const router = useRouter();
  const [current, setCurrent] = useState<{ stage: string | null; progress: Record<string, unknown> } | null>({ stage: props.stage, progress: props.progress });
  const [stalled, setStalled] = useState(false);
  const lastKey = useRef(`${props.stage}:${String(props.progress.candidateNumber ?? "")}`);

  useEffect(() => {
    let stopped = false;
    const tick = async () => {
      try {
        const response = await fetch(`/api/projects/${props.projectId}/progress`, { cache: "no-store" });
        if (!response.ok || stopped) return;
        const progress = (await response.json()) as RunProgress;
        const mine = progress.iteration && progress.iteration.number === props.number ? progress.iteration : null;
        setCurrent(mine ? { stage: mine.stage, progress: mine.progress } : null);
        setStalled(Boolean(progress.optimization?.stalled));
        // A new stage (or the end) means new rows in the database: re-render the page from it.
        const key = mine ? `${mine.stage}:${String(mine.progress.candidateNumber ?? "")}` : "ended";
        if (key !== lastKey.current) {
          lastKey.current = key;
          router.refresh();
        }
      } catch {
        // The next tick tries again.
      }
    };
    const timer = setInterval(() => void tick(), POLL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [props.projectId, props.number, router]);

  const stage = current?.stage ?? props.stage;
  const at = STAGES.indexOf((stage ?? "") as (typeof STAGES)[number]);
  const p = current?.progress ?? {};
  const tasksDone = Number(p.tasksDone ?? 0);
  const tasksTotal = Number(p.tasksTotal ?? 0);
  return (
    <section className={`${ui.card} ${ui.section}`} aria-label="Live progress" data-testid="iteration-progress">
      <div className={runStyles.box}>
        <div className={styles.stages}>
          {STAGES.map((name, index) => (
            <span key={name} style={{ display: "contents" }}>
              {index > 0 && <span className={styles.arrow}>→</span>}
              <span className={`${styles.stage} ${index < at ? styles.stageDone : index === at ? styles.stageNow : ""}`} aria-current={index === at ? "step" : undefined}>
                {name}
              </span>
            </span>
          ))}
        </div>
        <div className={runStyles.status}>
          <span>
            {stage ? STAGE_WORDS[stage] ?? stage : "waiting for a job worker"}
            {p.candidateNumber ? ` · candidate #${String(p.candidateNumber)}` : ""}
            {p.candidate && p.candidates ? ` (${String(p.candidate)} of ${String(p.candidates)})` : ""}
            {tasksTotal ? ` · ${tasksDone} of ${tasksTotal} tasks` : ""}
            {p.tokens ? ` · ${Number(p.tokens).toLocaleString("en-US")} tokens` : ""}
            {stalled ? " · waiting for a job worker to resume it" : ""}
          </span>
        </div>
        {tasksTotal > 0 && (
          <div className={runStyles.bar} role="progressbar" aria-valuemin={0} aria-valuemax={tasksTotal} aria-valuenow={tasksDone}>
            <div className={runStyles.fill} style={{ width: `${Math.max(3, Math.round((tasksDone / tasksTotal) * 100))}%` }} />
          </div>
        )}
      </div>
    </section>
  );
}
