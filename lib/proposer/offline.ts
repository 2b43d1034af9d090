// The offline proposer: the loop's proposer step without a model, for the studio's offline mode
// (no API key). It works the way the method asks a proposer to: it reads the workspace (README,
// leaderboard, the best candidate's source and scores, the raw traces of that candidate's
// failing search tasks), recognises failure patterns in the trace events, and writes complete
// harnesses that fix them, each with a proposal.json whose rationale names the trace files it
// read and quotes what it saw there. It is deterministic and calls no model: zero tokens.
//
//   read ──▶ patterns.ts (findings with evidence) ──▶ plan.ts (which fixes per candidate)
//        ──▶ fixes.ts (edit the base, or a template) ──▶ compile check ──▶ proposals/<n>/<name>/
import path from "node:path";
import { compileHarness, sha256 } from "../runner/sandbox/compile.ts";
import { errorEvent, noteEvent } from "../traces/build.ts";
import { writeProposalMeta, HARNESS_FILE } from "./collect.ts";
import { maxTokensOf, maxTurnsOf } from "./offline/budget-fixes.ts";
import { buildHarness, fromTemplate, type BuiltHarness, type FixContext, type FixId } from "./offline/fixes.ts";
import { answerKindOf, findPatterns, type Finding } from "./offline/patterns.ts";
import { fixesFor, planCandidates, type Plan, type PlanInput } from "./offline/plan.ts";
import { readTraceFacts, type TraceFacts } from "./offline/trace-facts.ts";
import { leaderboardRows, readmeFacts, RecordingReader, scoreLines, TRACE_READ_BYTES } from "./offline/workspace.ts";
import type { Proposal, Proposer, ProposerInput, ProposerResult, StopReason } from "./types.ts";
import { WorkspaceFiles } from "./workspace-files.ts";

export interface OfflineProposerOptions {
  /** Failing traces read per iteration (default 40), in suite order. */
  maxTraces?: number;
  /** Evidence lines quoted per finding in a rationale (default 5); the count of all is always given. */
  evidencePerFinding?: number;
}

const HYPOTHESES: Record<FixId, string> = {
  "bare-answer":
    "The grader compares bare values and the model wraps its answers in a sentence; asking for only the value turns right answers into passes.",
  "step-by-step":
    "The model slips on problems with several operations when it answers at once; asking it to think step by step makes it compute them exactly.",
  "learn-examples":
    "The suite hands back the right answer after every task; remembering those examples and showing the most similar ones lets the model reuse the right label.",
  "content-words":
    "The examples shown and copied are picked on words every text has; matching on the words that carry meaning, and showing no example when none shares one, lets the model copy a related label or fall back on the label names.",
  "shell-loop":
    "The harness runs the model's first command (a listing) and stops; showing each command's output back and asking again lets the model reach the command that does the task.",
  "check-steps":
    "Reasoning keeps short problems exact but the longest still slip on their last step; asking the model to check each step keeps those exact too.",
  "more-tokens": "Answers are cut off at max_tokens before they reach the final answer; more room lets them finish.",
  "more-turns":
    "The command loop stops the model while it is still looking around; one more command lets it reach the one that does the task.",
  "listing-first":
    "Every task spends its first command on listing the folder; showing the listing up front leaves that command for the task.",
};

export function createOfflineProposer(options: OfflineProposerOptions = {}): Proposer {
  return { kind: "offline", propose: (input) => proposeOffline(input, options) };
}

async function proposeOffline(input: ProposerInput, options: OfflineProposerOptions): Promise<ProposerResult> {
  let reader: RecordingReader | null = null;
  const result = (stopReason: StopReason, proposals: Proposal[], error?: string): ProposerResult => ({
    proposals,
    filesRead: reader ? [...reader.filesRead] : [],
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    stopReason,
    ...(error ? { error } : {}),
  });
  const note = (message: string, detail?: Record<string, unknown>) =>
    input.record(noteEvent(message, new Date(), detail));

  let files: WorkspaceFiles;
  try {
    files = WorkspaceFiles.open(input.workspaceDir, input.proposalDir);
  } catch (error) {
    return result("error", [], (error as Error).message);
  }
  reader = new RecordingReader(files, input.record);
  note(
    "offline proposer: no model is called; it reads the workspace, recognises failure patterns in the raw traces and edits the best harness to fix them",
  );

  try {
    // 1. The project and where things stand.
    const readme = readmeFacts(reader.read("README.md"));
    const rows = leaderboardRows(reader.read("leaderboard.md"));
    // The highest-scoring evaluated candidate (ties: the first listed), to climb from; failing that
    // (nothing evaluated yet), the first listed. Not the leaderboard's first: the selection rule
    // gives a tie within noise to the cheaper, and on a small suite that would keep it on the seed.
    const usable = rows.filter((row) => !row.rejected && reader!.exists(`candidates/${row.id}/harness.ts`));
    const scoreOf = (row: { search: string }) => (/not evaluated/.test(row.search) ? NaN : parseFloat(row.search));
    const evaluated = usable.filter((row) => Number.isFinite(scoreOf(row)));
    const base =
      evaluated.reduce<(typeof usable)[number] | undefined>(
        (top, row) => (!top || scoreOf(row) > scoreOf(top) ? row : top),
        undefined,
      ) ?? usable[0];
    if (!base) {
      const message = "no candidate with a harness.ts in the workspace to build on";
      input.record(errorEvent({ kind: "proposer", message }));
      return result("error", [], message);
    }
    const baseDir = `candidates/${base.id}`;
    const baseSource = reader.read(`${baseDir}/harness.ts`)!;
    note(
      `base: candidate ${base.id} (search ${base.search || "not evaluated"}), ${usable[0] === base ? "first" : "the highest-scoring"} on leaderboard.md`,
    );

    // 2. The raw traces of its failing search tasks.
    const lines = scoreLines(reader.read(`${baseDir}/scores.json`), baseDir);
    const failing = lines.filter((line) => line.status === "failed" || line.status === "error");
    const maxTraces = options.maxTraces ?? 40;
    const traces: TraceFacts[] = [];
    let summaries = 0;
    for (const line of failing.slice(0, maxTraces)) {
      if (input.signal?.aborted) return result("cancelled", []);
      const text = line.trace ? reader.read(line.trace, TRACE_READ_BYTES) : null;
      if (line.trace && text !== null) traces.push(readTraceFacts(line.trace, line.key, text));
      // A feedback ablation's summary: read like any file, but its patterns live in trace events it lacks.
      else if (line.summary && reader.read(line.summary) !== null) summaries++;
    }
    note(feedbackRead(traces.length, summaries, failing.length, lines.length));

    // 3. What they show.
    const findings = findPatterns(traces, readme, baseSource, `${baseDir}/harness.ts`);
    for (const finding of findings) {
      const seen = finding.evidence.filter((item) => item.path.endsWith(".jsonl")).length;
      note(`pattern for ${finding.fix} (${seen} trace${seen === 1 ? "" : "s"}): ${finding.cause}`, {
        fix: finding.fix,
        evidence: finding.evidence,
      });
    }
    if (findings.length === 0) note("no known failure pattern in these traces");

    // 4. Candidates: plans in order until k distinct, compiling sources are written.
    const answerKind = answerKindOf(traces, readme);
    const shell = traces.some((trace) => trace.execs.length > 0) || /reply with one shell command/i.test(baseSource);
    const planInput: PlanInput = { findings, suite: readme, baseSource, shell, answerKind };
    const plans = planCandidates(planInput);
    const context: FixContext = {
      model: readme.model,
      job: readme.job,
      answerKind,
      limits: { maxTokens: maxTokensOf(baseSource), maxTurns: maxTurnsOf(baseSource) },
    };
    const known = knownSources(reader, rows);
    const proposals: Proposal[] = [];
    for (const plan of plans) {
      if (proposals.length >= input.candidatesWanted) break;
      if (input.signal?.aborted) return result("cancelled", proposals);
      const built = await compilingHarness(baseSource, plan, context, input);
      if (!built) continue;
      const hash = sha256(built.source);
      if (known.has(hash)) {
        note(`skipped ${plan.fixes.join(" + ")} (${plan.style}): the same source as ${known.get(hash)}`);
        continue;
      }
      known.set(hash, `this iteration's ${plan.fixes.join(" + ")}`);
      const proposal = writeProposal(files, plan, built, {
        number: proposals.length + 1,
        baseId: base.id,
        baseDir,
        findings,
        traces: traces.length,
        failing: failing.length,
        evidencePerFinding: options.evidencePerFinding ?? 5,
      });
      note(
        `wrote ${proposal.dir}/${HARNESS_FILE} (${plan.axis}: ${plan.fixes.join(" + ")}, ${built.method === "edit" ? `an edit of ${baseDir}/harness.ts` : "from a template"})`,
      );
      proposals.push(proposal);
    }
    if (proposals.length === 0) note(nothingWritten(planInput, plans.length, base.id, failing.length));
    note(
      `offline proposer done: ${proposals.length} of ${input.candidatesWanted} wanted proposal${input.candidatesWanted === 1 ? "" : "s"}, ${reader.filesRead.length} files read, no tokens`,
    );
    return result("done", proposals);
  } catch (error) {
    // Only a broken file system or recorder gets here; every expected problem is handled above.
    const message = `the offline proposer failed: ${(error as Error).message ?? String(error)}`;
    try {
      input.record(errorEvent({ kind: "proposer", message }));
    } catch {
      // The caller still gets the result.
    }
    return result("error", [], message);
  }
}

/**
 * Why an iteration wrote nothing, in words for its transcript. Its repertoire is small (nine
 * fixes, most of them answers to a pattern in the traces), so once the best harness has every
 * fix the suite allows and its traces show no pattern it knows, writing nothing is the honest
 * answer (a copy would only be refused as a duplicate).
 */
function nothingWritten(input: PlanInput, plans: number, baseId: string, failing: number): string {
  if (plans > 0)
    return `wrote nothing: each of its ${plans} plan${plans === 1 ? "" : "s"} gave a source already in the workspace or one that does not compile (notes above)`;
  const fixes = fixesFor(input);
  const applied = fixes.filter((item) => item.applied).map((item) => item.fix);
  return `wrote nothing: the traces of candidate ${baseId}'s ${failing} failing search task${failing === 1 ? "" : "s"} show no failure pattern it knows, and ${
    fixes.length === 0
      ? "it has no fix for this kind of suite"
      : `every fix it has for this suite (${applied.join(", ")}) is in that harness already`
  }`;
}

/** The plan built and compiled; an edit that does not compile is replaced by the template. */
async function compilingHarness(
  baseSource: string,
  plan: Plan,
  context: FixContext,
  input: ProposerInput,
): Promise<BuiltHarness | null> {
  let built = buildHarness(baseSource, plan.fixes, context, plan.style);
  let compiled = await compileHarness(built.source);
  if (!compiled.ok && built.method === "edit") {
    const why = compiled.errors.map((error) => `${error.line}:${error.column} ${error.message}`).join("; ");
    input.record(
      noteEvent(
        `the edit for ${plan.fixes.join(" + ")} did not compile (${why}); writing it from the template instead`,
      ),
    );
    built = { ...fromTemplate(plan.fixes, context), fallbackReason: `the edited base did not compile (${why})` };
    compiled = await compileHarness(built.source);
  }
  if (!compiled.ok) {
    input.record(
      errorEvent({
        kind: "proposer",
        message: `the harness for ${plan.fixes.join(" + ")} does not compile: ${compiled.errors.map((error) => `${error.line}:${error.column} ${error.message}`).join("; ")}`,
      }),
    );
    return null;
  }
  if (built.fallbackReason)
    input.record(noteEvent(`${plan.fixes.join(" + ")}: written from the template because ${built.fallbackReason}`));
  return built;
}

/** sha256 → "candidate <id>" of every candidate already in the workspace, so none is proposed twice. */
function knownSources(reader: RecordingReader, rows: { id: string; rejected: boolean }[]): Map<string, string> {
  const known = new Map<string, string>();
  for (const row of rows) {
    if (row.rejected) {
      const source = reader.read(`rejected/${row.id}/harness.ts`);
      if (source !== null) known.set(sha256(source), `rejected candidate ${row.id}`);
      continue;
    }
    try {
      const meta = JSON.parse(reader.read(`candidates/${row.id}/meta.json`) ?? "") as { sha256?: unknown };
      if (typeof meta.sha256 === "string") known.set(meta.sha256, `candidate ${row.id}`);
    } catch {
      // No meta.json: the loop's own check still refuses an identical source.
    }
  }
  return known;
}

interface WriteFacts {
  number: number;
  baseId: string;
  baseDir: string;
  findings: Finding[];
  traces: number;
  failing: number;
  evidencePerFinding: number;
}

function writeProposal(files: WorkspaceFiles, plan: Plan, built: BuiltHarness, facts: WriteFacts): Proposal {
  const name = `${facts.number}-${plan.fixes.join("-")}${plan.style === "template" ? "-fresh" : ""}`;
  const dir = `${files.proposalRelative}/${name}`;
  files.writeFile(`${dir}/${HARNESS_FILE}`, built.source);
  const hypothesis = plan.fixes.map((fix) => HYPOTHESES[fix]).join(" ");
  const rationale = rationaleOf(plan, built, facts);
  writeProposalMeta(path.join(files.root, ...dir.split("/")), {
    hypothesis,
    axis: plan.axis,
    baseCandidateId: facts.baseId,
    rationale,
  });
  return { dir, source: built.source, hypothesis, axis: plan.axis, baseCandidateId: facts.baseId, rationale };
}

/** What was read, what the traces showed (file by file), and what changed. */
function rationaleOf(plan: Plan, built: BuiltHarness, facts: WriteFacts): string {
  const lines = [
    `Offline proposer (no model). Read README.md, leaderboard.md, ${facts.baseDir}/harness.ts, ${facts.baseDir}/scores.json and the raw traces of ${facts.traces} of the base's ${facts.failing} failing search tasks.`,
    `This candidate: ${plan.why}.`,
  ];
  const relevant = facts.findings.filter((finding) => plan.fixes.includes(finding.fix));
  for (const finding of relevant) {
    const traces = finding.evidence.filter((item) => item.path.endsWith(".jsonl")).length;
    lines.push(
      "",
      `${finding.fix}: ${finding.cause}${traces ? ` Seen in ${traces} trace${traces === 1 ? "" : "s"}:` : ""}`,
    );
    const shown = [
      ...finding.evidence.filter((item) => !item.path.endsWith(".jsonl")),
      ...finding.evidence.filter((item) => item.path.endsWith(".jsonl")).slice(0, facts.evidencePerFinding),
    ];
    for (const item of shown) lines.push(`- ${item.path}: ${item.text}`);
    if (traces > facts.evidencePerFinding)
      lines.push(
        `- … and ${traces - facts.evidencePerFinding} more trace${traces - facts.evidencePerFinding === 1 ? "" : "s"} like these.`,
      );
  }
  const unsupported = plan.fixes.filter((fix) => !relevant.some((finding) => finding.fix === fix));
  if (unsupported.length) lines.push("", `${unsupported.join(", ")}: no trace showed the need; tried as exploration.`);
  lines.push(
    "",
    built.method === "edit"
      ? `Changes (an edit of ${facts.baseDir}/harness.ts):`
      : `Changes (a new harness from the offline proposer's template${built.fallbackReason ? `, because ${built.fallbackReason}` : ""}):`,
    ...built.changes.map((change) => `- ${change}`),
  );
  return lines.join("\n");
}

/** What step 2 read, in the transcript: raw traces, or (in a feedback ablation) summaries or nothing. */
function feedbackRead(traces: number, summaries: number, failing: number, all: number): string {
  const tasks = `${failing} failing search task${failing === 1 ? "" : "s"} (of ${all})`;
  if (summaries > 0)
    return `read the summaries of ${summaries} of ${tasks}: no raw traces in this workspace (feedback ablation), and the failure patterns it knows are in trace events, so summaries show it none`;
  if (traces === 0 && failing > 0)
    return `no raw trace of the ${tasks} is in this workspace (feedback ablation, scores only): no failure pattern can be seen`;
  return `read the raw traces of ${traces} of ${tasks}`;
}
