// One iteration of the method: bring the workspace up to date → run the proposer → validate
// each proposal (a rejected one is stored with its reason, never dropped) → evaluate the
// valid ones on the search split. Each stage is stored, so an iteration whose worker died
// resumes at the stage it reached without redoing (or re-counting) finished work.
import fs from "node:fs";
import path from "node:path";
import { db, type FeedbackMode, type ProposerKind } from "../db/client.ts";
import { CancelledError, StudioError } from "../errors.ts";
import { dataDir } from "../paths.ts";
import { readSettings, type ProjectSettings } from "../projects/settings.ts";
import { createProposer, type Proposal, type ProposerResult } from "../proposer/index.ts";
import type { RunOptions } from "../evaluations/run.ts";
import { evaluateCandidates } from "./evaluate.ts";
import { sha256 } from "../runner/sandbox/compile.ts";
import { isErrorKind } from "../runner/sandbox/protocol.ts";
import { TranscriptWriter } from "../traces/writer.ts";
import { proposalsDir } from "../workspace/layout.ts";
import { proposerAllowance } from "../loop/budget.ts";
import type { IterationProgress } from "./progress.ts";
import { loadPriceOverrides } from "../prices/overrides.ts";
import { checkResult, countProposerSpend, runCheck } from "./checks.ts";
import { openProposerLine } from "./proposer-proxy.ts";
import { readSavedProposals, saveProposals } from "./saved-proposals.ts";
import { CANCELLED, proposerStop, readStop, stopColumns, type Stop } from "../loop/stop.ts";
import { bestCandidate } from "../candidates/standings.ts";
import { createCandidate } from "../candidates/create.ts";
import { currentInstructions } from "../instructions/versions.ts";
import { refreshWorkspace } from "./summaries.ts";

export interface IterationOptions {
  optimizationId: string | null;
  proposerKind: ProposerKind;
  proposerCommand?: string | null;
  upstreamUrl?: string; // the model API for the proposer and the task model (tests point it at a fake)
  apiKey?: string | null;
  /** Offline (asked for): the iteration and its results are marked simulated. */
  simulated?: boolean;
  feedback?: FeedbackMode; // what the workspace holds of each task run (the optimization's mode); raw by default
  trials?: number; // task runs per task in its candidates' search evaluations; default: the setting
  signal?: AbortSignal;
  /** Each stage as it starts, with the iteration's project-wide number. */
  onStage?: (stage: string, iterationNumber: number) => void;
}

export interface IterationSummary {
  iterationId: string;
  iteration: number;
  candidates: {
    id: string;
    number: number;
    parents: string[];
    valid: boolean;
    rejectReason: string | null;
    searchScore: number | null;
    inputTokens: number;
    outputTokens: number;
  }[];
  /**
   * The proposer's figures; `stop` when it stopped short of finishing (it may still have written
   * candidates); `isolation`: a command proposer's sandbox; `costUsd` null, `unpriced` true: one
   * of its model calls had no price.
   */
  proposer: {
    filesRead: number;
    inputTokens: number;
    outputTokens: number;
    costUsd: number | null;
    unpriced: boolean;
    stop: Stop | null;
    isolation: string | null;
  };
  /** Why the iteration's evaluations stopped short (a budget), if they did. */
  stop: Stop | null;
}

export function workspaceDir(projectId: string): string {
  return path.join(dataDir(), "workspaces", projectId);
}

/** Starts the next iteration of a project, or resumes the unfinished one of this optimization. */
export async function runIteration(projectId: string, options: IterationOptions): Promise<IterationSummary> {
  const iteration = await openIteration(projectId, options);
  const stage = async (name: string, progress: Omit<IterationProgress, "stage"> = {}) => {
    options.onStage?.(name, iteration.number);
    await db.iteration.update({
      where: { id: iteration.id },
      data: { stage: name, progress: { stage: name, ...progress } },
    });
  };
  try {
    // One read for the whole iteration: settings saved while it runs apply from the next one.
    const project = await db.project.findUniqueOrThrow({
      where: { id: projectId },
      select: { proposerModel: true, proposerCommand: true, candidatesPerIteration: true, settings: true },
    });
    const settings = readSettings(project.settings);
    const run = runOptions(options, settings);
    const dir = workspaceDir(projectId);
    const proposalDir = path.join(dir, proposalsDir(iteration.number));
    let proposals = readSavedProposals(proposalDir);
    if (!proposals) {
      await stage("workspace");
      await refreshWorkspace(iteration, dir, options.feedback, { model: project.proposerModel, settings, run });
      await stage("proposing");
      const result = await propose(iteration, { ...project, settings }, dir, proposalDir, options, run);
      proposals = result.proposals;
      saveProposals(proposalDir, proposals, result);
      if (result.stopReason === "cancelled") throw new CancelledError();
    }

    await stage("validating");
    await validateAll(iteration, proposals, run, settings);

    await stage("evaluating");
    const candidates = await db.candidate.findMany({
      where: { iterationId: iteration.id, status: "valid" },
      orderBy: { number: "asc" },
      select: { id: true, number: true },
    });
    const stop = await evaluateCandidates(candidates, {
      projectId,
      iterationId: iteration.id,
      settings,
      run,
      prepare: options, // its simulated and trials
      signal: options.signal,
      report: (progress) => stage("evaluating", progress),
    });

    await db.iteration.update({
      where: { id: iteration.id },
      data: {
        status: "done",
        stage: "done",
        finishedAt: new Date(),
        progress: { stage: "done" },
        ...(stop ? stopColumns(stop) : {}),
      },
    });
    return summarize(iteration.id);
  } catch (error) {
    const cancelled = options.signal?.aborted || error instanceof CancelledError;
    await db.iteration.update({
      where: { id: iteration.id },
      data: cancelled
        ? { status: "cancelled", finishedAt: new Date(), ...stopColumns(CANCELLED) }
        : { status: "failed", finishedAt: new Date(), error: error instanceof Error ? error.message : String(error) },
    });
    throw error;
  }
}

function runOptions(options: IterationOptions, settings: ProjectSettings): RunOptions {
  return { upstreamUrl: options.upstreamUrl, apiKey: options.apiKey, signal: options.signal, settings };
}

async function openIteration(projectId: string, options: IterationOptions) {
  const unfinished = options.optimizationId
    ? await db.iteration.findFirst({
        where: { optimizationId: options.optimizationId, status: { in: ["queued", "running"] } },
        orderBy: { number: "desc" },
      })
    : null;
  if (unfinished) return db.iteration.update({ where: { id: unfinished.id }, data: { status: "running" } });
  const instructions = await currentInstructions(projectId);
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`select pg_advisory_xact_lock(hashtext(${`iteration-number:${projectId}`}))`;
    const last = await tx.iteration.aggregate({ where: { projectId }, _max: { number: true } });
    return tx.iteration.create({
      data: {
        projectId,
        number: (last._max.number ?? 0) + 1,
        status: "running",
        stage: "workspace",
        proposerKind: options.proposerKind,
        instructionVersionId: instructions.id,
        optimizationId: options.optimizationId,
        simulated: options.simulated === true,
        startedAt: new Date(),
      },
    });
  });
}
type IterationRow = Awaited<ReturnType<typeof openIteration>>;

async function propose(
  iteration: IterationRow,
  project: {
    proposerModel: string;
    proposerCommand: string | null;
    candidatesPerIteration: number;
    settings: ProjectSettings;
  },
  dir: string,
  proposalDir: string,
  options: IterationOptions,
  run: RunOptions,
): Promise<ProposerResult> {
  const { settings } = project;
  const instructions = iteration.instructionVersionId
    ? await db.instructionVersion.findUniqueOrThrow({
        where: { id: iteration.instructionVersionId },
        select: { text: true },
      })
    : await currentInstructions(iteration.projectId);
  fs.mkdirSync(proposalDir, { recursive: true });

  // The proposer's own trace: every model call and tool call, stored as it happens.
  const transcript = await TranscriptWriter.open({ iterationId: iteration.id });

  const proposer = proposerFor(
    options.proposerKind,
    options.proposerCommand ?? project.proposerCommand,
    settings.proposerContextWindow,
  );
  const left = await proposerAllowance(iteration.projectId, settings);
  await loadPriceOverrides(); // the proposer's calls are priced as they come; the latest prices apply

  // The proposer's calls go through a recording proxy of its own, with the iteration's credential.
  const line = await openProposerLine(options.proposerKind, {
    iteration,
    settings,
    run,
    record: (event) => transcript.add(event),
  });
  let result: ProposerResult;
  try {
    result = await proposer.propose({
      workspaceDir: dir,
      proposalDir,
      iteration: iteration.number,
      candidatesWanted: project.candidatesPerIteration,
      instructions: instructions.text,
      model: project.proposerModel,
      maxTurns: 60,
      tokenBudget: left.tokens,
      usdBudget: left.usd,
      signal: options.signal,
      // A check is stored as the iteration's, its traces written where the proposer can read them.
      checkCandidate: async (source, check) => {
        const outcome = await runCheck({
          iteration,
          kind: "check_candidate",
          source,
          taskCount: 3,
          run: { ...run, signal: check?.signal ?? run.signal },
          settings,
          unstored: check?.spent,
          workspaceDir: (options.feedback ?? "raw") === "raw" ? dir : undefined, // no trace files in the other modes
        });
        line.countCheck(outcome.spend);
        return checkResult(outcome);
      },
      record: (event) => transcript.add(event),
      client: line.client,
    });
    result = await line.finish(result);
  } finally {
    await line.close();
    await transcript.close();
  }
  await db.iteration.update({
    where: { id: iteration.id },
    data: {
      inputTokens: { increment: result.inputTokens },
      outputTokens: { increment: result.outputTokens },
      costUsd: result.costUsd === null ? null : { increment: result.costUsd },
      filesRead: result.filesRead,
      filesReadCount: result.filesRead.length,
      proposerIsolation: result.isolation ?? null,
      ...stopColumns(proposerStop(result.stopReason, result.error)),
    },
  });
  return result;
}

function proposerFor(kind: ProposerKind, command: string | null | undefined, contextWindow: number | undefined) {
  if (kind === "claude") return createProposer("claude", { contextWindow });
  if (kind === "offline") return createProposer("offline");
  if (kind === "claude_code") return createProposer("claude_code");
  if (kind === "command") {
    if (!command?.trim())
      throw new StudioError(
        "The command proposer needs a command: set it in the project's settings or pass --proposer-command.",
      );
    return createProposer("command", { command });
  }
  throw new StudioError(`The ${kind} proposer is not available in this version of the studio.`);
}

/** Complete, compiles, honours the contract, survives one search task: or rejected, with why. */
async function validateAll(
  iteration: IterationRow,
  proposals: Proposal[],
  run: RunOptions,
  settings: ProjectSettings,
): Promise<void> {
  const existing = await db.candidate.findMany({
    where: { projectId: iteration.projectId },
    select: { id: true, number: true, sha256: true, iterationId: true },
  });
  const fallbackParent = await bestCandidate(iteration.projectId);
  for (const proposal of proposals) {
    const hash = sha256(proposal.source);
    if (existing.some((candidate) => candidate.iterationId === iteration.id && candidate.sha256 === hash)) continue; // stored before an interruption
    const parentIds =
      proposal.baseCandidateId && existing.some((candidate) => candidate.id === proposal.baseCandidateId)
        ? [proposal.baseCandidateId]
        : fallbackParent
          ? [fallbackParent.id]
          : [];
    const reason = await rejection(
      iteration,
      proposal,
      existing.find((candidate) => candidate.sha256 === hash)?.number,
      run,
      settings,
    );
    const created = await createCandidate({
      projectId: iteration.projectId,
      source: proposal.source,
      origin: "proposer",
      status: reason ? "rejected" : "valid",
      rejectReason: reason,
      rationale: proposal.rationale,
      hypothesis: proposal.hypothesis,
      axis: proposal.axis,
      parentIds,
      iterationId: iteration.id,
      iterationNumber: iteration.number,
      simulated: iteration.simulated,
    });
    existing.push({ id: created.id, number: created.number, sha256: hash, iterationId: iteration.id });
  }
}

async function rejection(
  iteration: IterationRow,
  proposal: Proposal,
  duplicateOf: number | undefined,
  run: RunOptions,
  settings: ProjectSettings,
): Promise<string | null> {
  if (!proposal.source.trim()) return "The proposal is empty.";
  if (duplicateOf !== undefined) return `Identical to candidate #${duplicateOf}.`;
  if (!/export\s+default/.test(proposal.source))
    return "No default export: a harness must `export default { async run(task, ctx) {…} }`.";
  // The smoke run is stored as a check of the iteration; its spend is the proposer's.
  const smokeRun = await runCheck({ iteration, kind: "smoke", source: proposal.source, taskCount: 1, run, settings });
  await countProposerSpend(iteration.id, smokeRun.spend);
  if (!smokeRun.ok)
    return `Does not compile: ${smokeRun.errors.map((error) => `harness.ts:${error.line}:${error.column}: ${error.message}`).join("; ")}`;
  const smoke = smokeRun.results[0];
  // Past the proposer's budget the smoke run cannot run, and an unchecked proposal is not valid.
  if (!smoke && smokeRun.budgetStop) return `The smoke run could not run: ${smokeRun.budgetStop}`;
  // A harness error on the smoke task rejects it; a grader error is the suite's problem, not the proposal's.
  if (smoke?.status === "error" && isErrorKind(smoke.errorKind)) {
    return `Failed the smoke run on task ${smoke.taskKey} (${smoke.errorKind}): ${smoke.errorMessage ?? ""}`.trim();
  }
  return null;
}

export async function summarize(iterationId: string): Promise<IterationSummary> {
  const iteration = await db.iteration.findUniqueOrThrow({
    where: { id: iterationId },
    select: {
      id: true,
      number: true,
      filesReadCount: true,
      inputTokens: true,
      outputTokens: true,
      costUsd: true,
      stopKind: true,
      stopReason: true,
      proposerIsolation: true,
      project: { select: { model: true } },
      candidates: {
        orderBy: { number: "asc" },
        select: {
          id: true,
          number: true,
          status: true,
          rejectReason: true,
          parents: { select: { parentId: true } },
          evaluations: {
            where: { split: "search" },
            orderBy: { createdAt: "desc" },
            select: { score: true, status: true, inputTokens: true, outputTokens: true, model: true },
          },
        },
      },
    },
  });
  const stop = readStop(iteration);
  return {
    iterationId: iteration.id,
    iteration: iteration.number,
    candidates: iteration.candidates.map((candidate) => {
      // With the project's model only: a transfer evaluation made since is not this iteration's.
      const evaluation = candidate.evaluations.find((row) => row.model === iteration.project.model);
      return {
        id: candidate.id,
        number: candidate.number,
        parents: candidate.parents.map((parent) => parent.parentId),
        valid: candidate.status === "valid",
        rejectReason: candidate.rejectReason,
        searchScore: evaluation?.status === "done" ? evaluation.score : null,
        inputTokens: evaluation?.inputTokens ?? 0,
        outputTokens: evaluation?.outputTokens ?? 0,
      };
    }),
    proposer: {
      filesRead: iteration.filesReadCount,
      inputTokens: iteration.inputTokens,
      outputTokens: iteration.outputTokens,
      costUsd: iteration.costUsd,
      unpriced: iteration.costUsd === null,
      stop: stop?.kind.startsWith("proposer_") ? stop : null,
      isolation: iteration.proposerIsolation,
    },
    stop: stop?.kind === "budget" ? stop : null,
  };
}
