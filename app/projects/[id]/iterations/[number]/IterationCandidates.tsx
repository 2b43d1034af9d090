// The candidates an iteration wrote: the valid ones with their hypothesis, base and scores, and
// the rejected proposals with the validator's reason. Each links to its candidate page.
import Link from "next/link";
import { Badge, EmptyState, Section, ui } from "@/components/ui";
import { formatScore, formatTokens, formatUsd } from "@/lib/format";
import type { ClosingNote, IterationCandidate } from "@/lib/iterations/queries";
import styles from "./page.module.css";

export function WrittenCandidates(props: {
  projectId: string;
  candidates: IterationCandidate[];
  running: boolean;
  stage: string | null;
  /** For an iteration that wrote no harness: the end of its transcript, where it says why. */
  closingNotes?: ClosingNote[];
}) {
  const written = props.candidates.filter((candidate) => candidate.status !== "rejected");
  const base = `/projects/${props.projectId}/candidates`;
  return (
    <Section
      title="Candidates written"
      hint="Search score on the search split; test score once evaluated on the held-out split"
      flush
    >
      {written.length === 0 ? (
        <EmptyState icon="◇" title={props.running ? "No candidates yet" : "No valid candidates"}>
          <p>
            {props.running
              ? `The proposer's harnesses become candidates when they are validated${props.stage ? ` (now: ${props.stage})` : ""}.`
              : props.candidates.length > 0
                ? "Every proposal of this iteration was rejected; the reasons are below."
                : "This iteration wrote no harness."}
          </p>
          {props.closingNotes && props.closingNotes.length > 0 && (
            <div className={styles.closingNotes} data-testid="closing-notes">
              <div className={styles.closingNotesTitle}>The proposer&apos;s last notes</div>
              <ol>
                {props.closingNotes.map((note) => (
                  <li key={note.seq} className={note.kind === "error" ? styles.closingError : undefined}>
                    <Link href={`?event=${note.seq}#transcript`} title="Open it in the transcript">
                      #{note.seq}
                    </Link>{" "}
                    {note.text}
                  </li>
                ))}
              </ol>
            </div>
          )}
        </EmptyState>
      ) : (
        <table className={ui.table} data-testid="iteration-candidates">
          <thead>
            <tr>
              <th>Candidate</th>
              <th>Hypothesis</th>
              <th>Base</th>
              <th className={ui.right}>Search</th>
              <th className={ui.right}>Test</th>
              <th className={ui.right} title="Model tokens (in + out) per task, search split">
                Tokens / task
              </th>
              <th className={ui.right}>Cost</th>
            </tr>
          </thead>
          <tbody>
            {written.map((candidate) => (
              <tr key={candidate.id} data-candidate={candidate.number}>
                <td className={styles.nowrap}>
                  <Link className={ui.rowTitle} href={`${base}/${candidate.id}`}>
                    #{candidate.number}
                  </Link>{" "}
                  {candidate.status === "pending" && <Badge>pending</Badge>}
                </td>
                <td>
                  <div className={styles.hypothesis}>
                    {candidate.axis && (
                      <>
                        <Badge tone={candidate.axis === "explore" ? "accent" : "neutral"}>{candidate.axis}</Badge>{" "}
                      </>
                    )}
                    {candidate.hypothesis ?? <span className="faint">no hypothesis given</span>}
                  </div>
                  {candidate.summary && <div className={styles.summary}>{candidate.summary}</div>}
                </td>
                <td className={styles.nowrap}>
                  {candidate.parents.length === 0 ? (
                    <span className="faint">none</span>
                  ) : (
                    candidate.parents.map((parent, index) => (
                      <span key={parent.id}>
                        {index > 0 && ", "}
                        <Link href={`${base}/${parent.id}`}>#{parent.number}</Link>
                      </span>
                    ))
                  )}
                </td>
                <td className={`${ui.right} num`} data-testid="search-score">
                  {candidate.searchScore != null ? (
                    formatScore(candidate.searchScore)
                  ) : (
                    <EvaluationState status={candidate.searchStatus} />
                  )}
                </td>
                <td className={`${ui.right} num`}>{formatScore(candidate.testScore)}</td>
                <td className={`${ui.right} num`}>
                  {candidate.tokensPerTask != null ? formatTokens(Math.round(candidate.tokensPerTask)) : "—"}
                </td>
                <td className={`${ui.right} num`}>{candidate.unpriced ? "unpriced" : formatUsd(candidate.costUsd)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Section>
  );
}

function EvaluationState({ status }: { status: string | null }) {
  if (status === "queued" || status === "running") return <span className="muted">evaluating…</span>;
  if (status === "failed" || status === "cancelled") return <span className="muted">{status}</span>;
  return <span className="faint">not evaluated</span>;
}

export function RejectedProposals(props: { projectId: string; candidates: IterationCandidate[] }) {
  const rejected = props.candidates.filter((candidate) => candidate.status === "rejected");
  if (rejected.length === 0) return null;
  return (
    <Section
      title="Rejected proposals"
      hint="Kept with the validator's reason; the proposer sees them under rejected/ next time"
      flush
    >
      <table className={ui.table} data-testid="rejected-proposals">
        <thead>
          <tr>
            <th>Candidate</th>
            <th>Hypothesis and why it was rejected</th>
          </tr>
        </thead>
        <tbody>
          {rejected.map((candidate) => (
            <tr key={candidate.id} data-candidate={candidate.number}>
              <td className={styles.nowrap} style={{ verticalAlign: "top" }}>
                <Link className={ui.rowTitle} href={`/projects/${props.projectId}/candidates/${candidate.id}`}>
                  #{candidate.number}
                </Link>{" "}
                <Badge tone="fail">rejected</Badge>
              </td>
              <td>
                <div className={styles.hypothesis}>
                  {candidate.hypothesis ?? <span className="faint">no hypothesis given</span>}
                </div>
                <pre className={styles.reason}>{candidate.rejectReason ?? "No reason was recorded."}</pre>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
