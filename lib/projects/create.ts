// A new project: a task suite and a seed harness, checked in full before anything is
// written, then stored in one transaction (nothing is half-imported).
import fs from "node:fs";
import path from "node:path";
import { db } from "../db/client.ts";
import { StudioError } from "../errors.ts";
import { compileGrader, compileHarness, sha256, type CompileError } from "../runner/sandbox/compile.ts";
import { loadSuiteFolder } from "../suites/load.ts";
import { saveSuite } from "../suites/store.ts";

export interface CreateProjectInput {
  suiteDir: string;
  harnessFile: string;
  /** Defaults to the suite's name. */
  name?: string;
  description?: string;
  /** Made with the offline model and proposer. */
  simulated?: boolean;
}

export interface CreatedProject {
  projectId: string;
  seedCandidateId: string;
  tasks: { search: number; test: number };
}

export async function createProject(input: CreateProjectInput): Promise<CreatedProject> {
  const suite = await loadSuiteFolder(input.suiteDir); // throws SuiteLoadError listing every problem
  const harnessFile = path.resolve(input.harnessFile);
  if (!fs.existsSync(harnessFile)) throw new StudioError(`Harness file not found: ${harnessFile}`);
  const source = fs.readFileSync(harnessFile, "utf8");

  const compiled = await compileHarness(source, { filename: path.basename(harnessFile) });
  if (!compiled.ok) throw compileFailure(path.basename(harnessFile), compiled.errors);
  if (suite.graderSource !== null) {
    const graderFile = suite.config.grader.type === "module" ? suite.config.grader.path : "grader.ts";
    const grader = await compileGrader(suite.graderSource, { filename: graderFile });
    if (!grader.ok) throw compileFailure(graderFile, grader.errors);
  }

  const result = await db.$transaction(
    async (tx) => {
      const project = await tx.project.create({
        data: { name: input.name ?? suite.config.name, description: input.description ?? "", simulated: input.simulated ?? false },
      });
      await saveSuite(tx, project.id, suite);
      const seed = await tx.candidate.create({
        data: { projectId: project.id, number: 1, source, sha256: sha256(source), origin: "seed", status: "valid", simulated: input.simulated ?? false, rationale: `Seed harness from ${path.basename(harnessFile)}.` },
      });
      return { projectId: project.id, seedCandidateId: seed.id };
    },
    { timeout: 60_000 },
  );
  return {
    ...result,
    tasks: { search: suite.tasks.filter((task) => task.split === "search").length, test: suite.tasks.filter((task) => task.split === "test").length },
  };
}

function compileFailure(file: string, errors: CompileError[]): StudioError {
  const lines = errors.map((error) => (error.line ? `${file}:${error.line}:${error.column}: ${error.message}` : `${file}: ${error.message}`));
  return new StudioError(`${file} does not compile:\n  ${lines.join("\n  ")}`);
}
