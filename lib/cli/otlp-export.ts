// `studio export --otlp`: sends finished evaluations' traces to the configured OTLP endpoint:
// one (--evaluation), an iteration's candidates' (--iteration N), or the whole project's. Each
// outcome is stored on its evaluation, as after a run; a failed one makes the exit code 1.
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { exportableEvaluations, exportEvaluation } from "../otlp/export.ts";
import { withDatabase } from "./database.ts";

export async function otlpExportCommand(options: {
  project: string;
  evaluation?: string;
  iteration?: number;
  json?: boolean;
}): Promise<number> {
  return withDatabase(async () => {
    const ids = options.evaluation
      ? [await ownEvaluation(options.project, options.evaluation)]
      : await exportableEvaluations(options.project, options.iteration);
    if (!ids.length)
      throw new StudioError(
        `Project ${options.project} has no finished evaluation${options.iteration === undefined ? "" : ` in iteration ${options.iteration}`} to export.`,
      );
    let failed = 0;
    for (const id of ids) {
      const result = await exportEvaluation(id);
      if (result.status === "failed") failed++;
      if (options.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else if (result.error) process.stderr.write(`Evaluation ${id}: ${result.error}\n`);
      else
        process.stdout.write(
          `Evaluation ${id}: ${result.traces} traces, ${result.spans} spans sent to ${result.url} (${result.protocol})\n`,
        );
    }
    return failed ? 1 : 0;
  });
}

async function ownEvaluation(projectId: string, evaluationId: string): Promise<string> {
  const row = await db.evaluation.findUnique({
    where: { id: evaluationId },
    select: { id: true, candidate: { select: { projectId: true } } },
  });
  if (!row || row.candidate.projectId !== projectId)
    throw new StudioError(`Project ${projectId} has no evaluation ${evaluationId}.`);
  return row.id;
}
