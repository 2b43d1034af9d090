// What each side of a diff set out to do: its hypothesis and axis, B (the newer) beside A, in
// the same columns as the source diff below.
import Link from "next/link";
import { Badge } from "@/components/ui";
import { candidateHref } from "./format";
import styles from "./candidate.module.css";

export interface HypothesisSide {
  id: string;
  number: number;
  origin: string;
  hypothesis: string | null;
  axis: string | null;
}

export function Hypotheses(props: { projectId: string; a: HypothesisSide; b: HypothesisSide }) {
  return (
    <div className={styles.hypotheses} aria-label="Hypotheses">
      {(
        [
          ["A", props.a],
          ["B", props.b],
        ] as const
      ).map(([label, side]) => (
        <div key={label} className={styles.hypothesis} data-hypothesis={label.toLowerCase()}>
          <div className={styles.hypothesisHead}>
            <Badge tone={label === "B" ? "accent" : "neutral"}>{label}</Badge>
            <Link href={candidateHref(props.projectId, side.id)}>#{side.number}</Link>
            {side.axis && (
              <Badge title={side.axis === "exploit" ? "builds on a known win" : "tries a new approach"}>
                {side.axis}
              </Badge>
            )}
            <span className="faint">{side.origin}</span>
          </div>
          {side.hypothesis ? (
            <p className={styles.prose}>{side.hypothesis}</p>
          ) : (
            <p className="faint">
              {side.origin === "seed" ? "The seed harness: no hypothesis." : "No hypothesis recorded."}
            </p>
          )}
        </div>
      ))}
    </div>
  );
}
