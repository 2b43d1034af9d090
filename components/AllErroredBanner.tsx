// On the overview: evaluations in which every task errored. Their 0.0% would read as a calm
// score; this says loudly that no task ran to an answer, with the commonest error and a trace.
import Link from "next/link";
import type { AllErroredEvaluation } from "@/lib/evaluations/all-errored";
import styles from "./AllErroredBanner.module.css";

export function AllErroredBanner(props: { projectId: string; evaluations: AllErroredEvaluation[] }) {
  if (props.evaluations.length === 0) return null;
  return (
    <div className={styles.banner} role="alert" data-all-errored-banner>
      <strong className={styles.title}>
        Every task errored in{" "}
        {props.evaluations.length === 1 ? "an evaluation" : `${props.evaluations.length} evaluations`}: no task ran to
        an answer, so these scores say nothing about the harness.
      </strong>
      <ul className={styles.list}>
        {props.evaluations.map((evaluation) => (
          <li key={evaluation.evaluationId}>
            <Link href={`/projects/${props.projectId}/candidates/${evaluation.candidateId}`}>
              #{evaluation.candidateNumber}
            </Link>{" "}
            on {evaluation.split}: {evaluation.taskCount} of {evaluation.taskCount} tasks errored
            {evaluation.errorKind && (
              <>
                {", mostly "}
                <code>{evaluation.errorKind}</code>
                {evaluation.errorMessage ? `: ${evaluation.errorMessage}` : ""}
              </>
            )}
            {evaluation.taskRunId && (
              <>
                {" · "}
                <Link href={`/projects/${props.projectId}/runs/${evaluation.taskRunId}`}>open a trace</Link>
              </>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
