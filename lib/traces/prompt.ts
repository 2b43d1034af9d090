// What the model saw: a task run's first model request (system and messages), rendered as plain
// text so two harnesses' prompts can be diffed line by line on the side-by-side page.
import { db } from "../db/client.ts";

export interface FirstRequest {
  /** The model_call event's seq, to link to it in the trace. */
  seq: number;
  /** The request rendered as text (renderPrompt). */
  text: string;
  /** The event's body was cut at the store's cap: the text shows what is left. */
  truncated: boolean;
}

/** The first `messages` request of a task run (count_tokens calls are not what the model sees), or null. */
export async function firstModelRequest(taskRunId: string): Promise<FirstRequest | null> {
  const rows = await db.$queryRaw<{ seq: number; request: unknown; truncated: boolean }[]>`
    select seq, body->'request'->'body' as request, truncated
    from "TraceEvent"
    where "taskRunId" = ${taskRunId} and kind = 'model_call' and coalesce(body->>'operation', 'messages') = 'messages'
    order by seq limit 1`;
  const row = rows[0];
  if (!row) return null;
  return { seq: row.seq, text: renderPrompt(row.request), truncated: row.truncated };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * A Messages API request as a person reads it: `## system`, then `## <role>` per message, text
 * blocks as text, tool calls and results with their name and content, images as a placeholder.
 * One line per line of the prompt, so a line diff shows what changed.
 */
export function renderPrompt(request: unknown): string {
  if (typeof request === "string") return request; // a body that was not JSON: recorded as text
  if (!isRecord(request)) return JSON.stringify(request ?? null, null, 2);
  const parts: string[] = [];
  if (request.system != null) parts.push(`## system\n${renderContent(request.system)}`);
  if (Array.isArray(request.tools) && request.tools.length > 0) {
    const names = request.tools.map((tool) => (isRecord(tool) ? String(tool.name ?? "?") : "?"));
    parts.push(`## tools\n${names.join(", ")}`);
  }
  const messages = Array.isArray(request.messages) ? request.messages : [];
  for (const message of messages) {
    const role = isRecord(message) ? String(message.role ?? "?") : "?";
    parts.push(`## ${role}\n${renderContent(isRecord(message) ? message.content : message)}`);
  }
  return parts.join("\n\n") + "\n";
}

function renderContent(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return JSON.stringify(content, null, 2);
  return content.map(renderBlock).join("\n");
}

function renderBlock(block: unknown): string {
  if (!isRecord(block)) return JSON.stringify(block, null, 2);
  switch (block.type) {
    case "text":
      return String(block.text ?? "");
    case "image":
    case "document":
      return `[${block.type}]`;
    case "tool_use":
      return `[tool_use ${String(block.name ?? "?")}]\n${JSON.stringify(block.input ?? {}, null, 2)}`;
    case "tool_result":
      return `[tool_result${block.is_error ? " error" : ""}]\n${renderContent(block.content ?? "")}`;
    case "thinking":
      return `[thinking]\n${String(block.thinking ?? "")}`;
    default:
      return JSON.stringify(block, null, 2);
  }
}
