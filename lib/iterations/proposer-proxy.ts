// Where a proposer's model calls go. The Claude proposer and a command (or Claude Code) proposer get a recording
// proxy of their own for the iteration and a fresh credential for it (`sk-studio-…`; a command
// gets it as ANTHROPIC_API_KEY with the proxy as ANTHROPIC_BASE_URL), which the proxy swaps for
// the real key. Each call is recorded in the iteration's transcript (with its attempts, headers,
// usage and exact cost) and held to the proposer's budgets (iteration and project) before it is
// forwarded, like a harness's. The offline proposer makes no model calls.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ProposerKind } from "../db/client.ts";
import type { RunOptions } from "../evaluations/run.ts";
import type { ProjectSettings } from "../projects/settings.ts";
import type { CheckResult, ProposerInput, ProposerResult } from "../proposer/types.ts";
import {
  budgetSpent,
  chargeBudgets,
  newCredential,
  startRecordingProxy,
  type RecordingProxy,
} from "../runner/proxy/index.ts";
import type { Budget, CredentialUsage } from "../runner/proxy/types.ts";
import { fromExchange } from "../traces/build.ts";
import type { TraceEventRow } from "../traces/events.ts";
import { proposerBudgets } from "./checks.ts";

export interface ProposerLine {
  client: ProposerInput["client"];
  /** A check's spend: the proposer's too, so it is charged to the budgets and added to the figures. */
  countCheck(spend: NonNullable<CheckResult["spend"]>): void;
  /** The result with the proxy's figures (every call, priced exactly) and its budget stop, if any. */
  finish(result: ProposerResult): Promise<ProposerResult>;
  /** Stops the proxy; safe to call more than once, and after finish. */
  close(): Promise<void>;
}

export async function openProposerLine(
  kind: ProposerKind,
  spec: {
    iteration: { id: string; projectId: string };
    settings: ProjectSettings;
    run: RunOptions;
    record: (row: TraceEventRow) => void;
  },
): Promise<ProposerLine> {
  const { run } = spec;
  if (kind === "offline") {
    const client = { baseURL: "http://127.0.0.1:9", apiKey: "" }; // never called
    return { client, countCheck: () => {}, finish: async (result) => result, close: async () => {} };
  }
  const budgets = await proposerBudgets(spec.iteration, spec.settings);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "studio-proposer-proxy-"));
  fs.chmodSync(dir, 0o755); // the command's uid reaches the socket through it
  let proxy: RecordingProxy;
  try {
    proxy = await startRecordingProxy({
      upstreamUrl: run.upstreamUrl,
      apiKey: run.apiKey,
      socketPath: path.join(dir, "model.sock"),
      onExchange: (exchange) => spec.record(fromExchange(exchange)),
    });
  } catch (error) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const credential = newCredential();
  proxy.register(credential, { iterationId: spec.iteration.id, budgets });
  const checks = { tokens: 0, inputTokens: 0, outputTokens: 0, usd: 0 as number | null };
  let closed: Promise<void> | null = null;
  const close = () => (closed ??= proxy.close().finally(() => fs.rmSync(dir, { recursive: true, force: true })));
  return {
    client: { baseURL: proxy.url, apiKey: credential, socketPath: proxy.socketPath },
    close,
    countCheck: (spend) => {
      const tokens = spend.inputTokens + spend.outputTokens;
      chargeBudgets(
        { budgets },
        { tokens, usd: spend.costUsd ?? 0 },
        spend.costUsd === null ? "of a check" : undefined,
      );
      checks.inputTokens += spend.inputTokens;
      checks.outputTokens += spend.outputTokens;
      checks.usd = checks.usd === null || spend.costUsd === null ? null : checks.usd + spend.costUsd;
    },
    finish: async (result) => {
      await proxy.whenRecorded(credential);
      const usage = proxy.unregister(credential);
      await close();
      if (kind !== "claude") return withProxyFigures(result, usage, budgets);
      return withCallsAndChecks(result, usage, checks, budgets);
    },
  };
}

/**
 * The proxy's count is the record: every call the command made through it, priced exactly. The
 * command's own report (stream-json `result` lines) stands only when no call came through the
 * proxy (a command whose figures the studio cannot see otherwise).
 */
function withProxyFigures(
  result: ProposerResult,
  usage: CredentialUsage | undefined,
  budgets: Budget[],
): ProposerResult {
  const figures =
    usage && usage.requests > 0
      ? {
          inputTokens: usage.inputTokens + usage.cacheCreationInputTokens + usage.cacheReadInputTokens,
          outputTokens: usage.outputTokens,
          costUsd: usage.costUsd,
        }
      : {};
  const spent = budgets.map(budgetSpent).find((message) => message !== undefined);
  // A command refused by a spent budget stopped for that reason, however it exited.
  const stop = spent && result.stopReason !== "cancelled" ? { stopReason: "budget" as const, error: spent } : {};
  return { ...result, ...figures, ...stop };
}

/**
 * The Claude proposer's figures: its model calls as the proxy counted and priced them, plus its
 * checks. Its cost stays unknown (null) when it saw an unpriced call or check. A budget the proxy
 * found spent is its stop, unless it finished (a finish in the call that crossed it counts) or was
 * cancelled.
 */
function withCallsAndChecks(
  result: ProposerResult,
  usage: CredentialUsage | undefined,
  checks: { inputTokens: number; outputTokens: number; usd: number | null },
  budgets: Budget[],
): ProposerResult {
  const calls = usage ?? {
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    costUsd: 0,
  };
  const figures = {
    inputTokens: calls.inputTokens + calls.cacheCreationInputTokens + calls.cacheReadInputTokens + checks.inputTokens,
    outputTokens: calls.outputTokens + checks.outputTokens,
    costUsd: result.costUsd === null || checks.usd === null ? null : calls.costUsd + checks.usd,
  };
  const spent = budgets.map(budgetSpent).find((message) => message !== undefined);
  const finished = result.stopReason === "done" || result.stopReason === "cancelled";
  const stop = spent && !finished ? { stopReason: "budget" as const, error: result.error ?? spent } : {};
  return { ...result, ...figures, ...stop };
}
