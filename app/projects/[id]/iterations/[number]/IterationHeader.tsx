// The iteration at a glance: how it went, what its proposer was and ran with (the instructions
// version), what it cost, and why it stopped, in words.
import Link from "next/link";
import type { ReactNode } from "react";
import { IsolationBadge } from "@/components/IsolationBadge";
import { Badge, PageHeader, SimulatedBadge, ui } from "@/components/ui";
import { formatDuration, formatRelative, formatTokens, formatCost } from "@/lib/format";
import type { IterationView } from "@/lib/iterations/queries";
import type { Stop } from "@/lib/loop/stop";
import { PROPOSER_LABELS } from "@/lib/proposer/labels";
import styles from "./page.module.css";

const statusTone = { done: "pass", failed: "fail", cancelled: "warn", running: "accent", queued: "neutral" } as const;

export function IterationHeader(props: {
  iteration: IterationView;
  filesRead: number;
  candidates: { valid: number; rejected: number; pending: number };
  rawHref: string;
}) {
  const { iteration } = props;
  const base = `/projects/${iteration.projectId}`;
  const neighbour = (number: number | null) => (number == null ? null : `${base}/iterations/${number}`);
  const running = iteration.status === "running" || iteration.status === "queued";
  const ended = iteration.finishedAt ?? (running ? new Date() : null);
  const outcome = outcomeInWords(iteration);
  const written = props.candidates.valid + props.candidates.rejected + props.candidates.pending;
  return (
    <>
      <PageHeader
        eyebrow={
          <>
            <Link href="/projects">Projects</Link> <span>/</span> <Link href={base}>{iteration.projectName}</Link>{" "}
            <span>/</span> <span>iteration</span>
          </>
        }
        title={`Iteration ${iteration.number}`}
        badges={
          <>
            <Badge tone={statusTone[iteration.status as keyof typeof statusTone] ?? "neutral"}>
              {iteration.status}
            </Badge>
            {iteration.stage && iteration.stage !== "done" && (
              <Badge title="The stage it reached">
                {running ? `${iteration.stage}…` : `stopped at ${iteration.stage}`}
              </Badge>
            )}
            <Badge title="Who proposed the candidates">
              {PROPOSER_LABELS[iteration.proposerKind] ?? iteration.proposerKind} proposer
            </Badge>
            {iteration.simulated && <SimulatedBadge />}
          </>
        }
        actions={
          <div className={styles.actions}>
            <NeighbourLink
              href={neighbour(iteration.previousNumber)}
              title="The previous iteration (p)"
              testId="previous-iteration"
            >
              {iteration.previousNumber != null ? `← iteration ${iteration.previousNumber}` : "← previous"}
            </NeighbourLink>
            <NeighbourLink
              href={neighbour(iteration.nextNumber)}
              title="The next iteration (n)"
              testId="next-iteration"
            >
              {iteration.nextNumber != null ? `iteration ${iteration.nextNumber} →` : "next →"}
            </NeighbourLink>
            <a
              className={`${ui.button} ${ui.buttonPrimary}`}
              href={props.rawHref}
              download
              data-testid="download-transcript"
              title="Every event of the proposer's transcript, full bodies, as JSONL"
            >
              Download transcript
            </a>
          </div>
        }
      />
      <section className={ui.card} aria-label="Iteration facts">
        <div className={styles.facts}>
          <Fact
            label="Proposer"
            value={
              iteration.proposerKind === "claude"
                ? `Claude · ${iteration.proposerModel}`
                : iteration.proposerKind === "claude_code"
                  ? `Claude Code · ${iteration.proposerModel}`
                  : iteration.proposerKind === "command"
                    ? "a command"
                    : "offline (simulated)"
            }
            title={iteration.proposerKind === "command" ? (iteration.proposerCommand ?? undefined) : undefined}
          />
          <Fact
            label="Proposer sandbox"
            value={
              iteration.proposerKind === "command" || iteration.proposerKind === "claude_code" ? (
                <span data-testid="proposer-isolation">
                  <IsolationBadge isolation={iteration.proposerIsolation} who="the proposer" />
                </span>
              ) : (
                <span className="faint">
                  {iteration.proposerKind === "claude"
                    ? "none: runs in the studio; its file tools stay in the workspace"
                    : "none: runs in the studio; no model"}
                </span>
              )
            }
          />
          <Fact
            label="Instructions"
            value={
              iteration.instructionVersion != null ? (
                <Link
                  href={`${base}/settings?version=${iteration.instructionVersion}`}
                  data-testid="instructions-link"
                  title={iteration.instructionNote ?? "The proposer's instructions this iteration ran with"}
                >
                  version {iteration.instructionVersion}
                </Link>
              ) : (
                <span className="faint">not recorded</span>
              )
            }
          />
          <Fact label="Started" value={<When date={iteration.startedAt ?? iteration.createdAt} />} />
          <Fact
            label="Finished"
            value={iteration.finishedAt ? <When date={iteration.finishedAt} /> : running ? "not yet" : "—"}
          />
          <Fact
            label={running ? "Running for" : "Duration"}
            value={ended && iteration.startedAt ? formatDuration(ended.getTime() - iteration.startedAt.getTime()) : "—"}
          />
          <Fact
            label="Proposer tokens in / out"
            value={`${formatTokens(iteration.inputTokens)} / ${formatTokens(iteration.outputTokens)}`}
          />
          <Fact label="Proposer cost" value={formatCost(iteration.costUsd)} />
          <Fact label="Files read" value={props.filesRead.toLocaleString("en-US")} />
          <Fact label="Transcript events" value={iteration.eventCount.toLocaleString("en-US")} />
          <Fact
            label="Candidates written"
            value={
              written === 0
                ? "none"
                : `${written} · ${props.candidates.valid} valid${props.candidates.rejected ? ` · ${props.candidates.rejected} rejected` : ""}${props.candidates.pending ? ` · ${props.candidates.pending} pending` : ""}`
            }
          />
        </div>
        {outcome && (
          <div
            className={`${styles.outcome} ${outcome.tone === "fail" ? styles.outcomeFail : styles.outcomeWarn}`}
            data-testid="iteration-outcome"
          >
            {outcome.text}
          </div>
        )}
      </section>
    </>
  );
}

/** Why the iteration failed or stopped short, as a person would say it; null when it simply finished. */
export function outcomeInWords(iteration: {
  status: string;
  error: string | null;
  stop: Stop | null;
}): { text: string; tone: "fail" | "warn" } | null {
  if (iteration.status === "failed")
    return { text: `The iteration failed: ${iteration.error ?? "no reason was recorded."}`, tone: "fail" };
  const { stop } = iteration;
  if (!stop) return null;
  const salvaged = "Any complete harnesses it had written were still validated and evaluated.";
  switch (stop.kind) {
    case "cancelled":
      return {
        text: "Cancelled before it finished. What it had finished is kept; resuming the run picks it up at the stage it reached.",
        tone: "warn",
      };
    case "proposer_max_turns":
      return {
        text: `The proposer used all its turns (model calls) without calling finish. ${salvaged}`,
        tone: "warn",
      };
    case "proposer_budget":
      return { text: `The proposer reached its token budget and stopped. ${salvaged}`, tone: "warn" };
    case "proposer_cancelled":
      return { text: `The proposer was cancelled while it worked. ${salvaged}`, tone: "warn" };
    case "proposer_error":
      return { text: `The proposer failed: ${stop.message} ${salvaged}`, tone: "fail" };
    case "budget":
      return { text: `Stopped early: ${stop.message}`, tone: "warn" };
  }
}

function NeighbourLink(props: { href: string | null; title: string; testId: string; children: ReactNode }) {
  return (
    <Link
      className={`${ui.button} ${props.href ? "" : styles.disabled}`}
      href={props.href ?? "#"}
      aria-disabled={!props.href}
      title={props.href ? props.title : "None"}
      data-testid={props.testId}
    >
      {props.children}
    </Link>
  );
}

function When({ date }: { date: Date }) {
  return (
    <time dateTime={date.toISOString()} title={date.toISOString().replace("T", " ").slice(0, 19) + " UTC"}>
      {formatRelative(date)}
    </time>
  );
}

function Fact({ label, value, title }: { label: string; value: ReactNode; title?: string }) {
  return (
    <div className={styles.fact} title={title}>
      <div className={styles.factLabel}>{label}</div>
      <div className={styles.factValue}>{value}</div>
    </div>
  );
}
