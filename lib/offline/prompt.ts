// What the offline model reads from a Messages API request: "the prompt" (system text plus the
// text of every message, in order), the last user message, and the character counts its token
// usage is computed from. Everything here is pure; RULES.md is the specification.

/** A content block as a harness may send it; only the fields the rules read are typed. */
export interface OfflineBlock {
  type: string;
  text?: string;
  input?: unknown;
  content?: string | OfflineBlock[];
  [field: string]: unknown;
}

export interface OfflineMessage {
  role: "user" | "assistant" | "system";
  content: string | OfflineBlock[];
}

/** The part of a Messages API request the offline model uses (the server validates the rest). */
export interface OfflineRequest {
  model: string;
  max_tokens?: number;
  system?: string | OfflineBlock[];
  messages: OfflineMessage[];
  tools?: unknown[];
  stop_sequences?: string[];
  stream?: boolean;
}

/** The texts of a content value: a string, or its text blocks (tool_result contents included). */
function blockTexts(content: string | OfflineBlock[] | undefined): string[] {
  if (typeof content === "string") return [content];
  if (!Array.isArray(content)) return []; // nested contents (tool results) are not validated: read what is there
  const texts: string[] = [];
  for (const block of content) {
    if (block === null || typeof block !== "object") continue;
    if (block.type === "text" && typeof block.text === "string") texts.push(block.text);
    // A harness that uses tool_result blocks shows command output that way; it is text the model sees.
    else if (block.type === "tool_result") texts.push(...blockTexts(block.content));
  }
  return texts;
}

/** The text of one message: its text blocks joined by line breaks. */
export function messageText(message: OfflineMessage): string {
  return blockTexts(message.content).join("\n");
}

export function systemText(request: Pick<OfflineRequest, "system">): string {
  return blockTexts(request.system).join("\n");
}

/**
 * "The prompt" of RULES.md: the system text, then every message's text, in order, joined by
 * line breaks (so a line never runs from one message into the next).
 */
export function promptText(request: Pick<OfflineRequest, "system" | "messages">): string {
  return [systemText(request), ...request.messages.map(messageText)].filter((text) => text !== "").join("\n");
}

/** The text of the last user message, or "" when there is none. */
export function lastUserText(request: Pick<OfflineRequest, "messages">): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    if (request.messages[i].role === "user") return messageText(request.messages[i]);
  }
  return "";
}

/** Characters as people count them (code points), so an emoji is one character, not two. */
export function characters(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/**
 * The characters input_tokens is computed from: the system text, every message block's text
 * (tool_use blocks by the JSON of their input), and the JSON of the tool definitions. The line
 * breaks promptText joins them with are not the harness's text, so they are not counted.
 */
export function promptCharacters(request: Pick<OfflineRequest, "system" | "messages" | "tools">): number {
  const sum = (texts: string[]) => texts.reduce((total, text) => total + characters(text), 0);
  let count = sum(blockTexts(request.system));
  for (const message of request.messages) {
    count += sum(blockTexts(message.content));
    if (Array.isArray(message.content)) {
      for (const block of message.content) {
        if (block?.type === "tool_use") count += characters(JSON.stringify(block.input ?? {}));
      }
    }
  }
  if (request.tools && request.tools.length > 0) count += characters(JSON.stringify(request.tools));
  return count;
}

/** About four characters per token, never zero: the figure RULES.md promises. */
export function tokensFor(characterCount: number): number {
  return Math.max(1, Math.ceil(characterCount / 4));
}

/**
 * The words the classification rule compares: lowercased runs of letters and digits, at least
 * three long (so "a", "my", "is" never make two texts look alike).
 */
export function words(text: string): Set<string> {
  const found = new Set<string>();
  for (const match of text.toLowerCase().matchAll(/[\p{L}\p{N}]+/gu)) {
    if (characters(match[0]) >= 3) found.add(match[0]);
  }
  return found;
}

/** How many distinct words two word sets share. */
export function overlap(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const word of a) if (b.has(word)) shared++;
  return shared;
}

/** True when `text` contains any of the phrases (case-insensitive). */
export function mentions(text: string, phrases: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return phrases.some((phrase) => lower.includes(phrase));
}
