// `studio project create`: a suite folder and a seed harness become a project.
import { parseArgs } from "node:util";
import { StudioError } from "../errors.ts";
import path from "node:path";
import { createProject } from "../projects/create.ts";
import { exampleDir } from "../projects/examples.ts";
import { withDatabase } from "./database.ts";

export async function projectCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "create")
    throw new StudioError(
      `unknown project command "${sub ?? ""}"`,
      "Try: npx studio project create --suite DIR --harness FILE [--name NAME] [--json]",
    );
  const { values } = parseArgs({
    args: rest,
    options: {
      name: { type: "string" },
      suite: { type: "string" },
      harness: { type: "string" },
      example: { type: "string" },
      description: { type: "string" },
      json: { type: "boolean" },
    },
  });
  let suiteDir = values.suite;
  let harnessFile = values.harness;
  if (values.example) {
    suiteDir = exampleDir(values.example);
    harnessFile = path.join(suiteDir, "harness.ts");
  }
  if (!suiteDir || !harnessFile)
    throw new StudioError("project create needs --example NAME, or --suite DIR and --harness FILE.");
  const created = await withDatabase(() =>
    createProject({
      suiteDir: suiteDir!,
      harnessFile: harnessFile!,
      name: values.name,
      description: values.description,
    }),
  );
  if (values.json) {
    process.stdout.write(JSON.stringify(created) + "\n");
  } else {
    process.stderr.write(
      `Created project with ${created.tasks.search} search and ${created.tasks.test} test tasks; the seed harness is candidate #1.\n`,
    );
    process.stdout.write(`${created.projectId}\n`);
  }
  return 0;
}
