// `studio cancel`: asks a project's running optimization and evaluations to stop. Work in
// flight finishes its current task runs; nothing finished is lost, and `optimize` / `eval`
// can resume the rest later.
import { parseArgs } from "node:util";
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { withDatabase } from "./database.ts";

export async function cancelCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { project: { type: "string" } } });
  if (!values.project) throw new StudioError("cancel needs --project ID.");
  return withDatabase(async () => {
    const optimizations = await db.optimization.updateMany({ where: { projectId: values.project, status: { in: ["queued", "running"] } }, data: { cancelRequested: true } });
    const evaluations = await db.evaluation.updateMany({ where: { candidate: { projectId: values.project }, status: { in: ["queued", "running"] } }, data: { cancelRequested: true } });
    process.stdout.write(`Asked ${optimizations.count} optimization(s) and ${evaluations.count} evaluation(s) to stop.\n`);
    return 0;
  });
}
