// A check run runs a harness that is not (yet) a candidate on a few search tasks, exactly as an
// evaluation would: the proposer's check and the validation smoke run. Nothing is stored as an
// evaluation; given a check (lib/iterations/checks.ts), its task runs and traces are stored as
// the check's.
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { readSettings } from "../projects/settings.ts";
import { compileCacheDir, runTaskRuns } from "../runner/engine.ts";
import type { Budget, Exchange } from "../runner/proxy/types.ts";
import { compileGrader, compileHarness } from "../runner/sandbox/compile.ts";
import { TaskRunWriter, type FinishedTaskRun } from "../traces/writer.ts";
import { readStoredGrader } from "../suites/store.ts";
import { loadPriceOverrides } from "../prices/overrides.ts";
import type { RunOptions } from "./run.ts";

export interface CheckRunResult extends FinishedTaskRun {
  taskKey: string;
}

export interface CheckRunOptions extends RunOptions {
  onExchange?: (exchange: Exchange) => void;
  /** Store the task runs (and their traces) as this check's. */
  checkId?: string;
  /** Budgets every task run is held to besides its own (the proposer's, for a check). */
  budgets?: Budget[];
}

/**
 * Runs a harness that is not (yet) a candidate on the first `taskCount` search tasks of a
 * project, exactly as an evaluation would: the proposer's check and the validation smoke run.
 */
export async function runCheckTasks(
  projectId: string,
  source: string,
  taskCount: number,
  options: CheckRunOptions = {},
): Promise<
  | { ok: true; results: CheckRunResult[]; isolation: string | null; budgetStop: string | null }
  | { ok: false; errors: { line: number; column: number; message: string }[] }
> {
  const project = await db.project.findUniqueOrThrow({
    where: { id: projectId },
    select: {
      model: true,
      settings: true,
      suite: { select: { id: true, mode: true, grader: true, graderSource: true, timeoutMs: true } },
    },
  });
  const suite = project.suite;
  if (!suite) throw new StudioError("This project has no task suite.");
  const harness = await compileHarness(source, { cacheDir: compileCacheDir() });
  if (!harness.ok) return { ok: false, errors: harness.errors };
  const { grader, passThreshold } = readStoredGrader(suite.grader);
  const graderCode =
    grader.type === "module" ? await compileGrader(suite.graderSource ?? "", { cacheDir: compileCacheDir() }) : null;
  const tasks = await db.task.findMany({
    where: { suiteId: suite.id, split: "search" },
    orderBy: { position: "asc" },
    take: taskCount,
    select: {
      id: true,
      key: true,
      input: true,
      expected: true,
      meta: true,
      envFiles: true,
      container: true,
      position: true,
    },
  });
  const results: CheckRunResult[] = [];
  const ids = new Map(tasks.map((task) => [task.id, `check-${task.id}`]));
  if (options.checkId) {
    const checkId = options.checkId;
    const rows = await db.taskRun.createManyAndReturn({
      data: tasks.map((task) => ({ checkId, taskId: task.id })),
      select: { id: true, taskId: true },
    });
    for (const row of rows) ids.set(row.taskId, row.id);
  }
  const keys = new Map(tasks.map((task) => [ids.get(task.id)!, task.key]));
  const writer = options.checkId ? new TaskRunWriter() : null;
  await loadPriceOverrides();
  const { isolation, budgetStop } = await runTaskRuns({
    evaluationId: null,
    model: project.model,
    harnessCode: harness.code,
    graderCode: graderCode?.ok ? graderCode.code : null,
    grader,
    passThreshold,
    sequential: suite.mode === "sequential",
    timeoutMs: suite.timeoutMs,
    settings: options.settings ?? readSettings(project.settings),
    runs: tasks.map((task) => ({ id: ids.get(task.id)!, task })),
    finished: [],
    concurrency: 1,
    sink: {
      add: async (run) => {
        results.push({ ...run, taskKey: keys.get(run.id) ?? run.id });
        await writer?.add(run);
      },
    },
    options,
    cancelled: () => options.signal?.aborted === true,
    budgets: options.budgets,
    onExchange: options.onExchange,
  });
  await writer?.drain();
  return { ok: true, results, isolation, budgetStop };
}
