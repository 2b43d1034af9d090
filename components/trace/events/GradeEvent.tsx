// The grader's verdict: score, pass or fail, explanation, and expected beside actual.
import { Badge } from "@/components/ui";
import { formatScore } from "@/lib/format";
import styles from "../trace.module.css";
import { Fact, JsonView, TextBlock } from "./JsonView";
import type { EventViewProps } from "./types";

export function GradeEvent({ body: grade }: EventViewProps<"grade">) {
  return (
    <>
      <div className={styles.facts}>
        <Fact label="Score" value={formatScore(grade.score)} />
        <Fact
          label="Verdict"
          value={grade.passed ? <Badge tone="pass">passed</Badge> : <Badge tone="fail">failed</Badge>}
        />
      </div>
      <div>
        <div className={styles.label}>Explanation</div>
        <div className={styles.text}>{grade.explanation || "(none)"}</div>
      </div>
      {grade.verifier ? <VerifierFacts verifier={grade.verifier} /> : null}
      <div className={styles.compare}>
        <div>
          <div className={styles.label}>Expected</div>
          <JsonView value={grade.expected} />
        </div>
        <div>
          <div className={styles.label}>Actual output</div>
          <JsonView value={grade.output} />
        </div>
      </div>
    </>
  );
}

/** A container task's tests: the reward, how test.sh ended, and what it printed. */
function VerifierFacts({ verifier }: { verifier: NonNullable<EventViewProps<"grade">["body"]["verifier"]> }) {
  return (
    <>
      <div className={styles.facts}>
        <Fact label="Reward" value={verifier.reward ?? "none"} />
        <Fact label="Reward file" value={verifier.rewardFile ?? "none written"} />
        <Fact
          label="tests/test.sh"
          value={verifier.timedOut ? <Badge tone="warn">timed out</Badge> : `exit ${verifier.exitCode ?? "?"}`}
        />
      </div>
      <TextBlock label="Test output" text={verifier.stdout} hideEmpty />
      <TextBlock label="Test stderr" text={verifier.stderr} hideEmpty tone="fail" />
    </>
  );
}
