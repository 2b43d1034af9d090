// `studio instructions`: read and edit the proposer's instructions, a versioned setting of
// each project. Every iteration records the version it ran with.
import fs from "node:fs";
import { parseArgs } from "node:util";
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { currentInstructions, saveInstructions } from "../instructions/versions.ts";
import { withDatabase } from "./database.ts";

export async function instructionsCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      project: { type: "string" },
      set: { type: "string" },
      note: { type: "string" },
      history: { type: "boolean" },
    },
  });
  if (!values.project) throw new StudioError("instructions needs --project ID.");
  return withDatabase(async () => {
    const project = await db.project.findUnique({ where: { id: values.project }, select: { id: true } });
    if (!project) throw new StudioError(`No project ${values.project}.`);
    if (values.set) {
      if (!fs.existsSync(values.set)) throw new StudioError(`No file ${values.set}.`);
      const text = fs.readFileSync(values.set, "utf8");
      if (!text.trim()) throw new StudioError(`${values.set} is empty.`);
      const saved = await saveInstructions(project.id, text, values.note);
      process.stdout.write(
        saved.created
          ? `Instructions version ${saved.version} is now current.\n`
          : `The instructions are unchanged: version ${saved.version} stays current.\n`,
      );
      return 0;
    }
    if (values.history) {
      await currentInstructions(project.id);
      const versions = await db.instructionVersion.findMany({
        where: { projectId: project.id },
        orderBy: { version: "desc" },
        select: { version: true, note: true, createdAt: true, _count: { select: { iterations: true } } },
      });
      for (const version of versions) {
        process.stdout.write(
          `v${version.version}  ${version.createdAt.toISOString()}  ${version._count.iterations} iteration(s)  ${version.note ?? ""}\n`,
        );
      }
      return 0;
    }
    process.stdout.write((await currentInstructions(project.id)).text + "\n");
    return 0;
  });
}
