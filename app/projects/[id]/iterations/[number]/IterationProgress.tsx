"use client";

// While an iteration runs: its stage and, when evaluating, tasks done, from the project's
// progress (useProjectProgress, which every live page shares). When the stage changes, a
// candidate or evaluation lands, or the run ends, the page re-reads the database.
import { ui } from "@/components/ui";
import runStyles from "@/components/RunControls.module.css";
import { useProjectProgress } from "@/components/data/useProjectProgress";
import type { IterationProgress as Progress } from "@/lib/iterations/progress";
import { candidateWords } from "@/lib/iterations/progress-words";
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

type Current = { stage: string | null; progress: Progress };

/** This iteration in the project's progress, or null once another one (or none) is current. */
const currentOf = (progress: RunProgress, number: number): Current | null =>
  progress.iteration && progress.iteration.number === number ? progress.iteration : null;

export function IterationProgress(props: {
  projectId: string;
  number: number;
  stage: string | null;
  progress: Progress;
}) {
  const rendered: Current = { stage: props.stage, progress: props.progress };
  // A new stage, candidate or evaluation re-renders the page from the database (the project's revision).
  const { data } = useProjectProgress(props.projectId);
  const current = data ? currentOf(data, props.number) : rendered;
  const stalled = Boolean(data?.optimization?.stalled);

  const stage = current?.stage ?? props.stage;
  const at = STAGES.indexOf((stage ?? "") as (typeof STAGES)[number]);
  const p: Progress = current?.progress ?? {};
  const tasksDone = p.tasksDone ?? 0;
  const tasksTotal = p.tasksTotal ?? 0;
  return (
    <section className={`${ui.card} ${ui.section}`} aria-label="Live progress" data-testid="iteration-progress">
      <div className={runStyles.box}>
        <div className={styles.stages}>
          {STAGES.map((name, index) => (
            <span key={name} style={{ display: "contents" }}>
              {index > 0 && <span className={styles.arrow}>→</span>}
              <span
                className={`${styles.stage} ${index < at ? styles.stageDone : index === at ? styles.stageNow : ""}`}
                aria-current={index === at ? "step" : undefined}
              >
                {name}
              </span>
            </span>
          ))}
        </div>
        <div className={runStyles.status}>
          <span>
            {stage ? (STAGE_WORDS[stage] ?? stage) : "waiting for a job worker"}
            {candidateWords(p)}
            {tasksTotal ? ` · ${tasksDone} of ${tasksTotal} tasks` : ""}
            {p.tokens ? ` · ${p.tokens.toLocaleString("en-US")} tokens` : ""}
            {stalled ? " · waiting for a job worker to resume it" : ""}
          </span>
        </div>
        {tasksTotal > 0 && (
          <div
            className={runStyles.bar}
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={tasksTotal}
            aria-valuenow={tasksDone}
          >
            <div
              className={runStyles.fill}
              style={{ width: `${Math.max(3, Math.round((tasksDone / tasksTotal) * 100))}%` }}
            />
          </div>
        )}
      </div>
    </section>
  );
}
