// The proposer's check_candidate and each proposal's validation smoke run: a harness that is not
// (yet) a candidate, run on a few search tasks. Each is stored as a Check of the iteration with
// its task runs and raw traces (the iteration page lists them; the trace viewer opens them).
// Their model calls are the proposer's spending: held to what is left of the proposer's budgets
// while they run, and counted in the iteration's proposer figures.
import fs from "node:fs";
import path from "node:path";
import { db, type CheckKind } from "../db/client.ts";
import type { RunOptions } from "../evaluations/run.ts";
import { runCheckTasks } from "../evaluations/check-run.ts";
import { projectSpending } from "../loop/budget.ts";
import type { ProjectSettings } from "../projects/settings.ts";
import type { CheckResult } from "../proposer/types.ts";
import { newBudget } from "../runner/proxy/index.ts";
import type { Budget, Spend } from "../runner/proxy/types.ts";
import { sha256 } from "../runner/sandbox/compile.ts";
import { exportLine } from "../traces/export.ts";
import { proposalsDir, segment } from "../workspace/layout.ts";

export interface CheckSpec {
  iteration: { id: string; projectId: string; number: number };
  kind: CheckKind;
  source: string;
  taskCount: number;
  run: RunOptions;
  settings: ProjectSettings;
  /** The proposer's spending this iteration that is not stored on the iteration yet (while it proposes). */
  unstored?: Spend;
  /** Where the check's traces are written for the proposer to read (check_candidate only). */
  workspaceDir?: string;
}

export type CheckOutcome = Awaited<ReturnType<typeof runCheckTasks>> & {
  checkId: string;
  spend: NonNullable<CheckResult["spend"]>;
  /** Workspace paths of each task's trace, by task key, when they were written. */
  tracePaths: Map<string, string>;
};

/** Runs and stores one check; its spend is returned for the caller to count as the proposer's. */
export async function runCheck(spec: CheckSpec): Promise<CheckOutcome> {
  const { iteration, source } = spec;
  const check = await db.check.create({
    data: { iterationId: iteration.id, kind: spec.kind, sha256: sha256(source), source },
    select: { id: true },
  });
  const budgets = await proposerBudgets(iteration, spec.settings, spec.unstored);
  const checkRun = await runCheckTasks(iteration.projectId, source, spec.taskCount, {
    ...spec.run,
    checkId: check.id,
    budgets,
  });
  const spend: { inputTokens: number; outputTokens: number; costUsd: number | null } = {
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
  };
  let summary: string;
  const tracePaths = new Map<string, string>();
  if (checkRun.ok) {
    for (const run of checkRun.results) {
      spend.inputTokens += run.inputTokens;
      spend.outputTokens += run.outputTokens;
      // One unpriced task run makes the check's cost unknown (null).
      spend.costUsd = spend.costUsd === null || run.costUsd === null ? null : spend.costUsd + run.costUsd;
    }
    const passed = checkRun.results.filter((run) => run.status === "passed").length;
    summary = `${passed} of ${checkRun.results.length} search tasks passed`;
    if (checkRun.budgetStop) summary += `; stopped: ${checkRun.budgetStop}`;
    if (spec.workspaceDir) {
      const count = await db.check.count({ where: { iterationId: iteration.id, kind: spec.kind } });
      const folder = path.posix.join(proposalsDir(iteration.number), "checks", String(count));
      for (const run of checkRun.results) {
        const relative = path.posix.join(folder, `${segment(run.taskKey)}.jsonl`);
        await writeTrace(run.id, path.join(spec.workspaceDir, relative));
        tracePaths.set(run.taskKey, relative);
      }
    }
  } else {
    summary = `does not compile: ${checkRun.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("; ")}`;
  }
  await db.check.update({ where: { id: check.id }, data: { summary, ...spend } });
  return { ...checkRun, checkId: check.id, spend, tracePaths };
}

/** A check_candidate's answer to the proposer: each task's status, score and trace path. */
export function checkResult(outcome: CheckOutcome): CheckResult {
  if (!outcome.ok)
    return {
      ok: false,
      compileErrors: outcome.errors,
      message: `does not compile: ${outcome.errors.map((e) => `${e.line}:${e.column} ${e.message}`).join("; ")}`,
      spend: outcome.spend,
    };
  const results = outcome.results.map((run) => ({
    taskKey: run.taskKey,
    status: run.status,
    score: run.score,
    ...(outcome.tracePaths.has(run.taskKey) ? { tracePath: outcome.tracePaths.get(run.taskKey) } : {}),
  }));
  const passed = results.filter((run) => run.status === "passed").length;
  const stopped = outcome.budgetStop ? `; stopped: ${outcome.budgetStop}` : "";
  return {
    ok: outcome.results.length > 0,
    results,
    message: `${passed} of ${results.length} search tasks passed${stopped}`,
    spend: outcome.spend,
  };
}

/** A smoke run's spend, added to the iteration's proposer figures (check_candidate's come with the proposer's result). */
export async function countProposerSpend(iterationId: string, spend: CheckOutcome["spend"]): Promise<void> {
  await db.iteration.update({
    where: { id: iterationId },
    data: {
      inputTokens: { increment: spend.inputTokens },
      outputTokens: { increment: spend.outputTokens },
      // null stays null: an unknown cost plus a known one is still unknown.
      costUsd: spend.costUsd === null ? null : { increment: spend.costUsd },
    },
  });
}

/**
 * The proposer's budgets for this iteration and the project, started at what the proposer has
 * spent (stored, plus `unstored`: spent while it proposes and not stored yet). Its checks and smoke
 * runs are held to them, and so are a command proposer's own model calls (proposer-proxy.ts).
 */
export async function proposerBudgets(
  iteration: { id: string; projectId: string },
  settings: ProjectSettings,
  unstored: Spend = { tokens: 0, usd: 0 },
): Promise<Budget[]> {
  const { iteration: perIteration, project } = settings.budgets;
  if (!perIteration?.proposer && !project?.proposer) return [];
  const stored = await db.iteration.findUniqueOrThrow({
    where: { id: iteration.id },
    select: { inputTokens: true, outputTokens: true, costUsd: true },
  });
  const own = {
    tokens: stored.inputTokens + stored.outputTokens + unstored.tokens,
    usd: (stored.costUsd ?? 0) + unstored.usd,
    ...(stored.costUsd === null ? { unpriced: "the proposer's earlier model calls are unpriced" } : {}),
  };
  const budgets = [newBudget("iteration proposer", perIteration?.proposer, own)];
  if (project?.proposer) {
    const spent = (await projectSpending(iteration.projectId)).proposer;
    budgets.push(
      newBudget("project proposer", project.proposer, {
        tokens: spent.tokens + unstored.tokens,
        usd: spent.usd + unstored.usd,
        unpriced: spent.unpriced,
      }),
    );
  }
  return budgets.filter((budget): budget is Budget => budget !== null);
}

/** A task run's trace as the workspace's JSONL, for the proposer to read after its check. */
async function writeTrace(taskRunId: string, file: string): Promise<void> {
  const events = await db.traceEvent.findMany({ where: { taskRunId }, orderBy: { seq: "asc" } });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, events.map((event) => exportLine(event, "workspace")).join(""));
}
