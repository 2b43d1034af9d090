// Per-task-run credentials: the only secret a sandbox holds. Each maps to its attribution (who to
// charge, which budgets apply) and to the tokens the proxy has counted for it.

import { randomBytes } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { chargeBudgets, tokensOf } from "./budget.ts";
import type { Attribution, CredentialUsage, RegistryEntry, TokenUsage, UsageRecorder } from "./types.ts";

/** A fresh, unguessable credential (192 random bits). Shaped like a key so SDK checks pass. */
export function newCredential(): string {
  return `sk-studio-${randomBytes(24).toString("base64url")}`;
}

/** The credential a client presented: `x-api-key`, else `Authorization: Bearer …`. */
export function presentedCredential(headers: IncomingHttpHeaders): string | undefined {
  const key = headers["x-api-key"];
  if (typeof key === "string" && key) return key;
  const auth = headers.authorization;
  const match = typeof auth === "string" ? /^Bearer\s+(.+)$/i.exec(auth.trim()) : null;
  return match?.[1];
}

function emptyUsage(): CredentialUsage {
  return {
    tokens: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheCreationInputTokens: 0,
    cacheReadInputTokens: 0,
    costUsd: 0,
    requests: 0,
  };
}

export class CredentialRegistry implements UsageRecorder {
  #entries = new Map<string, RegistryEntry>();

  register(credential: string, attribution: Attribution): void {
    if (credential.length < 16) throw new Error("A proxy credential must be long and random; use newCredential()");
    this.#entries.set(credential, { credential, attribution, usage: emptyUsage() });
  }

  /** Forgets a credential; returns what it used. Requests already in flight still finish and are recorded. */
  unregister(credential: string): CredentialUsage | undefined {
    const entry = this.#entries.get(credential);
    this.#entries.delete(credential);
    return entry?.usage;
  }

  /** The entry for a presented credential, if it is registered. */
  lookup(presented: string | undefined): RegistryEntry | undefined {
    return presented ? this.#entries.get(presented) : undefined;
  }

  usage(credential: string): CredentialUsage | undefined {
    const usage = this.#entries.get(credential)?.usage;
    return usage ? { ...usage } : undefined;
  }

  /** Counts one answered request against its credential and each of its budgets. */
  record(entry: RegistryEntry, usage: TokenUsage | undefined, costUsd: number | null, model?: string): void {
    const total = entry.usage;
    total.requests += 1;
    total.costUsd += costUsd ?? 0;
    chargeBudgets(
      entry.attribution,
      { tokens: tokensOf(usage), usd: costUsd ?? 0 },
      costUsd === null ? model : undefined,
    );
    if (!usage) return;
    total.inputTokens += usage.input_tokens ?? 0;
    total.outputTokens += usage.output_tokens ?? 0;
    total.cacheCreationInputTokens += usage.cache_creation_input_tokens ?? 0;
    total.cacheReadInputTokens += usage.cache_read_input_tokens ?? 0;
    total.tokens = tokensOf(usage) + total.tokens;
  }
}
