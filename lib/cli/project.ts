// `studio project create|rename|delete`: a suite folder and a seed harness become a project;
// a project gets a new name; a project goes, with everything of it.
import readline from "node:readline/promises";
import { parseArgs } from "node:util";
import { StudioError } from "../errors.ts";
import { dataDir } from "../paths.ts";
import { createExampleProject, createProject, HARBOR_SEED_HARNESS, type CreatedProject } from "../projects/create.ts";
import { deleteProject, renameProject } from "../projects/manage.ts";
import { readServerFile } from "../server/secret.ts";
import { withDatabase } from "./database.ts";

const USAGE = [
  "npx studio project create (--example NAME | --suite DIR --harness FILE | --harbor DIR [--split search|test] [--harness FILE]) [--name NAME] [--json]",
  "npx studio project rename --project ID --name NAME",
  "npx studio project delete --project ID [--yes]",
].join("\n  ");

export async function projectCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === "create") return create(rest);
  if (sub === "rename") return rename(rest);
  if (sub === "delete") return remove(rest);
  throw new StudioError(`unknown project command "${sub ?? ""}"`, `Try:\n  ${USAGE}`);
}

async function create(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: "string" },
      suite: { type: "string" },
      harness: { type: "string" },
      example: { type: "string" },
      harbor: { type: "string" },
      split: { type: "string" },
      description: { type: "string" },
      json: { type: "boolean" },
    },
  });
  const split = values.split;
  if (split !== undefined && split !== "search" && split !== "test")
    throw new StudioError(`--split must be "search" or "test", not "${split}".`);
  if (split && !values.harbor)
    throw new StudioError("--split goes with --harbor DIR: it assigns every Harbor task to one split.");
  const options = { name: values.name, description: values.description };
  let create: () => Promise<CreatedProject>;
  if (values.example) create = () => createExampleProject(values.example!, options);
  else if (values.harbor) {
    const harnessFile = values.harness ?? HARBOR_SEED_HARNESS;
    create = () => createProject({ ...options, suiteDir: values.harbor!, harnessFile, harbor: { split } });
  } else if (values.suite && values.harness)
    create = () => createProject({ ...options, suiteDir: values.suite!, harnessFile: values.harness! });
  else
    throw new StudioError(
      "project create needs --example NAME, --suite DIR and --harness FILE, or --harbor DIR (Harbor tasks).",
    );
  const created = await withDatabase(create);
  const url = projectUrl(created.projectId);
  if (values.json) {
    process.stdout.write(JSON.stringify(url ? { ...created, url } : created) + "\n");
  } else {
    process.stderr.write(
      `Created project with ${created.tasks.search} search and ${created.tasks.test} test tasks; the seed harness is candidate #1.\n`,
    );
    process.stdout.write(url ? `${created.projectId}  ${url}\n` : `${created.projectId}\n`);
  }
  return 0;
}

/** The project's page on the studio running on this data folder (see `studio link`), if one runs. */
function projectUrl(projectId: string): string | null {
  const server = readServerFile(dataDir());
  return server ? `${server.url.replace(/\/+$/, "")}/projects/${projectId}` : null;
}

async function rename(args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { project: { type: "string" }, name: { type: "string" } } });
  if (!values.project || values.name === undefined)
    throw new StudioError("project rename needs --project ID and --name NAME.");
  const renamed = await withDatabase(() => renameProject(values.project!, values.name!));
  process.stdout.write(`Renamed project ${renamed.id} to "${renamed.name}".\n`);
  return 0;
}

async function remove(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { project: { type: "string" }, yes: { type: "boolean", short: "y" } },
  });
  const projectId = values.project;
  if (!projectId) throw new StudioError("project delete needs --project ID.");
  return withDatabase(async () => {
    if (!values.yes) await confirmDelete(projectId);
    const deleted = await deleteProject(projectId);
    process.stdout.write(
      `Deleted project "${deleted.name}" (${deleted.id}): ${deleted.candidates} candidate${deleted.candidates === 1 ? "" : "s"}, ${deleted.taskRuns} task run${deleted.taskRuns === 1 ? "" : "s"} and their traces.\n`,
    );
    return 0;
  });
}

/** A delete cannot be undone: a person types yes at the terminal, or the command was given --yes. */
async function confirmDelete(projectId: string): Promise<void> {
  if (!process.stdin.isTTY)
    throw new StudioError(
      `Not deleted: deleting project ${projectId} cannot be undone, and there is no terminal to ask.`,
      "Add --yes to delete it anyway.",
    );
  const prompt = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(
      `Delete project ${projectId} with all its candidates, evaluations and traces? This cannot be undone. [y/N] `,
    );
    if (!/^y(es)?$/i.test(answer.trim()))
      throw new StudioError("Not deleted: not confirmed.", "--yes skips this question.");
  } finally {
    prompt.close();
  }
}
