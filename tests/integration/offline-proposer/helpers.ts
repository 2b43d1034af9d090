// Shared set-up for the offline-proposer tests: projects in a real Postgres, evaluations through
// the real engine against the real offline model (lib/offline/model.ts), and the proposer's
// workspace built from the database exactly as the loop builds it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { db } from "../../helpers/db.ts";
import { createProject } from "../../../lib/projects/create.ts";
import { createProposer, type ProposerResult } from "../../../lib/proposer/index.ts";
import type { TraceEventRow } from "../../../lib/traces/events.ts";
import { prepareEvaluation, runEvaluation } from "../../../lib/evaluations/run.ts";
import { sha256 } from "../../../lib/runner/sandbox/compile.ts";
import { buildWorkspace } from "../../../lib/workspace/build.ts";

export const EXAMPLE = path.resolve(import.meta.dirname, "../../../examples/terminal-tasks");

/** A temp folder others can traverse (sandbox workers run as their own uid). */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  fs.chmodSync(dir, 0o755);
  return dir;
}

export interface SuiteSpec {
  suite: Record<string, unknown>;
  tasks: Record<string, unknown>[];
  harness: string;
}

/** A project from a suite written to a temp folder. */
export async function projectFrom(root: string, spec: SuiteSpec) {
  const dir = fs.mkdtempSync(path.join(root, "suite-"));
  fs.writeFileSync(path.join(dir, "suite.json"), JSON.stringify(spec.suite));
  fs.writeFileSync(path.join(dir, "tasks.jsonl"), spec.tasks.map((task) => JSON.stringify(task)).join("\n"));
  fs.writeFileSync(path.join(dir, "harness.ts"), spec.harness);
  return createProject({ suiteDir: dir, harnessFile: path.join(dir, "harness.ts") });
}

/** Evaluates a candidate's search split against the offline model. */
export async function evaluate(candidateId: string, upstreamUrl: string) {
  const { evaluationId } = await prepareEvaluation(candidateId, "search");
  return runEvaluation(evaluationId, { upstreamUrl, apiKey: null, concurrency: 4 });
}

/** A new candidate of the project (as a person would add one), evaluated on search. */
export async function addCandidate(projectId: string, source: string, upstreamUrl: string) {
  const last = await db.candidate.aggregate({ where: { projectId }, _max: { number: true } });
  const candidate = await db.candidate.create({
    data: {
      projectId,
      number: (last._max.number ?? 0) + 1,
      source,
      sha256: sha256(source),
      origin: "person",
      status: "valid",
    },
  });
  return { candidateId: candidate.id, summary: await evaluate(candidate.id, upstreamUrl) };
}

export interface Proposed {
  result: ProposerResult;
  workspaceDir: string;
  proposalDir: string;
  events: TraceEventRow[];
}

/** Builds the project's workspace and runs the offline proposer on it, as the loop would. */
export async function proposeOffline(
  projectId: string,
  root: string,
  options: { iteration?: number; candidatesWanted?: number } = {},
): Promise<Proposed> {
  const iteration = options.iteration ?? 1;
  const workspaceDir = path.join(root, `workspace-${projectId}`);
  await buildWorkspace(projectId, workspaceDir, { iteration });
  const proposalDir = path.join(workspaceDir, "proposals", String(iteration));
  const events: TraceEventRow[] = [];
  const result = await createProposer("offline").propose({
    workspaceDir,
    proposalDir,
    iteration,
    candidatesWanted: options.candidatesWanted ?? 3,
    instructions: "(the offline proposer reads no instructions)",
    model: "offline",
    maxTurns: 60,
    record: (event) => void events.push(event),
    client: { baseURL: "http://127.0.0.1:9", apiKey: "unused" },
  });
  return { result, workspaceDir, proposalDir, events };
}

export function body(event: TraceEventRow): Record<string, unknown> {
  return JSON.parse(event.bodyJson) as Record<string, unknown>;
}
