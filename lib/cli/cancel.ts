// `studio cancel`: asks a project's running optimization and evaluations to stop (see cancelProject).
import { parseArgs } from "node:util";
import { StudioError } from "../errors.ts";
import { cancelProject } from "../loop/cancel.ts";
import { withDatabase } from "./database.ts";

export async function cancelCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { project: { type: "string" } } });
  const projectId = values.project;
  if (!projectId) throw new StudioError("cancel needs --project ID.");
  return withDatabase(async () => {
    const asked = await cancelProject(projectId);
    process.stdout.write(
      `Asked ${asked.optimizations} optimization(s) and ${asked.evaluations} evaluation(s) to stop.\n`,
    );
    return 0;
  });
}
