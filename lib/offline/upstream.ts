// Offline mode: the offline model (lib/offline/model.ts, rules in RULES.md) started once per
// process on loopback, as the upstream for everything marked simulated.
import { startOfflineModel } from "./model.ts";

let started: Promise<{ url: string; close(): Promise<void> }> | undefined;

/** The offline model's base URL (started on first use, stopped with the process). */
export async function offlineUpstream(): Promise<string> {
  // unref: an idle model must not keep a finished CLI command (eval, optimize) from exiting.
  started ??= startOfflineModel({ unref: true });
  return (await started).url;
}

/** Whether a real model can be called: without a key the studio offers offline mode. */
export function modelConfigured(): boolean {
  return Boolean(process.env.ANTHROPIC_API_KEY);
}
