// A `summary`-mode workspace's stand-ins for traces: each task run's summary, as the proposer model
// wrote it (lib/iterations/summaries.ts makes them, once per task run; TraceSummary holds them).
// This mode exists only for the feedback ablation: the product's default is the raw trace.
import { db } from "../db/client.ts";
import type { WorkspaceTree } from "./tree.ts";

export interface SummaryTarget {
  taskRunId: string;
  key: string;
  /** Workspace path of the .md file. */
  file: string;
}

/** Summaries loaded in one query. */
const SUMMARIES_PER_QUERY = 500;

export async function writeSummaries(tree: WorkspaceTree, targets: readonly SummaryTarget[]): Promise<void> {
  for (let start = 0; start < targets.length; start += SUMMARIES_PER_QUERY) {
    const group = targets.slice(start, start + SUMMARIES_PER_QUERY);
    const rows = await db.traceSummary.findMany({
      where: { taskRunId: { in: group.map((target) => target.taskRunId) } },
      select: { taskRunId: true, text: true, model: true, simulated: true },
    });
    const byRun = new Map(rows.map((row) => [row.taskRunId, row]));
    for (const target of group) {
      const row = byRun.get(target.taskRunId);
      await tree.writeFile(
        target.file,
        row
          ? renderSummary(target.key, row)
          : `# Task ${target.key}: no summary\n\nNo summary of this task run's trace was made (the proposer's budget may have run out before it).\n`,
      );
    }
  }
}

function renderSummary(key: string, row: { text: string; model: string; simulated: boolean }): string {
  const by = row.simulated ? `${row.model} (simulated: the studio's offline model)` : row.model;
  return `# Task ${key}: summary of its trace\n\nWritten by ${by} from the raw trace, which is not in this workspace.\n\n${row.text.trim()}\n`;
}
