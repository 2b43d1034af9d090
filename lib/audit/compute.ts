// The harness audit of one task run, a pure function of its events: what the model was sent and
// what it cost (tokens, calls), which tools were offered and which were used (and failed), and how
// much of each prompt repeats the one before it. Used when a task run finishes (lib/runner/task.ts)
// and for runs stored before the audit existed (queries.ts), so both give the same figures.

export const AUDIT_VERSION = 1;

/** How often one tool was offered (in a request's `tools`), called (a `tool_use`), and failed. */
export interface ToolFigures {
  offered: number;
  called: number;
  errored: number;
}

export interface TaskRunAudit {
  version: typeof AUDIT_VERSION;
  /** `messages` requests (count_tokens requests are not model calls). */
  modelCalls: number;
  /** Every input token: uncached, cache writes and cache reads (as gen_ai.usage.input_tokens). */
  inputTokens: number;
  /** Of those, read from the prompt cache (`cache_read_input_tokens`). */
  cachedInputTokens: number;
  outputTokens: number;
  /** Characters of prompt sent over all calls (tools, system and messages as JSON text: `promptText`). */
  promptChars: number;
  /** Of those, the characters each call's prompt shares, from its start, with the previous call's prompt. */
  repeatedChars: number;
  /** By tool name. */
  tools: Record<string, ToolFigures>;
  /** The harness's `ctx.exec` commands (not a grader's), and those that exited non-zero, timed out, were killed or failed to start. */
  execs: number;
  failedExecs: number;
  /** Calls whose stored body was cut at the store's cap: counted as calls, but not read for tokens, tools or prompt. */
  unreadCalls: number;
}

/** An event as the audit reads it: its kind, its name column, its body (an Exchange for `model_call`). */
export interface AuditEvent {
  kind: string;
  name?: string | null;
  body: unknown;
}

/** A module grader's own events are stored named `grader <kind>` (lib/runner/task.ts): not the harness's commands. */
const GRADER_PREFIX = "grader ";

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

export function emptyAudit(): TaskRunAudit {
  return {
    version: AUDIT_VERSION,
    modelCalls: 0,
    inputTokens: 0,
    cachedInputTokens: 0,
    outputTokens: 0,
    promptChars: 0,
    repeatedChars: 0,
    tools: {},
    execs: 0,
    failedExecs: 0,
    unreadCalls: 0,
  };
}

/** The audit of one task run's events, given in trace order. */
export function auditEvents(events: Iterable<AuditEvent>): TaskRunAudit {
  const audit = emptyAudit();
  const toolOf = new Map<string, string>(); // tool_use id → tool name
  const failed = new Set<string>(); // tool_use ids already counted as errored
  let previousPrompt: string | null = null;
  const tool = (name: string) => (audit.tools[name] ??= { offered: 0, called: 0, errored: 0 });
  const errored = (id: unknown) => {
    const key = String(id ?? "");
    if (failed.has(key)) return; // every later request carries the same result again
    failed.add(key);
    tool(toolOf.get(key) ?? "(unknown tool)").errored++;
  };

  for (const event of events) {
    const body = event.body;
    if (event.kind === "model_call") {
      if (!isRecord(body) || (body.operation ?? "messages") !== "messages") continue;
      audit.modelCalls++;
      if (body.truncated === true) {
        audit.unreadCalls++;
        continue;
      }
      const usage = isRecord(body.usage) ? body.usage : {};
      const cacheReads = count(usage.cache_read_input_tokens);
      audit.inputTokens += count(usage.input_tokens) + count(usage.cache_creation_input_tokens) + cacheReads;
      audit.cachedInputTokens += cacheReads;
      audit.outputTokens += count(usage.output_tokens);

      const request = isRecord(body.request) ? body.request.body : undefined;
      for (const offered of isRecord(request) ? list(request.tools) : []) {
        if (isRecord(offered) && typeof offered.name === "string") tool(offered.name).offered++;
      }
      // A history the harness wrote itself can name tool uses no response of this run made.
      for (const message of isRecord(request) ? list(request.messages) : []) {
        for (const block of isRecord(message) ? list(message.content) : []) {
          if (!isRecord(block)) continue;
          if (block.type === "tool_use" && typeof block.name === "string" && !toolOf.has(String(block.id)))
            toolOf.set(String(block.id), block.name);
          if (block.type === "tool_result" && block.is_error === true) errored(block.tool_use_id);
        }
      }
      const response = isRecord(body.response) ? body.response.body : undefined;
      for (const block of isRecord(response) ? list(response.content) : []) {
        if (isRecord(block) && block.type === "tool_use" && typeof block.name === "string") {
          tool(block.name).called++;
          toolOf.set(String(block.id), block.name);
        }
      }

      const prompt = promptText(request);
      audit.promptChars += prompt.length;
      if (previousPrompt !== null) audit.repeatedChars += commonPrefixLength(previousPrompt, prompt);
      previousPrompt = prompt;
    } else if (event.kind === "tool_call") {
      // A proposer's own tool calls (its transcript), recorded as events rather than in responses.
      const name = event.name ?? "(unknown tool)";
      tool(name).called++;
      if (isRecord(body)) toolOf.set(String(body.id), name);
    } else if (event.kind === "tool_result") {
      if (isRecord(body) && body.isError === true) {
        if (event.name && !toolOf.has(String(body.id))) toolOf.set(String(body.id), event.name);
        errored(body.id);
      }
    } else if (event.kind === "exec" && !event.name?.startsWith(GRADER_PREFIX)) {
      audit.execs++;
      if (isRecord(body) && (body.exitCode !== 0 || body.timedOut === true || body.signal || body.error))
        audit.failedExecs++;
    }
  }
  return audit;
}

/**
 * A request's prompt as one text: `{"tools":…,"system":…,"messages":…}` as JSON, in the order the
 * Messages API caches it (tools, then system, then messages), leaving out the model, max_tokens
 * and other settings. A request that was not JSON is its raw text.
 */
export function promptText(request: unknown): string {
  if (typeof request === "string") return request;
  if (!isRecord(request)) return "";
  return JSON.stringify({ tools: request.tools, system: request.system, messages: request.messages });
}

/** How many characters `a` and `b` share from their start. */
export function commonPrefixLength(a: string, b: string): number {
  const end = Math.min(a.length, b.length);
  let index = 0;
  // Prompts run to megabytes: equal chunks are compared natively, only the last one by character.
  while (
    index + PREFIX_CHUNK <= end &&
    a.substring(index, index + PREFIX_CHUNK) === b.substring(index, index + PREFIX_CHUNK)
  )
    index += PREFIX_CHUNK;
  while (index < end && a.charCodeAt(index) === b.charCodeAt(index)) index++;
  return index;
}

const PREFIX_CHUNK = 4096;

/** A stored audit, or null when it is missing or from another version (then it is computed again). */
export function readAudit(value: unknown): TaskRunAudit | null {
  return isRecord(value) && value.version === AUDIT_VERSION ? (value as unknown as TaskRunAudit) : null;
}
