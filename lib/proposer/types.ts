// The one interface every proposer implements. The loop hands a proposer the workspace folder
// (rebuilt from the database before each iteration) and gets back complete harness sources with
// their reasoning; everything the proposer did on the way goes to `record`, in order, as trace
// events of the iteration (TraceEvent rows with iterationId set).
import type { TraceEventRow } from "../traces/events.ts";

/** What the loop's check of one source found: compile errors, or a run on a few search tasks. */
export interface CheckResult {
  ok: boolean;
  compileErrors?: { line: number; column: number; message: string }[];
  /** Each task's outcome; `tracePath` is its trace's workspace path, written for the proposer to read. */
  results?: { taskKey: string; status: string; score: number | null; tracePath?: string }[];
  message: string;
  /** What the check's model calls spent: the proposer's spending (its exploration). */
  spend?: { inputTokens: number; outputTokens: number; costUsd: number | null };
}

export type CheckCandidate = (
  source: string,
  options?: {
    signal?: AbortSignal;
    /** What the proposer has spent so far (calls and checks), so the check is held to what is left of its budgets. */
    spent?: { tokens: number; usd: number };
  },
) => Promise<CheckResult>;

export interface ProposerInput {
  /** The workspace tree. Read-only for the proposer, except proposalDir. */
  workspaceDir: string;
  /** workspaceDir/proposals/<iteration>/: the only place a proposer may write. Created if missing. */
  proposalDir: string;
  iteration: number;
  /** k: how many new harnesses this iteration wants (the method's reference code uses 3). */
  candidatesWanted: number;
  /** The proposer's "skill" text, versioned per project by the caller. */
  instructions: string;
  /** The proposer's own model, e.g. "claude-opus-5-5". */
  model: string;
  /** Model calls (Claude proposer): one turn is one request to the model. */
  maxTurns: number;
  /** Stop cleanly once its tokens (input, output, cache writes and reads; its checks' too) reach this. */
  tokenBudget?: number;
  /** Stop cleanly once its spend (each call priced exactly, cache reads at their own rate; its checks' too) reaches this, in USD. */
  usdBudget?: number;
  signal?: AbortSignal;
  /** Compiles a source and runs it on a few search tasks; provided by the loop. */
  checkCandidate?: CheckCandidate;
  /** Every tool call and result, file read, output line and note, in order (the proxy behind `client` records the model calls). */
  record: (event: TraceEventRow) => void;
  /**
   * Where model requests go: the studio's recording proxy (with a per-iteration credential) or a
   * fake. `socketPath`: the proxy's unix socket, a sandboxed command's only way out.
   */
  client: { baseURL: string; apiKey: string; socketPath?: string };
}

export type Axis = "exploit" | "explore";

export interface Proposal {
  /** The folder holding harness.ts, relative to workspaceDir, posix: "proposals/4/vote-then-verify". */
  dir: string;
  /** The complete harness module. */
  source: string;
  hypothesis: string;
  axis: Axis;
  /** The workspace candidate id (the folder name under candidates/) it builds on, or null. */
  baseCandidateId: string | null;
  rationale: string;
}

export type StopReason = "done" | "max_turns" | "budget" | "cancelled" | "error";

export interface ProposerResult {
  /**
   * With stopReason "done", the proposals the proposer declared. Otherwise, whatever complete
   * harness.ts files it had written under proposalDir when it stopped, so the tokens spent are not
   * thrown away; the loop's validation decides whether they are usable.
   */
  proposals: Proposal[];
  /** Workspace paths read, in order of first read, each once. */
  filesRead: string[];
  inputTokens: number;
  outputTokens: number;
  /** Null when one of its model calls (or its checks') was unpriced: the cost is unknown, not 0. */
  costUsd: number | null;
  stopReason: StopReason;
  error?: string;
  /** Command and Claude Code proposers: the sandbox its process ran in ("bubblewrap", or "process" where bubblewrap cannot run). */
  isolation?: "bubblewrap" | "process";
}

export interface Proposer {
  kind: "claude" | "command" | "claude_code" | "offline";
  propose(input: ProposerInput): Promise<ProposerResult>;
}
