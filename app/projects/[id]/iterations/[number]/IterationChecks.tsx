// The harnesses the iteration ran that are not (yet) candidates: the proposer's check_candidate
// calls and each proposal's validation smoke run. Their model calls are the proposer's spending;
// each task run links to its trace.
import Link from "next/link";
import { Badge, Section, ui } from "@/components/ui";
import { formatScore, formatTokens, formatCost } from "@/lib/format";
import type { IterationCheck } from "@/lib/iterations/queries";

const statusTone = { passed: "pass", failed: "fail", error: "warn", pending: "neutral", running: "accent" } as const;

export function IterationChecks(props: { projectId: string; checks: IterationCheck[] }) {
  if (props.checks.length === 0) return null;
  return (
    <Section
      title="Checks"
      hint="check_candidate calls and validation smoke runs; counted in the proposer's spending"
      flush
    >
      <table className={ui.table} data-testid="iteration-checks">
        <thead>
          <tr>
            <th>Kind</th>
            <th>Result</th>
            <th>Task runs</th>
            <th className={ui.right}>Tokens</th>
            <th className={ui.right}>Cost</th>
          </tr>
        </thead>
        <tbody>
          {props.checks.map((check) => (
            <tr key={check.id}>
              <td>{check.kind === "smoke" ? "smoke run" : "check_candidate"}</td>
              <td>{check.summary}</td>
              <td>
                {check.taskRuns.map((run) => (
                  <span key={run.id} style={{ marginRight: "0.75em" }}>
                    <Link href={`/projects/${props.projectId}/runs/${run.id}`}>{run.taskKey}</Link>{" "}
                    <Badge tone={statusTone[run.status as keyof typeof statusTone] ?? "neutral"}>
                      {run.status} {formatScore(run.score)}
                    </Badge>
                  </span>
                ))}
              </td>
              <td className={ui.right}>{formatTokens(check.inputTokens + check.outputTokens)}</td>
              <td className={ui.right}>{formatCost(check.costUsd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}
