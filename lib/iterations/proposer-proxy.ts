// Where a proposer's model calls go. The built-in proposers call from inside the studio (the
// Claude proposer records and budgets its own calls). A command proposer is an untrusted process:
// it gets a recording proxy of its own for the iteration and a fresh credential for it
// (`sk-studio-…`, as ANTHROPIC_API_KEY with the proxy as ANTHROPIC_BASE_URL), which the proxy
// swaps for the real key. Each call is recorded in the iteration's transcript and held to the
// proposer's budgets (iteration and project) before it is forwarded, like a harness's.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ProposerKind } from "../db/client.ts";
import type { RunOptions } from "../evaluations/run.ts";
import type { ProjectSettings } from "../projects/settings.ts";
import type { ProposerInput, ProposerResult } from "../proposer/types.ts";
import { budgetSpent, newCredential, startRecordingProxy, type RecordingProxy } from "../runner/proxy/index.ts";
import type { Budget, CredentialUsage } from "../runner/proxy/types.ts";
import { fromExchange } from "../traces/build.ts";
import type { TraceEventRow } from "../traces/events.ts";
import { proposerBudgets } from "./checks.ts";

export interface ProposerLine {
  client: ProposerInput["client"];
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
  if (kind !== "command") {
    const client = {
      baseURL: run.upstreamUrl ?? process.env.ANTHROPIC_BASE_URL ?? "https://api.anthropic.com",
      apiKey: run.apiKey ?? process.env.ANTHROPIC_API_KEY ?? "",
    };
    return { client, finish: async (result) => result, close: async () => {} };
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
  let closed: Promise<void> | null = null;
  const close = () => (closed ??= proxy.close().finally(() => fs.rmSync(dir, { recursive: true, force: true })));
  return {
    client: { baseURL: proxy.url, apiKey: credential, socketPath: proxy.socketPath },
    close,
    finish: async (result) => {
      await proxy.whenRecorded(credential);
      const usage = proxy.unregister(credential);
      await close();
      return withProxyFigures(result, usage, budgets);
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
