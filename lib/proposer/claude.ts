// The built-in Claude proposer: a tool-use loop through the official SDK. Claude reads the
// workspace (sources, scores, raw traces) with list_dir / read_file / grep, writes complete
// harnesses under the proposal folder, checks them, and calls finish. Its model calls go through
// `input.client`: in the loop, the iteration's recording proxy, which records each one (attempts,
// headers, usage, exact cost) in the transcript and holds it to the proposer's budgets. Every
// tool call, result and note goes to `record` as it happens.
//
// Prompt caching: the instructions (system) and the tool block are the same on every call, and
// the conversation only grows, so breakpoints sit on the system prompt, the last tool, and the
// last block of the two newest user messages (4, the API's maximum): each request reads the
// previous one's prefix from the cache and writes its own.
//
// Context: `context.ts` keeps every request under the model's window (the API's context editing
// where the model has it, and old tool results cleared to one-line stubs by the proposer itself).
import Anthropic from "@anthropic-ai/sdk";
import type {
  ContentBlockParam,
  Message,
  MessageCreateParamsNonStreaming,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
  ToolUseBlock,
} from "@anthropic-ai/sdk/resources/messages";
import { modelErrorInWords } from "../runner/proxy/api-errors.ts";
import { isBudgetRefusal, UNPRICED_HINT } from "../runner/proxy/budget.ts";
import { costUsd, priceFor } from "../runner/proxy/prices.ts";
import type { TokenUsage } from "../runner/proxy/types.ts";
import { errorEvent, fileReadEvent, noteEvent, toolCallEvent, toolResultEvent } from "../traces/build.ts";
import { BashShell } from "./bash-tool.ts";
import { iterationBrief } from "./brief.ts";
import { collectProposals } from "./collect.ts";
import {
  contextEditingBetas,
  ContextKeeper,
  contextManagementFields,
  contextWindowFor,
  isPromptTooLong,
  refusesContextEditing,
  supportsContextEditing,
} from "./context.ts";
import { DEFAULT_MAX_OUTPUT_TOKENS, MODEL_REQUEST_TIMEOUT_MS } from "./limits.ts";
import { runTool, toolDefinitions, type ToolOutcome } from "./tools.ts";
import type { Proposal, Proposer, ProposerInput, ProposerResult, StopReason } from "./types.ts";
import { WorkspaceFiles } from "./workspace-files.ts";

export interface ClaudeProposerOptions {
  /** max_tokens of each model call. Above ~21K the SDK requires streaming; keep it below. */
  maxOutputTokens?: number;
  /**
   * SDK retries per call (default 2). Through the studio's recording proxy these only cover
   * reaching the proxy: the proxy retries upstream itself, and records each attempt.
   */
  maxRetries?: number;
  /** Per model call (default 10 minutes). */
  requestTimeoutMs?: number;
  /** The bash tool's sandbox: "process" refuses bubblewrap even where it works (tests). */
  shellIsolation?: "auto" | "process";
  /** The model's context window in tokens (default: STUDIO_PROPOSER_CONTEXT_WINDOW, else the model's, see context.ts). */
  contextWindow?: number;
  /** Send the API's context editing fields where the model supports them (default true). */
  contextEditing?: boolean;
}

const EPHEMERAL = { type: "ephemeral" } as const;

export function createClaudeProposer(options: ClaudeProposerOptions = {}): Proposer {
  return { kind: "claude", propose: (input) => proposeWithClaude(input, options) };
}

async function proposeWithClaude(input: ProposerInput, options: ClaudeProposerOptions): Promise<ProposerResult> {
  const totals = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
  /** The first model that answered without a price: the proposer's cost is then unknown. */
  let unpriced: string | undefined;
  const filesRead = new Set<string>();
  const result = (stopReason: StopReason, proposals: Proposal[], error?: string): ProposerResult => ({
    proposals,
    filesRead: [...filesRead],
    ...totals,
    costUsd: unpriced === undefined ? totals.costUsd : null,
    stopReason,
    ...(error ? { error } : {}),
  });

  // A dollar budget over a model with no price cannot hold: refuse before the first call.
  if (input.usdBudget !== undefined && !priceFor(input.model)) {
    const message = `Dollar budget cannot be enforced: the proposer's model ${input.model} has no price. ${UNPRICED_HINT}`;
    safeRecord(input, errorEvent({ kind: "proposer", message }));
    return result("budget", [], message);
  }

  let files: WorkspaceFiles;
  try {
    files = WorkspaceFiles.open(input.workspaceDir, input.proposalDir);
  } catch (error) {
    return result("error", [], (error as Error).message);
  }

  const client = new Anthropic({
    baseURL: input.client.baseURL,
    apiKey: input.client.apiKey,
    // SDK 1.x sends the key as a Bearer token; x-api-key too, for servers that read only that.
    defaultHeaders: { "x-api-key": input.client.apiKey },
    maxRetries: options.maxRetries ?? 2,
    timeout: options.requestTimeoutMs ?? MODEL_REQUEST_TIMEOUT_MS,
  });
  const system: TextBlockParam[] = [{ type: "text", text: input.instructions, cache_control: EPHEMERAL }];
  const tools = toolDefinitions();
  const maxOutputTokens = options.maxOutputTokens ?? DEFAULT_MAX_OUTPUT_TOKENS;
  const context = new ContextKeeper(contextWindowFor(input.model, options.contextWindow), maxOutputTokens);
  let contextEditing = (options.contextEditing ?? true) && supportsContextEditing(input.model);
  const brief = iterationBrief({
    iteration: input.iteration,
    candidatesWanted: input.candidatesWanted,
    proposalDir: files.proposalRelative,
    mode: "tools",
    checkAvailable: Boolean(input.checkCandidate),
  });
  const messages: MessageParam[] = [{ role: "user", content: [{ type: "text", text: brief }] }];
  const onNote = (message: string) => input.record(noteEvent(message));
  const shell = new BashShell(files, { isolation: options.shellIsolation, signal: input.signal, onNote });
  const toolContext = {
    files,
    shell,
    candidatesWanted: input.candidatesWanted,
    checkCandidate: input.checkCandidate,
    signal: input.signal,
    onFileRead: (page: { relative: string; startLine: number; endLine: number; totalLines: number }) => {
      filesRead.add(page.relative);
      context.noteRead(page);
      input.record(fileReadEvent(page.relative, page));
    },
    onNote,
    spent: () => ({ tokens: totals.inputTokens + totals.outputTokens, usd: totals.costUsd }),
    // A check runs the model too: the proposer's exploration, counted in its figures and budgets.
    onCheckSpend: (spend: { inputTokens: number; outputTokens: number; costUsd: number | null }) => {
      totals.inputTokens += spend.inputTokens;
      totals.outputTokens += spend.outputTokens;
      if (spend.costUsd === null) unpriced ??= "a check's model";
      else totals.costUsd += spend.costUsd;
    },
  };

  let finished: Proposal[] | null = null;
  let stop: StopReason | null = null;
  let failure: string | undefined;
  let turns = 0;
  try {
    while (turns < input.maxTurns) {
      if (input.signal?.aborted) {
        stop = "cancelled";
        break;
      }
      turns++;
      const conversation = { system, tools, messages };
      const fitted = context.fit(conversation);
      if (fitted.cleared) input.record(noteEvent(clearedNote(fitted, context.limit)));
      let request = requestOf(input.model, maxOutputTokens, conversation, contextEditing ? context.limit : null);
      let outcome = await attempt(client, request, contextEditing, input.signal);
      // An upstream that refuses the context editing fields: go on without them (the fallback holds).
      if (contextEditing && "error" in outcome && refusesContextEditing(outcome.error)) {
        input.record(noteEvent("the model API refused context_management; continuing without it"));
        contextEditing = false;
        request = requestOf(input.model, maxOutputTokens, conversation, null);
        outcome = await attempt(client, request, contextEditing, input.signal);
      }
      // Too long for the window after all (the estimate was off, or a smaller upstream): clear more, retry once.
      if ("error" in outcome && isPromptTooLong(outcome.error)) {
        const shrunk = context.shrink(conversation);
        if (shrunk.cleared) {
          input.record(noteEvent(`the model refused the prompt as too long; ${clearedNote(shrunk, context.limit)}`));
          request = requestOf(input.model, maxOutputTokens, conversation, contextEditing ? context.limit : null);
          outcome = await attempt(client, request, contextEditing, input.signal);
        } else
          input.record(noteEvent("the model refused the prompt as too long, and no old tool result is left to clear"));
      }
      if ("error" in outcome) {
        if (input.signal?.aborted) stop = "cancelled";
        else if (isBudgetRefusal(describeError(outcome.error))) {
          // The recording proxy refused the call: a proposer budget is spent (its checks count too).
          stop = "budget";
          failure = describeError(outcome.error);
        } else {
          stop = "error";
          failure = `model call ${turns} failed: ${describeError(outcome.error)}`;
        }
        break;
      }
      const response = outcome.response;
      context.observe(conversation, inputTokensOf(response));
      const cost = costUsd(response.model || input.model, tokenUsage(response));
      totals.inputTokens += inputTokensOf(response);
      totals.outputTokens += response.usage.output_tokens;
      totals.costUsd += cost.usd;
      if (!cost.priced) unpriced ??= response.model || input.model;
      messages.push({ role: "assistant", content: response.content });

      const uses = response.content.filter((block): block is ToolUseBlock => block.type === "tool_use");
      if (uses.length === 0) {
        const nudge =
          response.stop_reason === "max_tokens"
            ? "Your answer was cut off at max_tokens. Continue with tool calls; write long files in parts (write_file with append: true)."
            : `Nothing counts until you call finish. Keep working with the tools, then call finish with your proposals (${input.candidatesWanted} wanted).`;
        input.record(noteEvent(`the model answered without a tool call; reminded it: ${nudge}`));
        messages.push({ role: "user", content: [{ type: "text", text: nudge }] });
      } else {
        const results: ToolResultBlockParam[] = [];
        for (const use of uses) {
          context.noteCall(use.id, use.name, use.input);
          input.record(toolCallEvent(use.name, use.id, use.input));
          const began = performance.now();
          const outcome: ToolOutcome =
            response.stop_reason === "max_tokens" && use === uses.at(-1) && use === response.content.at(-1)
              ? {
                  text: `This call was cut off at max_tokens before its input was complete, so it was not run. Write long files in parts (write_file with append: true).`,
                  isError: true,
                }
              : await runTool(use.name, use.input, toolContext);
          input.record(toolResultEvent(use.name, use.id, outcome.text, outcome.isError, performance.now() - began));
          results.push({
            type: "tool_result",
            tool_use_id: use.id,
            content: outcome.text,
            ...(outcome.isError ? { is_error: true } : {}),
          });
          if (outcome.proposals) finished = outcome.proposals;
        }
        messages.push({ role: "user", content: results });
      }

      // Tool calls cost no tokens, so a finish in the call that crossed the budget still counts.
      if (finished) {
        stop = "done";
        break;
      }
      if (input.signal?.aborted) {
        stop = "cancelled";
        break;
      }
      if (input.tokenBudget !== undefined && totals.inputTokens + totals.outputTokens >= input.tokenBudget) {
        stop = "budget";
        break;
      }
      // A dollar budget cannot hold over a call whose cost is unknown: stop, and say why.
      if (input.usdBudget !== undefined && unpriced !== undefined) {
        stop = "budget";
        failure = `Dollar budget cannot be enforced: the proposer's model ${unpriced} has no price. ${UNPRICED_HINT}`;
        break;
      }
      // Each call priced exactly (cache reads at a tenth of the input rate), not tokens at one rate.
      if (input.usdBudget !== undefined && totals.costUsd >= input.usdBudget) {
        stop = "budget";
        break;
      }
    }
    stop ??= "max_turns";
  } catch (error) {
    // Only a broken recorder or file system gets here; tools and model errors are handled above.
    stop = "error";
    failure = `the proposer failed: ${(error as Error).message ?? String(error)}`;
  } finally {
    shell.close();
  }

  if (failure) safeRecord(input, errorEvent({ kind: "proposer", message: failure }));
  const proposals = finished ?? salvage(files, input);
  const summary = { stopReason: stop, turns, ...totals, filesRead: filesRead.size, proposals: proposals.length };
  safeRecord(
    input,
    noteEvent(`proposer stopped: ${stop} after ${turns} model call${turns === 1 ? "" : "s"}`, new Date(), summary),
  );
  return result(stop, proposals, failure);
}

/** The request body: the conversation with cache breakpoints, and the API's context editing under `editingLimit`. */
function requestOf(
  model: string,
  maxTokens: number,
  conversation: { system: TextBlockParam[]; tools: MessageCreateParamsNonStreaming["tools"]; messages: MessageParam[] },
  editingLimit: number | null,
): MessageCreateParamsNonStreaming {
  return {
    model,
    max_tokens: maxTokens,
    // A copy: the read list (the system's last block) changes later, the recorded request must not.
    system: [...conversation.system],
    tools: conversation.tools,
    messages: withCacheBreakpoints(conversation.messages),
    // SDK 1.14 types context_management on the beta endpoint only; the field goes as an extra body param.
    ...(editingLimit === null ? {} : contextManagementFields(editingLimit, model)),
  };
}

/** One model call; its failure is returned, not thrown. */
async function attempt(
  client: Anthropic,
  request: MessageCreateParamsNonStreaming,
  contextEditing: boolean,
  signal: AbortSignal | undefined,
): Promise<{ response: Message } | { error: unknown }> {
  try {
    const headers = contextEditing ? { "anthropic-beta": contextEditingBetas(request.model) } : undefined;
    return { response: await client.messages.create(request, { signal, ...(headers ? { headers } : {}) }) };
  } catch (error) {
    return { error };
  }
}

function clearedNote(fit: { before: number; after: number; cleared: number }, limit: number): string {
  return `context kept under its window: ${fit.cleared} old tool result(s)/input(s) cleared to stubs, about ${fit.before} → ${fit.after} prompt tokens (limit ${limit})`;
}

/** Harnesses written before an early stop, so the spent tokens are not thrown away. */
function salvage(files: WorkspaceFiles, input: ProposerInput): Proposal[] {
  try {
    const proposals = collectProposals(files.root, files.proposalRoot, (message) =>
      safeRecord(input, noteEvent(message)),
    );
    if (proposals.length)
      safeRecord(
        input,
        noteEvent(
          `finish was not called; ${proposals.length} harness file(s) found under ${files.proposalRelative}/ are returned as proposals`,
        ),
      );
    return proposals;
  } catch {
    return [];
  }
}

function safeRecord(input: ProposerInput, row: Parameters<ProposerInput["record"]>[0]): void {
  try {
    input.record(row);
  } catch {
    // The result still reaches the caller; a recorder that throws has already told it why.
  }
}

/** The messages with cache breakpoints on the last block of the two newest user messages. */
export function withCacheBreakpoints(messages: MessageParam[]): MessageParam[] {
  const marked = new Set<number>();
  for (let i = messages.length - 1; i >= 0 && marked.size < 2; i--) if (messages[i].role === "user") marked.add(i);
  return messages.map((message, index): MessageParam => {
    if (
      message.role !== "user" ||
      !marked.has(index) ||
      typeof message.content === "string" ||
      message.content.length === 0
    )
      return message;
    const content = [...message.content];
    content[content.length - 1] = { ...content[content.length - 1], cache_control: EPHEMERAL } as ContentBlockParam;
    return { role: "user", content };
  });
}

/** All prompt tokens of a call: uncached, written to the cache, and read from it. */
function inputTokensOf(message: Message): number {
  const usage = message.usage;
  return usage.input_tokens + (usage.cache_creation_input_tokens ?? 0) + (usage.cache_read_input_tokens ?? 0);
}

function tokenUsage(message: Message): TokenUsage {
  const usage = message.usage;
  return {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    ...(usage.cache_creation ? { cache_creation: usage.cache_creation } : {}),
  };
}

function describeError(error: unknown): string {
  if (error instanceof Anthropic.APIError) return modelErrorInWords(error);
  return (error as Error)?.message ?? String(error);
}
