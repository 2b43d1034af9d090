// Anthropic Messages API content in the two shapes trace backends read: the OpenTelemetry
// GenAI semantic conventions' messages (`gen_ai.input.messages`, role and typed parts) and
// OpenInference's flattened `llm.input_messages.<i>.message.*` keys (what Phoenix shows).
import type { Attributes } from "@opentelemetry/api";

type Block = { type?: string; [key: string]: unknown };
export interface ApiMessage {
  role?: string;
  content?: string | Block[];
}

/** A GenAI-convention message part. */
type Part = Record<string, unknown>;

/** One content block as a GenAI part: text, tool_call, tool_call_response, or the block's own type. */
function part(block: Block): Part {
  switch (block.type) {
    case "text":
      return { type: "text", content: block.text };
    case "thinking":
      return { type: "reasoning", content: block.thinking };
    case "tool_use":
    case "server_tool_use":
      return { type: "tool_call", id: block.id, name: block.name, arguments: block.input };
    case "tool_result":
      return { type: "tool_call_response", id: block.tool_use_id, response: block.content };
    default:
      return { ...block, type: block.type ?? "unknown" };
  }
}

export function parts(content: ApiMessage["content"]): Part[] {
  if (typeof content === "string") return [{ type: "text", content }];
  return Array.isArray(content) ? content.map(part) : [];
}

/** The request's messages as `gen_ai.input.messages`. */
export function genAiInputMessages(messages: ApiMessage[]): { role: string; parts: Part[] }[] {
  return messages.map((message) => ({ role: message.role ?? "user", parts: parts(message.content) }));
}

/** The `system` field (text, or text blocks) as plain text; empty when absent. */
export function systemText(system: unknown): string {
  if (typeof system === "string") return system;
  if (Array.isArray(system))
    return system.map((block: Block) => (typeof block.text === "string" ? block.text : "")).join("\n");
  return "";
}

/** The text of a message's content, for OpenInference's `message.content`. */
export function contentText(content: ApiMessage["content"]): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block) =>
      block.type === "text" && typeof block.text === "string"
        ? block.text
        : block.type === "tool_result"
          ? typeof block.content === "string"
            ? block.content
            : JSON.stringify(block.content ?? "")
          : "",
    )
    .filter(Boolean)
    .join("\n");
}

/**
 * OpenInference's flattened messages under `prefix` (`llm.input_messages` or
 * `llm.output_messages`): role, content text, and each tool call's name and arguments.
 */
export function openInferenceMessages(prefix: string, messages: ApiMessage[]): Attributes {
  const attributes: Attributes = {};
  messages.forEach((message, i) => {
    const at = `${prefix}.${i}.message`;
    attributes[`${at}.role`] = message.role ?? "user";
    const text = contentText(message.content);
    if (text) attributes[`${at}.content`] = text;
    const calls = Array.isArray(message.content)
      ? message.content.filter((block) => block.type === "tool_use" || block.type === "server_tool_use")
      : [];
    calls.forEach((call, j) => {
      const tool = `${at}.tool_calls.${j}.tool_call`;
      if (typeof call.id === "string") attributes[`${tool}.id`] = call.id;
      attributes[`${tool}.function.name`] = String(call.name ?? "");
      attributes[`${tool}.function.arguments`] = JSON.stringify(call.input ?? {});
    });
    const result = Array.isArray(message.content)
      ? message.content.find((block) => block.type === "tool_result")
      : null;
    if (result && typeof result.tool_use_id === "string") attributes[`${at}.tool_call_id`] = result.tool_use_id;
  });
  return attributes;
}
