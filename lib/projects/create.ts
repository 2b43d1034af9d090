// A new project: a task suite and a seed harness, checked in full before anything is
// written, then stored in one transaction (nothing is half-imported). The CLI and the examples
// pass folders; an upload passes files held in memory. Both take the same checks.
import fs from "node:fs";
import path from "node:path";
import { db } from "../db/client.ts";
import { StudioError, countProblems, formatProblem, type FileProblem } from "../errors.ts";
import { compileCacheDir } from "../runner/engine.ts";
import { compileGrader, compileHarness, sha256, type CompileError } from "../runner/sandbox/compile.ts";
import { contractProblem } from "../runner/sandbox/contract.ts";
import { folderFiles, memoryFiles, withExtraFiles, type SuiteFiles } from "../suites/files.ts";
import { HARBOR_SPLITS_FILE, isHarborFolder, loadHarborSuite, type HarborOptions } from "../suites/harbor.ts";
import { SuiteLoadError, loadSuite, type LoadedSuite } from "../suites/load.ts";
import { saveSuite } from "../suites/store.ts";
import { busyboxForExample, EXAMPLE_MODEL, exampleDir, examplesDir, listExamples } from "./examples.ts";
import { missingHarness, readUpload } from "./upload/form.ts";

interface ProjectOptions {
  /** Defaults to the suite's name. */
  name?: string;
  description?: string;
  /** The task model; defaults to the schema's. */
  model?: string;
}

export interface CreateProjectInput extends ProjectOptions {
  suiteDir: string;
  harnessFile: string;
  /** The folder holds Harbor tasks (lib/suites/harbor.ts), not a suite.json suite. */
  harbor?: HarborOptions;
}

export interface CreateProjectFromFilesInput extends ProjectOptions {
  suite: SuiteFiles;
  harness: { file: string; source: string };
  harbor?: HarborOptions;
}

export interface CreatedProject {
  projectId: string;
  seedCandidateId: string;
  tasks: { search: number; test: number };
}

/** Everything wrong with a suite and its seed harness, found before anything was stored. */
export class ProjectInputError extends StudioError {
  constructor(
    readonly where: string,
    readonly problems: FileProblem[],
  ) {
    super(
      `Cannot create the project from ${where} (${countProblems(problems)}):\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`,
      { code: "invalid" },
    );
    this.name = "ProjectInputError";
  }
}

export async function createProject(input: CreateProjectInput): Promise<CreatedProject> {
  const harnessFile = path.resolve(input.harnessFile);
  if (!fs.existsSync(harnessFile)) throw new StudioError(`Harness file not found: ${harnessFile}`, { code: "invalid" });
  const harness = { file: path.basename(harnessFile), source: fs.readFileSync(harnessFile, "utf8") };
  return createProjectFromFiles({ ...input, suite: folderFiles(input.suiteDir), harness });
}

/** The seed harness for imported Harbor tasks when none is given: the example's shell loop. */
export const HARBOR_SEED_HARNESS = path.join(examplesDir, "harbor-tasks", "harness.ts");

export async function createProjectFromFiles(input: CreateProjectFromFilesInput): Promise<CreatedProject> {
  const { suite, problems } = await check(input.suite, input.harness, input.harbor);
  if (!suite || problems.length > 0) throw new ProjectInputError(input.suite.where, problems);
  const { source, file } = input.harness;

  const result = await db.$transaction(
    async (tx) => {
      const project = await tx.project.create({
        data: {
          name: input.name ?? suite.config.name,
          description: input.description ?? "",
          ...(input.model ? { model: input.model } : {}),
        },
      });
      await saveSuite(tx, project.id, suite);
      const seed = await tx.candidate.create({
        data: {
          projectId: project.id,
          number: 1,
          source,
          sha256: sha256(source),
          origin: "seed",
          status: "valid",
          rationale: `Seed harness from ${file}.`,
        },
      });
      return { projectId: project.id, seedCandidateId: seed.id };
    },
    { timeout: 60_000 },
  );
  return {
    ...result,
    tasks: {
      search: suite.tasks.filter((task) => task.split === "search").length,
      test: suite.tasks.filter((task) => task.split === "test").length,
    },
  };
}

/** POST /api/projects with JSON `{ example }`: a bundled example's suite and seed harness. */
export async function createProjectFromExample(name: string): Promise<CreatedProject> {
  return listingProblems(createExampleProject(name));
}

/** A bundled example's project; the Harbor example gets the machine's busybox in its environments. */
export async function createExampleProject(name: string, options: ProjectOptions = {}): Promise<CreatedProject> {
  const dir = exampleDir(name);
  options = { model: EXAMPLE_MODEL, ...options };
  const harnessFile = path.join(dir, "harness.ts");
  if (!listExamples().find((example) => example.name === name)?.harbor)
    return createProject({ ...options, suiteDir: dir, harnessFile });
  const tasks = Object.keys(JSON.parse(fs.readFileSync(path.join(dir, HARBOR_SPLITS_FILE), "utf8")) as object);
  const suite = withExtraFiles(folderFiles(dir), busyboxForExample(tasks));
  const harness = { file: "harness.ts", source: fs.readFileSync(harnessFile, "utf8") };
  return createProjectFromFiles({ ...options, suite, harness, harbor: {} });
}

/** POST /api/projects with multipart form data: an uploaded suite (a folder's files, or a .zip) and seed harness. */
export async function createProjectFromUpload(request: Request): Promise<CreatedProject> {
  const upload = await readUpload(request);
  const suite = memoryFiles(upload.suite);
  const harbor = (await isHarborFolder(suite)) ? { split: upload.split } : undefined;
  if (!upload.harness && !harbor) throw missingHarness();
  // Harbor tasks come without a harness: the bundled shell loop is their seed.
  const harness = upload.harness ?? {
    file: path.basename(HARBOR_SEED_HARNESS),
    source: fs.readFileSync(HARBOR_SEED_HARNESS, "utf8"),
  };
  return listingProblems(createProjectFromFiles({ suite, harness, name: upload.name, harbor }));
}

/** The browser lists the problems by file and line, so its message is one line, not the CLI's list. */
async function listingProblems(creating: Promise<CreatedProject>): Promise<CreatedProject> {
  try {
    return await creating;
  } catch (error) {
    if (!(error instanceof ProjectInputError)) throw error;
    throw new StudioError(`The suite or harness has ${countProblems(error.problems)}; nothing was saved.`, {
      code: "invalid",
      details: { problems: error.problems },
    });
  }
}

/** Loads the suite and compiles the harness and grader, collecting every problem at once. */
async function check(
  files: SuiteFiles,
  harness: { file: string; source: string },
  harbor: HarborOptions | undefined,
): Promise<{ suite: LoadedSuite | null; problems: FileProblem[] }> {
  const problems: FileProblem[] = [];
  const loading = harbor ? loadHarborSuite(files, harbor) : loadSuite(files);
  const suite = await loading.catch((error: unknown) => {
    if (!(error instanceof SuiteLoadError)) throw error;
    problems.push(...error.problems);
    return null;
  });
  // Each module that compiles is loaded in the sandbox, as an evaluation would load it: one that
  // breaks the contract would otherwise be stored as valid and error on every task.
  const contracts: Promise<FileProblem | null>[] = [];
  const compiled = await compileHarness(harness.source, { filename: harness.file });
  if (!compiled.ok) problems.push(...compileProblems(harness.file, compiled.errors));
  else contracts.push(loadProblem(harness.file, compiled.code, "harness"));
  if (suite?.graderSource != null) {
    const graderFile = suite.config.grader.type === "module" ? suite.config.grader.path : "grader.ts";
    const grader = await compileGrader(suite.graderSource, { filename: graderFile });
    if (!grader.ok) problems.push(...compileProblems(graderFile, grader.errors));
    else contracts.push(loadProblem(graderFile, grader.code, "grader"));
  }
  for (const problem of await Promise.all(contracts)) if (problem) problems.push(problem);
  return { suite, problems };
}

async function loadProblem(file: string, code: string, role: "harness" | "grader"): Promise<FileProblem | null> {
  const problem = await contractProblem(code, role, compileCacheDir());
  return problem ? { file, message: problem.message } : null;
}

function compileProblems(file: string, errors: CompileError[]): FileProblem[] {
  return errors.map((error) =>
    error.line
      ? { file, line: error.line, column: error.column, message: error.message }
      : { file, message: error.message },
  );
}
