// The grader's verdict: score, pass or fail, explanation, and expected beside actual.
import { Badge } from "@/components/ui";
import { formatScore } from "@/lib/format";
import { isRecord, num, str } from "../format";
import styles from "../trace.module.css";
import { Fact, JsonView } from "./JsonView";
import type { EventViewProps } from "./types";

export function GradeEvent({ body }: EventViewProps) {
  const grade = isRecord(body) ? body : {};
  return (
    <>
      <div className={styles.facts}>
        <Fact label="Score" value={formatScore(num(grade.score))} />
        <Fact label="Verdict" value={grade.passed === true ? <Badge tone="pass">passed</Badge> : grade.passed === false ? <Badge tone="fail">failed</Badge> : "—"} />
      </div>
      <div>
        <div className={styles.label}>Explanation</div>
        <div className={styles.text}>{str(grade.explanation) ?? "(none)"}</div>
      </div>
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
