// What one raw trace file (candidates/<id>/traces/<key>.jsonl) says, in the terms the failure
// patterns need: each model call's prompt and reply, each command run, the output and the grade.
// Read from the events themselves, never from a summary: a line that is not JSON, or an event
// of a kind not listed here, is skipped, so a trace written by a newer studio still reads.

export interface ModelCallFact {
  seq: number;
  /** System prompt and every text block of every message, in order (what RULES.md calls "the prompt"). */
  prompt: string;
  /** The last user message's text. */
  lastUser: string;
  /** The reply's text blocks, joined. */
  reply: string;
  /** Why the reply ended (`end_turn`, `max_tokens`, …), when the response says. */
  stopReason: string | null;
  /** The request's max_tokens, when it set one. */
  maxTokens: number | null;
}

export interface ExecFact {
  seq: number;
  command: string;
  exitCode: number | null;
  output: string;
}

export interface TraceFacts {
  /** Workspace path of the trace file, posix: "candidates/<id>/traces/<key>.jsonl". */
  path: string;
  key: string;
  events: number;
  modelCalls: ModelCallFact[];
  execs: ExecFact[];
  output?: unknown;
  grade?: { score: number | null; explanation: string; expected: unknown; output: unknown; passed: boolean };
  error?: { kind: string; message: string };
}

export function readTraceFacts(path: string, key: string, text: string): TraceFacts {
  const facts: TraceFacts = { path, key, events: 0, modelCalls: [], execs: [] };
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    let event: { kind?: unknown; seq?: unknown; name?: unknown; body?: unknown };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      continue;
    }
    facts.events++;
    // A module grader's own events (its commands, its logs) are named "grader <kind>": they are
    // the grader checking the folder, not the harness at work.
    if (typeof event.name === "string" && event.name.startsWith("grader ")) continue;
    const seq = typeof event.seq === "number" ? event.seq : facts.events - 1;
    const body = (event.body && typeof event.body === "object" ? event.body : {}) as Record<string, unknown>;
    switch (event.kind) {
      case "model_call":
        facts.modelCalls.push(modelCall(seq, body));
        break;
      case "exec":
        facts.execs.push({
          seq,
          command: String(body.command ?? ""),
          exitCode: typeof body.exitCode === "number" ? body.exitCode : null,
          output: `${String(body.stdout ?? "")}${String(body.stderr ?? "")}`,
        });
        break;
      case "output":
        facts.output = body.value;
        break;
      case "grade":
        facts.grade = {
          score: typeof body.score === "number" ? body.score : null,
          explanation: String(body.explanation ?? ""),
          expected: body.expected,
          output: body.output,
          passed: body.passed === true,
        };
        break;
      case "error":
        facts.error = { kind: String(body.kind ?? "error"), message: String(body.message ?? "") };
        break;
    }
  }
  return facts;
}

function modelCall(seq: number, body: Record<string, unknown>): ModelCallFact {
  const request =
    (((body.request as Record<string, unknown> | undefined)?.body ?? {}) as Record<string, unknown>) ?? {};
  const response = ((body.response as Record<string, unknown> | undefined)?.body ?? {}) as Record<string, unknown>;
  const messages = Array.isArray(request.messages) ? (request.messages as { role?: unknown; content?: unknown }[]) : [];
  const parts = [textOf(request.system), ...messages.map((message) => textOf(message.content))].filter(Boolean);
  const lastUser = [...messages].reverse().find((message) => message.role === "user");
  return {
    seq,
    prompt: parts.join("\n"),
    lastUser: lastUser ? textOf(lastUser.content) : "",
    reply: textOf(response.content),
    stopReason: typeof response.stop_reason === "string" ? response.stop_reason : null,
    maxTokens: typeof request.max_tokens === "number" ? request.max_tokens : null,
  };
}

/** The text of a message content or system prompt: a string, or the text blocks of a block list. */
export function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content
    .map((block) =>
      block && typeof block === "object" && (block as { type?: unknown }).type === "text"
        ? String((block as { text?: unknown }).text ?? "")
        : "",
    )
    .filter(Boolean)
    .join("\n");
}

/** A value as a short one-line quote for a rationale. */
export function quote(value: unknown, max = 120): string {
  const text = (typeof value === "string" ? value : (JSON.stringify(value) ?? String(value)))
    .replace(/\s+/g, " ")
    .trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
