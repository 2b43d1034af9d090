// Cost before the spend: what an evaluation or an optimization will likely cost, from what this
// project's earlier runs cost. A task run's cost is learnt per model and per split (a harness on
// one model and split says little about another); the proposer's per iteration, per proposer
// kind and model. No history means "no estimate yet", never a guess. Offline runs cost nothing.
// Above the project's confirmAboveUsd the CLI and the run controls ask before starting.
import { db, type ProposerKind } from "../db/client.ts";
import { formatUsd } from "../format.ts";
import { noSuchProject } from "../projects/queries.ts";
import { DEFAULT_CONFIRM_ABOVE_USD, readSettings, trialsFor } from "../projects/settings.ts";

type Split = "search" | "test";

/** One part of a run: its cost, or null with the reason there is no estimate yet. */
export interface EstimatePart {
  what: string;
  usd: number | null;
  /** Where the figure comes from, or why there is none. */
  basis: string;
}

export interface CostEstimate {
  /** The known parts added up; null when no part is known. */
  usd: number | null;
  /** Every part has a figure (otherwise usd is a lower bound). */
  complete: boolean;
  parts: EstimatePart[];
  offline: boolean;
  confirmAboveUsd: number;
  /** The estimate is above confirmAboveUsd: ask before starting. */
  needsConfirmation: boolean;
  /** One line for people: "Estimated cost: $2.40 (…)". */
  summary: string;
}

/** What earlier finished task runs of this project cost, per task, with one model on one split. */
export async function taskCostHistory(
  projectId: string,
  model: string,
  split: Split,
): Promise<{ runs: number; perTaskUsd: number | null }> {
  // An evaluation's model is the one its harness called (the first recorded model call);
  // every finished task run of it counts, a task that made no call costing $0.
  const [row] = await db.$queryRaw<{ runs: number; per_task: number | null }[]>`
    with evaluations as (
      select e.id, (
        select te.gen_ai_request_model from "TaskRun" r join "TraceEvent" te on te."taskRunId" = r.id
        where r."evaluationId" = e.id and te.kind = 'model_call' and te.gen_ai_request_model is not null
        limit 1) as model
      from "Evaluation" e join "Candidate" c on c.id = e."candidateId"
      where c."projectId" = ${projectId} and e.split = ${split}::"Split" and not e.simulated)
    select count(*)::int as runs, avg(r."costUsd")::float8 as per_task
    from "TaskRun" r join evaluations e on e.id = r."evaluationId"
    where e.model = ${model} and r.status not in ('pending', 'running')`;
  return { runs: row.runs, perTaskUsd: row.runs ? row.per_task : null };
}

/** What earlier iterations' proposer spent (its model calls, checks and smoke runs), per iteration. */
export async function proposerCostHistory(
  projectId: string,
  kind: ProposerKind,
  model: string,
): Promise<{ iterations: number; perIterationUsd: number | null }> {
  // A command proposer may make no recorded call of its own: then its kind alone matches.
  const [row] = await db.$queryRaw<{ iterations: number; per_iteration: number | null }[]>`
    select count(*)::int as iterations, avg(i."costUsd")::float8 as per_iteration
    from "Iteration" i
    left join lateral (
      select te.gen_ai_request_model as model from "TraceEvent" te
      where te."iterationId" = i.id and te.kind = 'model_call' and te.gen_ai_request_model is not null
      order by te.seq limit 1) m on true
    where i."projectId" = ${projectId} and i."proposerKind" = ${kind}::"ProposerKind" and not i.simulated
      and i.status in ('done', 'failed', 'cancelled') and (m.model = ${model} or m.model is null)`;
  return { iterations: row.iterations, perIterationUsd: row.iterations ? row.per_iteration : null };
}

async function projectFor(projectId: string) {
  const project = await db.project.findUnique({
    where: { id: projectId },
    select: {
      model: true,
      proposerKind: true,
      proposerModel: true,
      candidatesPerIteration: true,
      settings: true,
      suite: { select: { id: true } },
    },
  });
  if (!project) throw noSuchProject(projectId);
  return project;
}

async function taskCount(suiteId: string | undefined, split: Split): Promise<number> {
  return suiteId ? db.task.count({ where: { suiteId, split } }) : 0;
}

/** `count` evaluations of `tasks` task runs each (tasks × trials), on one split, priced from history. */
async function evaluationPart(
  projectId: string,
  model: string,
  split: Split,
  tasks: number,
  what: string,
  count = 1,
): Promise<EstimatePart> {
  const history = await taskCostHistory(projectId, model, split);
  if (history.perTaskUsd == null) return { what, usd: null, basis: `no earlier ${split} task runs with ${model}` };
  return {
    what,
    usd: history.perTaskUsd * tasks * count,
    basis: `${formatUsd(history.perTaskUsd)} a task, from ${history.runs} earlier ${split} task run${history.runs === 1 ? "" : "s"} with ${model}`,
  };
}

/**
 * Before an evaluation: the split's tasks at this project's per-task cost with its model. A
 * transfer run names its `models` (one part each) and how many candidates each evaluates (`count`).
 */
export async function estimateEvaluation(
  projectId: string,
  split: Split,
  options: { offline?: boolean; models?: string[]; count?: number; trials?: number } = {},
): Promise<CostEstimate> {
  const project = await projectFor(projectId);
  const models = options.models?.length ? options.models : [project.model];
  const count = options.count ?? 1;
  const tasks = await taskCount(project.suite?.id, split);
  const trials = trialsFor(readSettings(project.settings), split, options.trials);
  const parts = await Promise.all(
    models.map((model) => {
      const what = `${count > 1 ? `${count} candidates × ` : ""}${tasks} ${split} task${tasks === 1 ? "" : "s"}${trials > 1 ? ` × ${trials} trials` : ""} with ${model}`;
      return options.offline
        ? { what, usd: 0, basis: "offline: the offline model costs nothing" }
        : evaluationPart(projectId, model, split, tasks * trials, what, count);
    }),
  );
  return finish(parts, project.settings, options.offline === true);
}

/**
 * Before an optimization of N iterations: per iteration, the proposer and its candidates'
 * search evaluations; before the first, the search evaluation of candidates without one (the
 * seed); at the end, the held-out evaluation of a new frontier candidate.
 */
export async function estimateOptimization(
  projectId: string,
  iterations: number,
  options: { offline?: boolean; proposerKind?: ProposerKind; trials?: number } = {},
): Promise<CostEstimate> {
  const project = await projectFor(projectId);
  const settings = readSettings(project.settings);
  const searchTrials = trialsFor(settings, "search", options.trials);
  const testTrials = settings.testTrials ?? searchTrials;
  if (options.offline)
    return finish(
      [{ what: `${iterations} iteration${iterations === 1 ? "" : "s"}`, usd: 0, basis: "offline: costs nothing" }],
      project.settings,
      true,
    );
  const [searchTasks, testTasks] = await Promise.all([
    taskCount(project.suite?.id, "search"),
    taskCount(project.suite?.id, "test"),
  ]);
  const kind = options.proposerKind ?? project.proposerKind;
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const parts: EstimatePart[] = [];

  const unscored = await db.candidate.count({
    where: {
      projectId,
      status: "valid",
      iterationId: null,
      evaluations: { none: { split: "search", status: "done", model: project.model } },
    },
  });
  if (unscored)
    parts.push(
      await evaluationPart(
        projectId,
        project.model,
        "search",
        searchTasks * searchTrials,
        `first, the search evaluation of ${plural(unscored, "candidate")} not scored yet`,
        unscored,
      ),
    );

  if (kind === "offline") {
    parts.push({
      what: `the proposer, ${plural(iterations, "iteration")}`,
      usd: 0,
      basis: "the offline proposer calls no model",
    });
  } else {
    const history = await proposerCostHistory(projectId, kind, project.proposerModel);
    parts.push(
      history.perIterationUsd == null
        ? {
            what: `the proposer, ${plural(iterations, "iteration")}`,
            usd: null,
            basis: `no earlier iterations of the ${kind} proposer with ${project.proposerModel}`,
          }
        : {
            what: `the proposer, ${plural(iterations, "iteration")}`,
            usd: history.perIterationUsd * iterations,
            basis: `${formatUsd(history.perIterationUsd)} an iteration, from ${plural(history.iterations, "earlier iteration")}`,
          },
    );
  }

  const candidates = iterations * project.candidatesPerIteration;
  parts.push(
    await evaluationPart(
      projectId,
      project.model,
      "search",
      searchTasks * searchTrials,
      `search evaluations of ${plural(candidates, "new candidate")} (${runsInWords(searchTasks, searchTrials)} each)`,
      candidates,
    ),
  );
  if (testTasks)
    parts.push(
      await evaluationPart(
        projectId,
        project.model,
        "test",
        testTasks * testTrials,
        `at the end, a new frontier candidate on test (${runsInWords(testTasks, testTrials)})`,
      ),
    );
  return finish(parts, project.settings, false);
}

/** "40 tasks", or with trials "40 tasks × 3 trials". */
function runsInWords(tasks: number, trials: number): string {
  return `${tasks} task${tasks === 1 ? "" : "s"}${trials > 1 ? ` × ${trials} trials` : ""}`;
}

function finish(parts: EstimatePart[], settings: unknown, offline: boolean): CostEstimate {
  const known = parts.filter((part) => part.usd != null);
  const usd = known.length ? known.reduce((sum, part) => sum + part.usd!, 0) : null;
  const complete = known.length === parts.length;
  const confirmAboveUsd = readSettings(settings).confirmAboveUsd ?? DEFAULT_CONFIRM_ABOVE_USD;
  const needsConfirmation = !offline && usd != null && usd > confirmAboveUsd;
  let summary: string;
  if (offline) summary = "Estimated cost: $0 (offline: the offline model costs nothing).";
  else if (usd == null) summary = "Estimated cost: no estimate yet (no earlier runs of this kind in this project).";
  else
    summary = `Estimated cost: ${complete ? "" : "at least "}${formatUsd(usd)}${complete ? "" : " (some parts have no estimate yet)"}.`;
  return { usd, complete, parts, offline, confirmAboveUsd, needsConfirmation, summary };
}

/** The estimate as lines for a terminal: the summary, then each part with its basis. */
export function estimateLines(estimate: CostEstimate): string[] {
  return [
    estimate.summary,
    ...estimate.parts.map(
      (part) => `  ${part.usd == null ? "no estimate yet" : formatUsd(part.usd)}  ${part.what} · ${part.basis}`,
    ),
  ];
}
