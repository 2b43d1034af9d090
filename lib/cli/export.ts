// `studio export`: writes a project's proposer workspace (the tree the loop builds before each
// iteration) to any folder, e.g. to run a coding agent on it by hand. Run again on the same
// folder, it rewrites only what changed; proposals/ inside it is never touched. With --otlp it
// sends evaluations' traces to an OTLP endpoint instead (otlp-export.ts).
import { parseArgs } from "node:util";
import { StudioError } from "../errors.ts";
import { formatDuration } from "../format.ts";
import { formatBytes } from "../format.ts";
import { buildWorkspace } from "../workspace/build.ts";
import { withDatabase } from "./database.ts";

export async function exportCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      project: { type: "string" },
      out: { type: "string" },
      iteration: { type: "string" },
      json: { type: "boolean" },
      otlp: { type: "boolean" },
      evaluation: { type: "string" },
    },
  });
  const iteration = values.iteration === undefined ? undefined : Number(values.iteration);
  if (iteration !== undefined && !(Number.isInteger(iteration) && iteration >= 0))
    throw new StudioError("--iteration must be a whole number.");
  if (values.otlp) {
    if (!values.project) throw new StudioError("export --otlp needs --project ID.");
    if (values.out) throw new StudioError("--out writes the workspace; --otlp sends traces: give one of them.");
    if (values.evaluation && iteration !== undefined)
      throw new StudioError("Give --evaluation ID or --iteration N, not both.");
    const { otlpExportCommand } = await import("./otlp-export.ts");
    return otlpExportCommand({ project: values.project, evaluation: values.evaluation, iteration, json: values.json });
  }
  if (values.evaluation) throw new StudioError("--evaluation goes with --otlp.");
  if (!values.project || !values.out) throw new StudioError("export needs --project ID and --out DIR (or --otlp).");

  const started = performance.now();
  const result = await withDatabase(() => buildWorkspace(values.project!, values.out!, { iteration }));
  const ms = Math.round(performance.now() - started);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...result, ms })}\n`);
  } else {
    process.stdout.write(
      `Workspace of project ${values.project} in ${result.dir}: ${result.files} files (${result.written} written, ${result.unchanged} unchanged, ${result.removed} removed, ${formatBytes(result.bytes)} written) in ${formatDuration(ms)}\n`,
    );
  }
  return 0;
}
