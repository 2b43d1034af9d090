// The audit of many task runs (an evaluation's), and what changed between two: pure functions over
// task-run audits, shared by the candidate page, the diff page and the workspace's audit.json.
import type { TaskRunAudit, ToolFigures } from "./compute.ts";

/** One task run's audit with the figure the audit does not hold: its wall time. */
export interface AuditedRun {
  audit: TaskRunAudit;
  durationMs: number | null;
}

export interface ToolRow extends ToolFigures {
  name: string;
  /** Task runs that called it at least once. */
  tasksCalling: number;
}

export interface AuditSummary {
  /** Task runs audited (finished ones). */
  taskRuns: number;
  /** Means per task run. */
  perTask: {
    inputTokens: number;
    cachedInputTokens: number;
    outputTokens: number;
    modelCalls: number;
    /** Null when no task run has a duration. */
    wallMs: number | null;
    execs: number;
  };
  /** Σ repeated prompt characters / Σ prompt characters over every call; null with no prompt. */
  repeatShare: number | null;
  /** Every tool offered or called, most called first. */
  tools: ToolRow[];
  failedExecs: number;
  /** Calls too large to read (cut at the store's cap): their tokens, tools and prompt are not counted. */
  unreadCalls: number;
}

export function summarizeAudits(runs: AuditedRun[]): AuditSummary {
  const n = runs.length;
  const sum = (pick: (audit: TaskRunAudit) => number) => runs.reduce((total, run) => total + pick(run.audit), 0);
  const mean = (pick: (audit: TaskRunAudit) => number) => (n ? sum(pick) / n : 0);
  const timed = runs.filter((run) => run.durationMs != null);
  const promptChars = sum((audit) => audit.promptChars);

  const tools = new Map<string, ToolRow>();
  for (const { audit } of runs) {
    for (const [name, figures] of Object.entries(audit.tools)) {
      const row = tools.get(name) ?? { name, offered: 0, called: 0, errored: 0, tasksCalling: 0 };
      row.offered += figures.offered;
      row.called += figures.called;
      row.errored += figures.errored;
      if (figures.called > 0) row.tasksCalling++;
      tools.set(name, row);
    }
  }
  return {
    taskRuns: n,
    perTask: {
      inputTokens: mean((audit) => audit.inputTokens),
      cachedInputTokens: mean((audit) => audit.cachedInputTokens),
      outputTokens: mean((audit) => audit.outputTokens),
      modelCalls: mean((audit) => audit.modelCalls),
      wallMs: timed.length ? timed.reduce((total, run) => total + run.durationMs!, 0) / timed.length : null,
      execs: mean((audit) => audit.execs),
    },
    repeatShare: promptChars > 0 ? sum((audit) => audit.repeatedChars) / promptChars : null,
    tools: [...tools.values()].sort(
      (a, b) => b.called - a.called || b.offered - a.offered || a.name.localeCompare(b.name),
    ),
    failedExecs: sum((audit) => audit.failedExecs),
    unreadCalls: sum((audit) => audit.unreadCalls),
  };
}

/** One figure of two summaries; `change` is B − A (null when either side has none). */
export interface FigureChange {
  key: string;
  label: string;
  a: number | null;
  b: number | null;
  change: number | null;
}

export interface AuditComparison {
  figures: FigureChange[];
  /** Tools B offers or calls that A does not, and the reverse. */
  toolsAppeared: string[];
  toolsDisappeared: string[];
  /** Per tool, both sides (absent: zeros). */
  tools: { name: string; a: ToolFigures; b: ToolFigures }[];
}

/** The figures the pages show, in order, with their labels. */
export const AUDIT_FIGURES: { key: string; label: string; pick: (summary: AuditSummary) => number | null }[] = [
  { key: "inputTokens", label: "Input tokens / task", pick: (s) => s.perTask.inputTokens },
  { key: "cachedInputTokens", label: "of which cached", pick: (s) => s.perTask.cachedInputTokens },
  { key: "outputTokens", label: "Output tokens / task", pick: (s) => s.perTask.outputTokens },
  { key: "modelCalls", label: "Model calls / task", pick: (s) => s.perTask.modelCalls },
  { key: "wallMs", label: "Wall time / task", pick: (s) => s.perTask.wallMs },
  { key: "repeatShare", label: "Prompt repeated", pick: (s) => s.repeatShare },
];

export function compareAudits(a: AuditSummary, b: AuditSummary): AuditComparison {
  const figures = AUDIT_FIGURES.map(({ key, label, pick }) => {
    const [left, right] = [pick(a), pick(b)];
    return { key, label, a: left, b: right, change: left != null && right != null ? right - left : null };
  });
  const used = (row: ToolFigures | undefined) => !!row && (row.offered > 0 || row.called > 0);
  const byName = (summary: AuditSummary) => new Map(summary.tools.map((row) => [row.name, row]));
  const [toolsA, toolsB] = [byName(a), byName(b)];
  const names = [...new Set([...toolsA.keys(), ...toolsB.keys()])].sort();
  const zero = { offered: 0, called: 0, errored: 0 };
  const figuresOf = (row: ToolRow | undefined): ToolFigures =>
    row ? { offered: row.offered, called: row.called, errored: row.errored } : zero;
  return {
    figures,
    toolsAppeared: names.filter((name) => used(toolsB.get(name)) && !used(toolsA.get(name))),
    toolsDisappeared: names.filter((name) => used(toolsA.get(name)) && !used(toolsB.get(name))),
    tools: names.map((name) => ({ name, a: figuresOf(toolsA.get(name)), b: figuresOf(toolsB.get(name)) })),
  };
}
