// A throwaway workspace for proposer tests: a copy of tests/fixtures/proposer/workspace (two
// candidates with scores and raw traces, a rejected one) in a temp folder, with the iteration's
// proposal folder made and a sibling folder "outside" that no tool may reach.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { newCredential, startRecordingProxy } from "../../../lib/runner/proxy/index.ts";
import { fromExchange } from "../../../lib/traces/build.ts";
import type { TraceEventRow } from "../../../lib/traces/events.ts";

export const FIXTURE = path.resolve(import.meta.dirname, "../../fixtures/proposer/workspace");

export interface TestWorkspace {
  root: string;
  workspaceDir: string;
  proposalDir: string;
  outsideDir: string;
  remove(): void;
}

export function makeWorkspace(iteration = 3): TestWorkspace {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "studio-proposer-test-"));
  fs.chmodSync(root, 0o755); // a sandboxed command runs as its own uid when the tests run as root
  const workspaceDir = path.join(root, "workspace");
  fs.cpSync(FIXTURE, workspaceDir, { recursive: true });
  const proposalDir = path.join(workspaceDir, "proposals", String(iteration));
  fs.mkdirSync(proposalDir, { recursive: true });
  const outsideDir = path.join(root, "outside");
  fs.mkdirSync(outsideDir);
  fs.writeFileSync(path.join(outsideDir, "secret.txt"), "the studio's secret\n");
  return {
    root,
    workspaceDir,
    proposalDir,
    outsideDir,
    remove: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}

/** The recorder the loop would pass, keeping rows in memory; bodies parsed for assertions. */
export function recorder() {
  const rows: TraceEventRow[] = [];
  return {
    rows,
    record: (row: TraceEventRow) => void rows.push(row),
    body: (row: TraceEventRow) => JSON.parse(row.bodyJson),
    kinds: () => rows.map((row) => row.kind),
  };
}

/**
 * A recording proxy in front of `upstreamUrl`, as the loop gives the Claude proposer: `client`
 * carries a fresh credential, the proxy puts in `apiKey` and records each call with `record`.
 */
export async function throughProxy(
  upstreamUrl: string,
  record: (row: TraceEventRow) => void,
  apiKey = "sk-real-key",
): Promise<{ client: { baseURL: string; apiKey: string }; close: () => Promise<void> }> {
  const proxy = await startRecordingProxy({
    upstreamUrl,
    apiKey,
    retryBaseMs: 10,
    onExchange: (exchange) => record(fromExchange(exchange)),
  });
  const credential = newCredential();
  proxy.register(credential, {});
  return { client: { baseURL: proxy.url, apiKey: credential }, close: () => proxy.close() };
}
