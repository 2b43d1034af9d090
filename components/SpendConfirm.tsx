"use client";

// Cost before the spend, in the browser: the run controls show a run's estimated cost, and
// before enqueueing one estimated above the project's confirmAboveUsd they show it again with
// its parts and wait for a second click. Offline runs cost nothing and start at once.
import { isCancelledError, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useState, type ReactNode } from "react";
import { estimateQuery } from "@/components/data/queries";
import { formatUsd } from "@/lib/format";
import type { CostEstimate } from "@/lib/evaluations/estimate";
import { ui } from "./ui";
import styles from "./SpendConfirm.module.css";

type Run = Parameters<typeof estimateQuery>[1];

/** "$2.40", "at least $2.40", "$0 (offline)", "no estimate yet". */
export function estimateAmount(estimate: CostEstimate): string {
  if (estimate.offline) return "$0 (offline)";
  if (estimate.usd == null) return "no estimate yet";
  return `${estimate.complete ? "" : "at least "}${formatUsd(estimate.usd)}`;
}

/** One quiet line: the run's estimated cost, its parts in the tooltip. */
export function EstimateLine(props: { projectId: string; run: Run; offline?: boolean; label: string }) {
  const { data } = useQuery({ ...estimateQuery(props.projectId, props.run, props.offline), staleTime: 10_000 });
  if (!data) return null;
  return (
    <span
      className={styles.line}
      data-estimate
      title={data.parts
        // Nothing to spend reads "$0", as the line itself says, not as a rounded "$0.00".
        .map(
          (part) =>
            `${part.usd == null ? "no estimate yet" : part.usd === 0 ? "$0" : formatUsd(part.usd)} · ${part.what} · ${part.basis}`,
        )
        .join("\n")}
    >
      {props.label}: {estimateAmount(data)}
    </span>
  );
}

interface Pending {
  estimate: CostEstimate | null;
  error?: string;
  action: string;
  start: () => Promise<void>;
}

/**
 * `guard(run, action, start)`: reads a fresh estimate, then starts at once, or (above the
 * setting, or when the estimate cannot be read) shows `confirmation` and starts on its button.
 */
export function useSpendConfirmation(projectId: string, offline = false) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<Pending | null>(null);

  async function guard(run: Run, action: string, start: () => Promise<void>): Promise<void> {
    let estimate: CostEstimate;
    const fetchEstimate = () => queryClient.fetchQuery({ ...estimateQuery(projectId, run, offline), staleTime: 0 });
    try {
      // The click hides the estimate line, whose unmount cancels the same query in flight: ask again.
      estimate = await fetchEstimate().catch((error: unknown) =>
        isCancelledError(error) ? fetchEstimate() : Promise.reject(error),
      );
    } catch (error) {
      setPending({ estimate: null, error: error instanceof Error ? error.message : String(error), action, start });
      return;
    }
    if (estimate.needsConfirmation) setPending({ estimate, action, start });
    else await start();
  }

  const confirmation: ReactNode = pending && (
    <div className={styles.confirm} role="alertdialog" aria-label="Confirm the estimated cost" data-spend-confirm>
      {pending.estimate ? (
        <>
          <p>
            <strong>Estimated cost: {estimateAmount(pending.estimate)}</strong>, above this project&apos;s confirmation
            setting of {formatUsd(pending.estimate.confirmAboveUsd)} (
            <Link href={`/projects/${projectId}/settings`}>settings</Link>).
          </p>
          <ul className={styles.parts}>
            {pending.estimate.parts.map((part) => (
              <li key={part.what}>
                <span className={styles.amount}>{part.usd == null ? "no estimate yet" : formatUsd(part.usd)}</span>
                <span>
                  {part.what} <span className="faint">· {part.basis}</span>
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : (
        <p>The cost could not be estimated ({pending.error}).</p>
      )}
      <div className={styles.actions}>
        <button
          type="button"
          className={`${ui.button} ${ui.buttonPrimary}`}
          onClick={() => {
            const { start } = pending;
            setPending(null);
            void start();
          }}
        >
          {pending.action}
        </button>
        <button type="button" className={ui.button} onClick={() => setPending(null)}>
          Cancel
        </button>
      </div>
    </div>
  );

  return { guard, confirmation, confirming: pending !== null };
}
