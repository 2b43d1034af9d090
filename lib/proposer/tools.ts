// The Claude proposer's tools: their definitions (one zod schema each, which is both the JSON
// schema the model sees and the check of what it sends) and what running each one does. A
// tool never throws at the loop: a refusal or a mistake comes back as an error result, in words
// the model can act on.
import fs from "node:fs";
import path from "node:path";
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import { z } from "zod";
import { bashDescription, bashSchema, type BashShell } from "./bash-tool.ts";
import { HARNESS_FILE, writeProposalMeta } from "./collect.ts";
import { grep } from "./grep.ts";
import { HARNESS_BYTES } from "./limits.ts";
import type { CheckCandidate, CheckResult, Proposal } from "./types.ts";
import { ToolError, isInside, type ReadPage, type WorkspaceFiles } from "./workspace-files.ts";
import { formatBytes } from "../format.ts";

const pathField = z.string().describe("Relative to the workspace root, e.g. candidates/<id>/scores.json");

const schemas = {
  list_dir: z.object({
    path: pathField.optional().describe('A folder, relative to the workspace root; default "." (the root)'),
  }),
  read_file: z.object({
    path: pathField,
    start_line: z.number().int().min(1).optional().describe("First line to show (1-based); default 1"),
    end_line: z.number().int().min(1).optional().describe("Last line to show; default: as far as one page goes"),
    char_offset: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe("With start_line = end_line: where to start inside that one long line"),
  }),
  grep: z.object({
    pattern: z
      .string()
      .min(1)
      .describe(
        'A JavaScript regular expression, matched against each line, e.g. "\\"status\\": \\"(failed|error)\\""',
      ),
    path: pathField.optional().describe("A file or folder to search; default: the whole workspace"),
    glob: z
      .string()
      .optional()
      .describe(
        'Only files matching this: "*.json" matches file names; a glob with "/" matches paths, e.g. "candidates/*/scores.json"',
      ),
    ignore_case: z.boolean().optional(),
  }),
  write_file: z.object({
    path: pathField.describe("Under the iteration's proposal folder, e.g. proposals/<n>/<short-name>/harness.ts"),
    content: z.string().describe("The whole file"),
    append: z.boolean().optional().describe("Append instead of replacing: for a file too long to write in one call"),
  }),
  bash: bashSchema,
  check_candidate: z.object({
    path: pathField.describe("A harness.ts you wrote, e.g. proposals/<n>/<short-name>/harness.ts"),
  }),
  finish: z.object({
    proposals: z
      .array(
        z.object({
          path: pathField.describe("The proposal's harness.ts"),
          hypothesis: z.string().min(1).describe("What should improve, and why, in one or two sentences"),
          axis: z.enum(["exploit", "explore"]).describe("exploit: builds on a known win; explore: a new approach"),
          base_candidate_id: z
            .string()
            .nullable()
            .describe("The candidate (folder name under candidates/) it builds on, or null"),
          rationale: z
            .string()
            .describe("The evidence from the traces: which failures, what the model was shown, what it answered"),
        }),
      )
      .min(1),
  }),
};

export type ToolName = keyof typeof schemas;

const descriptions: Record<ToolName, string> = {
  list_dir: "List a folder of the workspace: names, sizes, entry counts.",
  read_file:
    "Read a text file with line numbers. Long files come in pages; the result ends with how to read on. Very long lines (a trace line holds a whole model request) are cut in a page; read that one line alone (start_line = end_line) and page through it with char_offset.",
  grep: "Search files for a regular expression; prints path:line: text for each matching line (a window around the match for long lines). Bounded output: narrow with path and glob.",
  write_file:
    "Write a file under this iteration's proposal folder (the only writable place). Creates folders as needed.",
  bash: bashDescription,
  check_candidate:
    "Compile a harness you wrote and run it on a few search tasks: compile errors with line and column, or each task's status, score and the workspace path of its new trace (read it with read_file or bash).",
  finish: "Declare your proposals and end the iteration. Call it once, after every harness is written and checked.",
};

/** Tool definitions in a fixed order; the last carries the cache breakpoint for the tool block. */
export function toolDefinitions(): Tool[] {
  const names = Object.keys(schemas) as ToolName[];
  return names.map((name, index) => {
    const { $schema: _drop, ...inputSchema } = z.toJSONSchema(schemas[name]) as Record<string, unknown>;
    return {
      name,
      description: descriptions[name],
      input_schema: inputSchema as Tool.InputSchema,
      ...(index === names.length - 1 ? { cache_control: { type: "ephemeral" as const } } : {}),
    };
  });
}

export interface ToolOutcome {
  text: string;
  isError: boolean;
  /** Set by a successful finish. */
  proposals?: Proposal[];
}

export interface ToolContext {
  files: WorkspaceFiles;
  candidatesWanted: number;
  checkCandidate?: CheckCandidate;
  signal?: AbortSignal;
  /** A successful read_file: for filesRead and the file_read event. */
  onFileRead: (page: ReadPage) => void;
  /** Something the transcript should say that is not a tool result. */
  onNote: (message: string) => void;
  /** What the proposer has spent so far, handed to the check. */
  spent?: () => { tokens: number; usd: number };
  /** The session's sandboxed shell; without one, bash answers that it is not available. */
  shell?: BashShell;
  /** A check's spend, counted as the proposer's. */
  onCheckSpend?: (spend: NonNullable<CheckResult["spend"]>) => void;
}

export async function runTool(name: string, input: unknown, context: ToolContext): Promise<ToolOutcome> {
  if (!(name in schemas))
    return { text: `unknown tool ${name}; the tools are ${Object.keys(schemas).join(", ")}`, isError: true };
  const parsed = schemas[name as ToolName].safeParse(input ?? {});
  if (!parsed.success) return { text: `invalid input for ${name}: ${z.prettifyError(parsed.error)}`, isError: true };
  try {
    return await run({ name, input: parsed.data } as ToolCall, context);
  } catch (error) {
    if (error instanceof ToolError) return { text: error.message, isError: true };
    return { text: `${name} failed: ${(error as Error).message ?? String(error)}`, isError: true };
  }
}

/** A checked tool call: the name decides the input's type. */
type ToolCall = { [N in ToolName]: { name: N; input: z.infer<(typeof schemas)[N]> } }[ToolName];

async function run({ name, input }: ToolCall, context: ToolContext): Promise<ToolOutcome> {
  const { files } = context;
  switch (name) {
    case "list_dir":
      return ok(files.listDir(input.path ?? "."));
    case "read_file": {
      const page = files.readFile(input.path, input.start_line, input.end_line, input.char_offset);
      context.onFileRead(page);
      return ok(page.text);
    }
    case "grep":
      return ok(
        await grep(files, {
          pattern: input.pattern,
          path: input.path,
          glob: input.glob,
          ignoreCase: input.ignore_case,
        }),
      );
    case "write_file":
      return ok(files.writeFile(input.path, input.content, input.append ?? false));
    case "bash":
      if (!context.shell) return { text: "bash is not available in this run", isError: true };
      return context.shell.run(input);
    case "check_candidate":
      return checkCandidate(input.path, context);
    case "finish":
      return finish(input.proposals, context);
  }
}

const ok = (text: string): ToolOutcome => ({ text, isError: false });

async function checkCandidate(filePath: string, context: ToolContext): Promise<ToolOutcome> {
  const { absolute, relative } = context.files.resolveExisting(filePath);
  if (!fs.statSync(absolute).isFile()) throw new ToolError(`${relative} is not a file`);
  if (!context.checkCandidate) {
    return {
      text: "check_candidate is not available in this run (no checker was provided). Re-read the harness against the contract in README.md instead.",
      isError: true,
    };
  }
  const source = fs.readFileSync(absolute, "utf8");
  const result = await context.checkCandidate(source, { signal: context.signal, spent: context.spent?.() });
  if (result.spend) context.onCheckSpend?.(result.spend);
  return ok(formatCheck(relative, result));
}

export function formatCheck(relative: string, result: CheckResult): string {
  const lines = [`check of ${relative}: ${result.ok ? "passed" : "FAILED"}`, result.message];
  if (result.compileErrors?.length) {
    lines.push(`compile errors (${result.compileErrors.length}):`);
    for (const error of result.compileErrors)
      lines.push(`  line ${error.line}, column ${error.column}: ${error.message}`);
  }
  if (result.results?.length) {
    lines.push(`task results (${result.results.length}):`);
    for (const task of result.results) {
      lines.push(
        `  ${task.taskKey}: ${task.status}, score ${task.score ?? "none"}${task.tracePath ? `, trace ${task.tracePath}` : ""}`,
      );
    }
  }
  return lines.join("\n");
}

type FinishEntry = z.infer<typeof schemas.finish>["proposals"][number];

/**
 * Checks every entry and accepts all or none, so the model can fix its list in one more call.
 * Fewer than k proposals are accepted (with a note): asking again would only invite filler.
 */
function finish(entries: FinishEntry[], context: ToolContext): ToolOutcome {
  const { files, candidatesWanted } = context;
  if (entries.length > candidatesWanted) {
    throw new ToolError(
      `finish lists ${entries.length} proposals, but this iteration wants ${candidatesWanted}: call finish again with your best ${candidatesWanted}`,
    );
  }
  const problems: string[] = [];
  const proposals: Proposal[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of entries.entries()) {
    const label = `proposal ${index + 1} (${entry.path})`;
    let file: string;
    try {
      file = harnessPath(files, entry.path);
    } catch (error) {
      problems.push(`${label}: ${(error as Error).message}`);
      continue;
    }
    const relative = files.relativeOf(file);
    if (seen.has(relative)) {
      problems.push(`${label}: listed twice`);
      continue;
    }
    seen.add(relative);
    const source = fs.readFileSync(file, "utf8");
    if (source.trim() === "") problems.push(`${label}: the file is empty`);
    if (Buffer.byteLength(source) > HARNESS_BYTES) problems.push(`${label}: larger than ${formatBytes(HARNESS_BYTES)}`);
    const base = entry.base_candidate_id?.trim() || null;
    if (base !== null && !candidateExists(files, base)) {
      problems.push(
        `${label}: base_candidate_id "${base}" is not a folder under candidates/ or rejected/; use a candidate's folder name, or null`,
      );
    }
    proposals.push({
      dir: files.relativeOf(path.dirname(file)),
      source,
      hypothesis: entry.hypothesis.trim(),
      axis: entry.axis,
      baseCandidateId: base,
      rationale: entry.rationale.trim(),
    });
  }
  if (problems.length)
    throw new ToolError(
      `finish refused; nothing was accepted. Fix these and call finish again:\n${problems.map((p) => `- ${p}`).join("\n")}`,
    );
  // The proposal folder keeps its own record, as a command proposer's would.
  for (const proposal of proposals) writeProposalMeta(path.join(files.root, proposal.dir), proposal);
  if (proposals.length < candidatesWanted)
    context.onNote(`finish accepted ${proposals.length} proposals; ${candidatesWanted} were wanted`);
  return {
    text: `finished: ${proposals.length} proposal${proposals.length === 1 ? "" : "s"} accepted (${proposals.map((p) => p.dir).join(", ")})`,
    isError: false,
    proposals,
  };
}

/** The harness file a finish entry names (a harness.ts, or a folder holding one), under the proposal folder. */
function harnessPath(files: WorkspaceFiles, input: string): string {
  const { absolute, relative } = files.resolveExisting(input);
  const file = fs.statSync(absolute).isDirectory() ? path.join(absolute, HARNESS_FILE) : absolute;
  const stat = fs.lstatSync(file, { throwIfNoEntry: false });
  if (!stat) throw new ToolError(`${relative}/${HARNESS_FILE} does not exist`);
  if (stat.isSymbolicLink() || !stat.isFile() || !isInside(files.proposalRoot, fs.realpathSync(file))) {
    throw new ToolError(`a proposal must be a file written under ${files.proposalRelative}/`);
  }
  return file;
}

function candidateExists(files: WorkspaceFiles, id: string): boolean {
  if (!/^[^/\\\u0000]+$/.test(id) || id === "." || id === "..") return false;
  return ["candidates", "rejected"].some((folder) => fs.existsSync(path.join(files.root, folder, id)));
}
