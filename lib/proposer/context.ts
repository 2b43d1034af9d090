// Keeps the built-in proposer's requests inside the model's context window. Two layers:
//
// - The API's own context editing (`context_management` with `clear_tool_uses_20250919`, beta
//   header `context-management-2025-06-27`), sent for models that support it: the API clears
//   old tool results server-side before the prompt reaches the model. Where the model supports
//   compaction (`compact_20260112`, beta `compact-2026-01-12`), the API also summarises the
//   conversation near the window; its compaction block stays in the conversation, as the API
//   wants it sent back.
// - A fallback of our own that holds against any upstream (one that ignores those fields, a
//   proxy, a fake): before each request, when its estimated size is over the limit, the oldest
//   tool results are replaced in place by a one-line stub saying what was read and how to read
//   it again, and a list of everything read this session is put in the system prompt.
//
// Tokens are estimated at four characters each, scaled by what the API reported: after each
// answer, the ratio of its prompt tokens to our estimate of that request raises the scale (never
// below 1, so a server that cleared content itself cannot make us under-count).
import type {
  ContentBlockParam,
  MessageParam,
  TextBlockParam,
  ToolResultBlockParam,
} from "@anthropic-ai/sdk/resources/messages";
import {
  CONTEXT_CLEAR_TO,
  CONTEXT_HEADROOM,
  CONTEXT_INPUT_KEEP_CHARS,
  CONTEXT_READ_LIST_CHARS,
  CONTEXT_RETRY_SHRINK,
  CONTEXT_WINDOW_ENV,
  DEFAULT_CONTEXT_WINDOW,
} from "./limits.ts";

/** Known context windows, first match wins; anything else gets DEFAULT_CONTEXT_WINDOW. */
const MODEL_WINDOWS: [RegExp, number][] = [[/^claude-/, 200_000]];

/** The window of `model`: an explicit override, then STUDIO_PROPOSER_CONTEXT_WINDOW, then the table. */
export function contextWindowFor(model: string, override?: number): number {
  if (override && override > 0) return override;
  const fromEnv = Number(process.env[CONTEXT_WINDOW_ENV]);
  if (Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  return MODEL_WINDOWS.find(([pattern]) => pattern.test(model))?.[1] ?? DEFAULT_CONTEXT_WINDOW;
}

/** Context editing exists for the Claude 4 families and later (claude-opus-4-1, claude-sonnet-4-5, …). */
export function supportsContextEditing(model: string): boolean {
  const major = /^claude-(?:opus|sonnet|haiku)-(\d+)/.exec(model)?.[1];
  return major !== undefined && Number(major) >= 4;
}

export const CONTEXT_EDITING_BETA = "context-management-2025-06-27";
export const COMPACTION_BETA = "compact-2026-01-12";

/** Server-side compaction exists for Opus and Sonnet from 4.6 on (claude-opus-4-6, claude-sonnet-5, …). */
export function supportsCompaction(model: string): boolean {
  const match = /^claude-(opus|sonnet)-(\d+)(?:-(\d))?(?:-|$)/.exec(model);
  if (!match) return false;
  const major = Number(match[2]);
  return major > 4 || (major === 4 && Number(match[3] ?? 0) >= 6);
}

/** The beta header the context editing fields of `model` need. */
export function contextEditingBetas(model: string): string {
  return supportsCompaction(model) ? `${CONTEXT_EDITING_BETA},${COMPACTION_BETA}` : CONTEXT_EDITING_BETA;
}

/** The request fields asking the API to clear old tool results (and compact, where it can) before `limit` prompt tokens. */
export function contextManagementFields(limit: number, model: string): Record<string, unknown> {
  const edits: Record<string, unknown>[] = [
    {
      type: "clear_tool_uses_20250919",
      trigger: { type: "input_tokens", value: Math.floor(limit * 0.8) },
      keep: { type: "tool_uses", value: 3 },
      // Clearing invalidates the prompt cache: clear enough at once to be worth it.
      clear_at_least: { type: "input_tokens", value: Math.floor(limit * 0.2) },
    },
  ];
  // Past clearing, the conversation itself is summarised (the proposer's read list keeps the paths).
  if (supportsCompaction(model))
    edits.push({ type: "compact_20260112", trigger: { type: "input_tokens", value: Math.floor(limit * 0.9) } });
  return { context_management: { edits } };
}

/** A 400 saying the prompt does not fit the window ("prompt is too long: 208310 tokens > 200000 maximum"). */
export function isPromptTooLong(error: unknown): boolean {
  const { status, message, error: body } = (error ?? {}) as { status?: unknown; message?: unknown; error?: unknown };
  const text = `${String(message ?? "")} ${JSON.stringify(body ?? "")}`;
  return status === 400 && /prompt is too long|too many (input )?tokens|context (window|length)/i.test(text);
}

/** A 400 naming the context editing field or its beta (a model or proxy without it). */
export function refusesContextEditing(error: unknown): boolean {
  const { status, message, error: body } = (error ?? {}) as { status?: unknown; message?: unknown; error?: unknown };
  const text = `${String(message ?? "")} ${JSON.stringify(body ?? "")}`;
  return (
    status === 400 && /context_management|context-management|clear_tool_uses|compact_20260112|compact-2026/i.test(text)
  );
}

export interface ReadPageFacts {
  relative: string;
  startLine: number;
  endLine: number;
  totalLines: number;
}

interface Request {
  system: TextBlockParam[];
  tools: unknown[];
  messages: MessageParam[];
}

export interface FitOutcome {
  /** Estimated prompt tokens before and after. */
  before: number;
  after: number;
  /** Tool results replaced by a stub, and tool inputs shortened, this time. */
  cleared: number;
}

export class ContextKeeper {
  /** Estimated prompt tokens a request may have: the window less the answer, with headroom. */
  limit: number;
  private scale = 1;
  private readonly calls = new Map<string, { name: string; input: unknown }>();
  private readonly reads = new Map<string, { pages: string[]; totalLines: number }>();

  constructor(
    readonly window: number,
    maxOutputTokens: number,
  ) {
    this.limit = Math.max(1_000, Math.floor((window - maxOutputTokens) * CONTEXT_HEADROOM));
  }

  /** Remember what a tool call asked for, so its result's stub can say how to get it again. */
  noteCall(id: string, name: string, input: unknown): void {
    this.calls.set(id, { name, input });
  }

  noteRead(page: ReadPageFacts): void {
    const read = this.reads.get(page.relative) ?? { pages: [], totalLines: page.totalLines };
    const range = `${page.startLine}-${page.endLine}`;
    if (!read.pages.includes(range)) read.pages.push(range);
    read.totalLines = page.totalLines;
    this.reads.set(page.relative, read);
  }

  /** Estimated prompt tokens of a request. */
  estimate(request: Request): number {
    return Math.ceil(rawTokens(request) * this.scale);
  }

  /** Learn from the API's count of a request's prompt tokens. */
  observe(request: Request, promptTokens: number): void {
    const raw = rawTokens(request);
    if (raw > 0 && promptTokens > 0) this.scale = Math.min(2, Math.max(this.scale, promptTokens / raw));
  }

  /**
   * Clear the oldest tool results (in place, so later requests share the shorter prefix) until
   * the request is under CONTEXT_CLEAR_TO of the limit. The newest user message is kept whole:
   * the model has not seen it yet.
   */
  fit(request: Request): FitOutcome {
    const before = this.estimate(request);
    if (before <= this.limit) return { before, after: before, cleared: 0 };
    const target = Math.floor(this.limit * CONTEXT_CLEAR_TO);
    let after = before;
    let cleared = 0;
    const newest = request.messages.length - 1;
    // Tool results first (pages of files, grep output), then long tool inputs (written files); the
    // newest results only as a last resort (many large reads in one turn), all but the last.
    const passes = [
      { stub: "results", messages: newest, goal: target },
      { stub: "inputs", messages: newest, goal: target },
      { stub: "results", messages: newest + 1, goal: this.limit },
    ] as const;
    for (const pass of passes) {
      for (let i = 0; i < pass.messages && after > pass.goal; i++) {
        const message = request.messages[i];
        if (typeof message.content === "string") continue;
        const content = [...message.content];
        const end = i === newest ? content.length - 1 : content.length;
        let changed = false;
        for (let j = 0; j < end && after > pass.goal; j++) {
          const block = content[j];
          const replaced = pass.stub === "results" ? this.stubResult(block) : this.stubInput(block);
          if (!replaced) continue;
          after -= Math.ceil(((JSON.stringify(block).length - JSON.stringify(replaced).length) / 4) * this.scale);
          content[j] = replaced;
          changed = true;
          cleared++;
        }
        if (changed) request.messages[i] = { role: message.role, content } as MessageParam;
      }
    }
    if (cleared) this.putReadList(request.system);
    return { before, after: this.estimate(request), cleared };
  }

  /** After a 400 "prompt is too long": lower the limit below the refused request and clear again. */
  shrink(request: Request): FitOutcome {
    this.limit = Math.max(1_000, Math.floor(this.estimate(request) * CONTEXT_RETRY_SHRINK));
    return this.fit(request);
  }

  /** The session's read list, as the system prompt's last block shows it. */
  readList(): string {
    const lines: string[] = [];
    let chars = 0;
    let left = 0;
    for (const [file, read] of this.reads) {
      const line = `- ${file} (lines ${read.pages.join(", ")} of ${read.totalLines})`;
      if (chars + line.length > CONTEXT_READ_LIST_CHARS) {
        left++;
        continue;
      }
      lines.push(line);
      chars += line.length + 1;
    }
    if (left) lines.push(`- … and ${left} more file(s)`);
    return [
      "Files read this session. To stay inside the context window, older tool results were replaced by a",
      "[cleared: …] line; read a file again (read_file with the same path and lines) when you need it.",
      ...lines,
    ].join("\n");
  }

  private putReadList(system: TextBlockParam[]): void {
    const block: TextBlockParam = { type: "text", text: this.readList() };
    // The instructions (block 0) keep their cache breakpoint; the list follows and changes only when clearing.
    if (system.length > 1) system[system.length - 1] = block;
    else system.push(block);
  }

  private stubResult(block: ContentBlockParam): ToolResultBlockParam | null {
    if (block.type !== "tool_result" || isStub(block.content)) return null;
    const call = this.calls.get(block.tool_use_id);
    const what = call ? `${call.name} ${short(JSON.stringify(call.input))}` : "an earlier tool call";
    const text = `[cleared: ${what} — removed to keep the context under its window; call ${call?.name ?? "the tool"} again with this input to see it]`;
    if (JSON.stringify(block.content ?? "").length <= text.length) return null;
    return { type: "tool_result", tool_use_id: block.tool_use_id, content: text };
  }

  private stubInput(block: ContentBlockParam): ContentBlockParam | null {
    if (block.type !== "tool_use") return null;
    const size = JSON.stringify(block.input ?? {}).length;
    if (size <= CONTEXT_INPUT_KEEP_CHARS) return null;
    return {
      ...block,
      input: { cleared: `this call's input (${size} characters) was removed to keep the context under its window` },
    };
  }
}

function rawTokens(request: Request): number {
  return Math.ceil(
    JSON.stringify({ system: request.system, tools: request.tools, messages: request.messages }).length / 4,
  );
}

function isStub(content: ToolResultBlockParam["content"]): boolean {
  return typeof content === "string" && content.startsWith("[cleared: ");
}

function short(text: string): string {
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}
