// The workspace's small files, as pure functions of rows already loaded: meta.json,
// scores.json, audit.json, reason.md, tasks/<key>.json, leaderboard.md, frontier.json, per-task-best.json.
// Lists are sorted and objects built field by field, so a rebuild from the same rows gives the
// same bytes and a diff between two rebuilds shows only what changed.
import type { FeedbackMode } from "../db/client.ts";
import { formatCost } from "../format.ts";
import type { CandidateInfo, EvaluationInfo, TaskRunInfo } from "./data.ts";
import { rank, type Scored } from "../candidates/selection.ts";
import { tokensPerTask } from "../candidates/standings.ts";
import { figuresOf, taskRunCount, type EvaluationFigures } from "../evaluations/figures.ts";
import { meanScore, passedOf, taskTrials } from "./trials.ts";
import { formatJson } from "./json.ts";
import type { TaskRunAudit } from "../audit/compute.ts";
import { summarizeAudits } from "../audit/summary.ts";
import { CANDIDATES, REJECTED, candidateDir, summaryName, traceName } from "./layout.ts";

/** An evaluation's figures as every workspace file reports them. */
export interface SplitScores extends EvaluationFigures {
  evaluationId: string;
  finishedAt: string;
  tokensPerTask: number;
  simulated: boolean;
}

/** A candidate with its newest finished search evaluation (the only split the workspace knows). */
export interface Standing {
  candidate: CandidateInfo;
  search: SplitScores | null;
}

export type FrontierEntry = Scored & { costUsd: number | null };

export function splitScores(evaluation: EvaluationInfo): SplitScores {
  const figures = figuresOf(evaluation);
  return {
    evaluationId: evaluation.id,
    finishedAt: evaluation.finishedAt.toISOString(),
    ...figures,
    tokensPerTask: tokensPerTask(figures.inputTokens, figures.outputTokens, taskRunCount(figures)),
    costUsd: roundUsd(figures.costUsd),
    simulated: evaluation.simulated,
  };
}

export function renderMeta(candidate: CandidateInfo): string {
  return formatJson(
    {
      id: candidate.id,
      number: candidate.number,
      parents: candidate.parents.map((parent) => ({ number: parent.number, id: parent.id })),
      iteration: candidate.iterationNumber,
      origin: candidate.origin,
      status: candidate.status,
      rationale: candidate.rationale,
      hypothesis: candidate.hypothesis,
      axis: candidate.axis,
      simulated: candidate.simulated,
      createdAt: candidate.createdAt.toISOString(),
      sha256: candidate.sha256,
    },
    2,
  );
}

/**
 * scores.json: the search split in aggregate and task by task (one compact line per task, in
 * suite order). With trials, a task's line has its score (the mean), how many trials passed
 * ("2/3") and each trial's result and trace. Nothing of the held-out split: it is sealed.
 */
export function renderScores(
  candidate: CandidateInfo,
  standing: Standing,
  searchRuns: readonly TaskRunInfo[],
  feedback: FeedbackMode = "raw",
): string {
  const tasks = [...taskTrials(searchRuns).entries()].map(([key, trials]) =>
    trials.length === 1
      ? { key, ...runResult(trials[0], feedback) }
      : {
          key,
          score: meanScore(trials),
          passed: passedOf(trials),
          trials: trials.map((run) => ({ trial: run.trial, ...runResult(run, feedback) })),
        },
  );
  return formatJson({ id: candidate.id, number: candidate.number, search: standing.search, tasks }, 2);
}

function runResult(run: TaskRunInfo, feedback: FeedbackMode) {
  return {
    status: run.status,
    score: run.score,
    errorKind: run.errorKind ?? undefined,
    error: run.errorMessage ? firstLine(run.errorMessage, 200) : undefined,
    inputTokens: run.inputTokens,
    outputTokens: run.outputTokens,
    costUsd: roundUsd(run.costUsd),
    durationMs: run.durationMs,
    events: run.eventCount,
    // Where the task run's feedback is, by mode; scores mode names none.
    trace: feedback === "raw" ? `traces/${traceName(run.key, run.trial)}` : undefined,
    summary: feedback === "summary" ? `summaries/${summaryName(run.key, run.trial)}` : undefined,
  };
}

/**
 * audit.json: the harness audit of the newest search evaluation (lib/audit), a digest beside the
 * raw traces it was computed from: means per task, the prompt repeat share, the tool table, and
 * one compact line per search task, in suite order.
 */
export function renderAudit(evaluationId: string, runs: readonly (TaskRunInfo & { audited: TaskRunAudit })[]): string {
  const sorted = [...runs].sort((a, b) => a.position - b.position);
  const summary = summarizeAudits(sorted.map((run) => ({ audit: run.audited, durationMs: run.durationMs })));
  const share = (repeated: number, total: number) => (total > 0 ? round3(repeated / total) : null);
  const tasks = sorted.map(({ key, trial, durationMs, audited }) => ({
    key,
    trial: trial > 1 ? trial : undefined,
    modelCalls: audited.modelCalls,
    inputTokens: audited.inputTokens,
    cachedInputTokens: audited.cachedInputTokens,
    outputTokens: audited.outputTokens,
    wallMs: durationMs,
    promptRepeatShare: share(audited.repeatedChars, audited.promptChars),
    execs: audited.execs,
    failedExecs: audited.failedExecs,
    tools: audited.tools,
    trace: `traces/${traceName(key, trial)}`,
  }));
  const perTask = summary.perTask;
  return formatJson(
    {
      split: "search",
      evaluationId,
      taskRuns: summary.taskRuns,
      perTask: {
        modelCalls: round3(perTask.modelCalls),
        inputTokens: Math.round(perTask.inputTokens),
        cachedInputTokens: Math.round(perTask.cachedInputTokens),
        outputTokens: Math.round(perTask.outputTokens),
        wallMs: perTask.wallMs === null ? null : Math.round(perTask.wallMs),
        execs: round3(perTask.execs),
      },
      promptRepeatShare: summary.repeatShare === null ? null : round3(summary.repeatShare),
      failedExecs: summary.failedExecs,
      unreadCalls: summary.unreadCalls || undefined,
      tools: summary.tools,
      tasks,
    },
    2,
  );
}

const round3 = (value: number) => Math.round(value * 1000) / 1000;

export function renderReason(
  candidate: CandidateInfo,
  search: SplitScores | null,
  feedback: FeedbackMode = "raw",
): string {
  const lines = [
    `# Rejected: candidate #${candidate.number} (${candidate.id})`,
    "",
    `- origin: ${candidate.origin}${candidate.iterationNumber !== null ? `, iteration ${candidate.iterationNumber}` : ""}`,
    `- parents: ${candidate.parents.length ? candidate.parents.map((parent) => `#${parent.number} (${CANDIDATES}/${parent.id}/)`).join(", ") : "none"}`,
    `- created: ${candidate.createdAt.toISOString()}`,
  ];
  const where = {
    raw: " (its traces are in traces/)",
    summary: " (summaries of its traces are in summaries/)",
    scores: "",
  };
  if (search) lines.push(`- search score before it was rejected: ${scoreCell(search)}${where[feedback]}`);
  lines.push("", "## Why it was rejected", "", fence(candidate.rejectReason ?? "(no reason was recorded)"));
  const idea: [string, string | null][] = [
    ["Axis", candidate.axis],
    ["Hypothesis", candidate.hypothesis],
    ["Rationale", candidate.rationale],
  ];
  if (idea.some(([, text]) => text)) {
    lines.push("", "## What it tried", "");
    for (const [label, text] of idea) if (text) lines.push(`${label}: ${text.trim()}`, "");
  }
  return `${lines.join("\n").trimEnd()}\n`;
}

export function renderTask(task: {
  key: string;
  position: number;
  input: unknown;
  meta: unknown;
  files: string[];
}): string {
  return formatJson(
    {
      key: task.key,
      split: "search",
      position: task.position,
      input: task.input,
      meta: task.meta ?? null,
      files: [...task.files].sort(),
    },
    1,
  );
}

/**
 * Every candidate, ranked by the selection rule (lib/candidates/selection.ts: the best first,
 * within-noise ties to the cheaper). Candidates without a finished search evaluation follow,
 * by number; rejected ones have their own table. `flaky`: per candidate, its tasks whose
 * trials disagree ("key 2/3").
 */
export function renderLeaderboard(
  standings: readonly Standing[],
  frontierIds: ReadonlySet<string>,
  flaky: ReadonlyMap<string, readonly string[]> = new Map(),
): string {
  const ranked = rankStandings(standings.filter((standing) => standing.candidate.status !== "rejected"));
  const rejected = standings
    .filter((standing) => standing.candidate.status === "rejected")
    .sort((a, b) => a.candidate.number - b.candidate.number);
  const lines = [
    "# Leaderboard",
    "",
    "Scores are mean task scores (0..1) of each candidate's newest finished search evaluation, with their 95% interval",
    "and task runs passed/total. With trials (several task runs per task), a task's score is its mean over its trials;",
    "`flaky` lists the tasks whose trials disagree (key passed/trials): a flaky task, not a broken one.",
    "Ranked by the selection rule: candidates whose intervals overlap are tied, and the tie goes to fewer tokens per task.",
    "★ marks the score-versus-cost frontier (frontier.json).",
    "",
    "| rank | # | id | search | 95% interval | tokens/task | search cost | parents | status | origin | iteration | frontier | flaky |",
    "|---:|---:|---|---|---|---:|---:|---|---|---|---:|:---:|---|",
  ];
  let rank = 0;
  for (const { candidate, search } of ranked) {
    const evaluated = search?.score != null;
    lines.push(
      row([
        evaluated ? String(++rank) : "—",
        String(candidate.number),
        candidate.id,
        search ? scoreCell(search) : "not evaluated",
        search?.scoreLow != null && search.scoreHigh != null
          ? `${search.scoreLow.toFixed(3)}–${search.scoreHigh.toFixed(3)}`
          : "—",
        search ? String(search.tokensPerTask) : "—",
        search ? formatCost(search.costUsd) : "—",
        parentsCell(candidate),
        candidate.status,
        candidate.origin,
        candidate.iterationNumber === null ? "—" : String(candidate.iterationNumber),
        frontierIds.has(candidate.id) ? "★" : "",
        flakyCell(flaky.get(candidate.id) ?? []),
      ]),
    );
  }
  if (rejected.length) {
    lines.push(
      "",
      `## Rejected (reasons in ${REJECTED}/<id>/reason.md)`,
      "",
      "| # | id | parents | reason |",
      "|---:|---|---|---|",
    );
    for (const { candidate } of rejected) {
      lines.push(
        row([
          String(candidate.number),
          candidate.id,
          parentsCell(candidate),
          firstLine(candidate.rejectReason ?? "", 160),
        ]),
      );
    }
  }
  return `${lines.join("\n")}\n`;
}

/** The leaderboard's order: the selection rule's ranking. */
export function rankStandings<T extends Standing>(standings: readonly T[]): T[] {
  const points = standings.map((standing) => ({
    standing,
    id: standing.candidate.id,
    number: standing.candidate.number,
    score: standing.search?.score ?? null,
    scoreLow: standing.search?.scoreLow ?? null,
    scoreHigh: standing.search?.scoreHigh ?? null,
    tokensPerTask: standing.search?.tokensPerTask ?? 0,
  }));
  return rank(points).map((point) => point.standing);
}

/** At most FLAKY_SHOWN flaky tasks, then how many more. */
const FLAKY_SHOWN = 6;
function flakyCell(tasks: readonly string[]): string {
  if (!tasks.length) return "";
  const more = tasks.length - FLAKY_SHOWN;
  return tasks.slice(0, FLAKY_SHOWN).join(", ") + (more > 0 ? `, +${more} more` : "");
}

export function renderFrontier(points: readonly FrontierEntry[]): string {
  return formatJson(
    {
      axes: {
        score: "search score, 0..1, higher is better",
        tokensPerTask: "model tokens (input + output) per search task, lower is better",
      },
      frontier: points.map((point) => ({
        number: point.number,
        id: point.id,
        score: point.score,
        tokensPerTask: point.tokensPerTask,
        costUsd: point.costUsd,
        dir: `${candidateDir(point.id)}/`,
      })),
    },
    2,
  );
}

/** Per search task, which candidates pass it and the best score reached, in suite order. */
export function renderPerTaskBest(
  tasks: readonly { key: string }[],
  results: ReadonlyMap<string, { passed: { number: number; id: string }[]; bestScore: number | null }>,
  candidatesCompared: number,
): string {
  const entries = tasks.map((task) => {
    const result = results.get(task.key);
    return {
      key: task.key,
      passed: [...(result?.passed ?? [])].sort((a, b) => a.number - b.number),
      bestScore: result?.bestScore ?? null,
    };
  });
  return formatJson(
    {
      candidatesCompared,
      unsolved: entries.filter((entry) => entry.passed.length === 0).map((entry) => entry.key),
      tasks: entries,
    },
    2,
  );
}

function scoreCell(scores: SplitScores): string {
  if (scores.score === null) return "—";
  const trials = scores.trials > 1 ? `, ${scores.tasks} tasks × ${scores.trials} trials` : "";
  return `${scores.score.toFixed(3)} (${scores.passed}/${taskRunCount(scores)}${trials})`;
}

function parentsCell(candidate: CandidateInfo): string {
  return candidate.parents.length ? candidate.parents.map((parent) => `#${parent.number}`).join(" ") : "—";
}

function row(cells: string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, "\\|").replace(/\s+/g, " ")).join(" | ")} |`;
}

function firstLine(text: string, max: number): string {
  const line = text.trim().split("\n")[0] ?? "";
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

/** A fenced block that survives fences inside the text. */
function fence(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const marks = "`".repeat(longest + 1);
  return `${marks}text\n${text.trimEnd()}\n${marks}`;
}

/** Null stays null: an unpriced cost is unknown, not 0. */
function roundUsd(usd: number | null): number | null {
  return usd === null ? null : Math.round(usd * 1e6) / 1e6;
}
