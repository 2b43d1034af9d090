// Claude Code's `--output-format stream-json` (and any command that prints the same) turned into
// the transcript the built-in proposer has: tool calls with their inputs, tool results with errors
// marked, file reads, and notes for the session's start and end. The assistant's text and thinking
// are not copied from here: every model call went through the recording proxy, whose record (the
// request and the whole response) is already the transcript's model_call event.
//
// Also kept: the files the session read (Read calls, Grep and Glob results, workspace files a Bash
// command names) and its token usage, deduplicated by message id, since Claude Code repeats one API
// message's usage on every `assistant` event of that message. The proxy's count is the record; this
// one stands only for a command whose calls the proxy did not see.
import fs from "node:fs";
import path from "node:path";
import { errorEvent, fileReadEvent, noteEvent, toolCallEvent, toolResultEvent } from "../traces/build.ts";
import type { TraceEventRow } from "../traces/events.ts";
import { isInside, toPosix } from "./workspace-files.ts";

type JsonObject = Record<string, unknown>;

interface MessageUsage {
  input: number;
  output: number;
}

export class StreamJsonSession {
  private readonly reads = new Set<string>();
  private readonly usageById = new Map<string, MessageUsage>();
  /** `result` lines: the usage and cost the client reported for each session it ran. */
  private readonly reported = { input: 0, output: 0, costUsd: 0, sessions: 0 };
  /** Tool calls awaiting their result: name and when the call was seen. */
  private readonly pending = new Map<string, { name: string; input: JsonObject; at: number }>();

  /** `root`: the workspace (the command's cwd), to which paths are made relative; null before there is one. */
  constructor(private readonly root: string | null) {}

  /**
   * One line of output: the events to record in its place when it is stream-json (possibly none,
   * for progress lines such as `thinking_tokens`), or null when it is plain output.
   */
  read(line: string): TraceEventRow[] | null {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) return null;
    let event: JsonObject;
    try {
      event = asObject(JSON.parse(trimmed));
    } catch {
      return null;
    }
    switch (event.type) {
      case "system":
        return event.subtype === "init" ? [this.started(event)] : [];
      case "assistant":
        return this.assistant(asObject(event.message));
      case "user":
        return this.toolResults(asObject(event.message), event.tool_use_result);
      case "result":
        return [this.finished(event)];
      case "stream_event":
      case "rate_limit_event":
        return [];
      default:
        return null; // not Claude Code's: kept as the line it is
    }
  }

  filesRead(): string[] {
    return [...this.reads];
  }

  /** Tokens and cost as the client saw them: per message once; the `result` lines' where no message carried usage. */
  usage(): { inputTokens: number; outputTokens: number; costUsd: number } {
    let input = 0;
    let output = 0;
    for (const usage of this.usageById.values()) {
      input += usage.input;
      output += usage.output;
    }
    if (this.usageById.size === 0) {
      input = this.reported.input;
      output = this.reported.output;
    }
    return { inputTokens: input, outputTokens: output, costUsd: this.reported.costUsd };
  }

  private started(event: JsonObject): TraceEventRow {
    const tools = Array.isArray(event.tools) ? event.tools.filter((tool) => typeof tool === "string") : [];
    const version =
      typeof event.claude_code_version === "string" ? `Claude Code ${event.claude_code_version}` : "the session";
    return noteEvent(
      `${version} started: model ${str(event.model) ?? "unknown"}, tools ${tools.join(", ") || "none"}`,
      new Date(),
      {
        model: event.model,
        tools,
        permissionMode: event.permissionMode,
        cwd: event.cwd,
        sessionId: event.session_id,
      },
    );
  }

  private assistant(message: JsonObject): TraceEventRow[] {
    const id = str(message.id);
    const usage = asObject(message.usage);
    if (id && Object.keys(usage).length > 0) {
      const seen = this.usageById.get(id);
      const input =
        num(usage.input_tokens) + num(usage.cache_creation_input_tokens) + num(usage.cache_read_input_tokens);
      // Repeats of one message carry the same usage; a later one may have counted more output.
      this.usageById.set(id, {
        input: Math.max(input, seen?.input ?? 0),
        output: Math.max(num(usage.output_tokens), seen?.output ?? 0),
      });
    }
    const rows: TraceEventRow[] = [];
    for (const block of blocks(message.content)) {
      if (block.type !== "tool_use") continue;
      const toolId = str(block.id) ?? "";
      const name = str(block.name) ?? "unknown";
      const input = asObject(block.input);
      this.pending.set(toolId, { name, input, at: performance.now() });
      if (name === "Bash" && typeof input.command === "string") this.addNamedFiles(input.command);
      // Counted when asked for (a command may print no results), if there is such a file to read.
      if (name === "Read" && typeof input.file_path === "string") this.addExistingFile(input.file_path);
      rows.push(toolCallEvent(name, toolId, block.input));
    }
    return rows;
  }

  private toolResults(message: JsonObject, detail: unknown): TraceEventRow[] {
    const rows: TraceEventRow[] = [];
    for (const block of blocks(message.content)) {
      if (block.type !== "tool_result") continue;
      const toolId = str(block.tool_use_id) ?? "";
      const call = this.pending.get(toolId);
      this.pending.delete(toolId);
      const name = call?.name ?? "unknown";
      const isError = block.is_error === true;
      rows.push(
        toolResultEvent(name, toolId, resultText(block.content), isError, call ? performance.now() - call.at : 0),
      );
      if (!isError) rows.push(...this.readsOf(name, asObject(detail)));
    }
    return rows;
  }

  /** What a successful tool result says was read: a Read's lines, Grep's and Glob's files. */
  private readsOf(tool: string, detail: JsonObject): TraceEventRow[] {
    if (tool === "Read") {
      const file = asObject(detail.file);
      const relative = this.relative(str(file.filePath));
      if (!relative) return [];
      this.reads.add(relative);
      const startLine = num(file.startLine) || 1;
      const totalLines = num(file.totalLines);
      return [
        fileReadEvent(relative, { startLine, endLine: startLine + Math.max(num(file.numLines), 1) - 1, totalLines }),
      ];
    }
    if (tool === "Grep" || tool === "Glob") {
      const names = Array.isArray(detail.filenames) ? detail.filenames : [];
      for (const name of names) this.addRead(str(name));
      // Grep's content mode lists "path:line:text" lines instead of file names.
      if (typeof detail.content === "string")
        for (const line of detail.content.split("\n")) this.addRead(/^([^:\n]+):\d+[:-]/.exec(line)?.[1]);
    }
    return [];
  }

  private finished(event: JsonObject): TraceEventRow {
    const usage = asObject(event.usage);
    this.reported.input +=
      num(usage.input_tokens) + num(usage.cache_creation_input_tokens) + num(usage.cache_read_input_tokens);
    this.reported.output += num(usage.output_tokens);
    this.reported.costUsd += num(event.total_cost_usd);
    this.reported.sessions++;
    const turns = typeof event.num_turns === "number" ? `${event.num_turns} turns` : "turns unknown";
    const detail = {
      subtype: event.subtype,
      stopReason: event.stop_reason,
      numTurns: event.num_turns,
      durationMs: event.duration_ms,
      reportedCostUsd: event.total_cost_usd,
    };
    if (event.is_error === true)
      return errorEvent({
        kind: "command",
        message: `the session ended with an error (${str(event.subtype) ?? "unknown"}): ${resultText(event.result) || "no detail"}`,
      });
    return noteEvent(
      `the session finished (${str(event.subtype) ?? "done"}, ${turns}); the client estimated $${num(event.total_cost_usd).toFixed(4)}, the studio counts the proxy's exact cost`,
      new Date(),
      detail,
    );
  }

  /** Workspace files a shell command names (cat, head, grep, diff, node …): the reads that can be seen. */
  private addNamedFiles(command: string): void {
    for (const word of command.split(/[\s|;&<>()]+/)) {
      const token = word.replace(/^['"]|['"]$/g, "");
      if (token && !token.startsWith("-")) this.addExistingFile(token);
    }
  }

  private addExistingFile(name: string): void {
    const relative = this.relative(name);
    if (!relative) return;
    try {
      if (fs.statSync(path.resolve(this.root!, relative)).isFile()) this.reads.add(relative);
    } catch {
      // not a file: an argument, a pattern, a file the command will write
    }
  }

  private addRead(name: string | undefined): void {
    const relative = this.relative(name);
    if (relative) this.reads.add(relative);
  }

  /** A path as the workspace-relative posix path it names; undefined outside the workspace. */
  private relative(name: string | undefined): string | undefined {
    if (!this.root || !name) return undefined;
    const absolute = path.resolve(this.root, name);
    return isInside(this.root, absolute) && absolute !== this.root
      ? toPosix(path.relative(this.root, absolute))
      : undefined;
  }
}

/** A tool result's content as text: a string, or its text blocks joined. */
function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  return blocks(content)
    .map((block) => (typeof block.text === "string" ? block.text : block.type === "image" ? "[image]" : ""))
    .filter(Boolean)
    .join("\n");
}

function blocks(content: unknown): JsonObject[] {
  return Array.isArray(content) ? content.map(asObject) : [];
}

/** A parsed JSON value as an object to read fields from; anything else reads as empty. */
function asObject(value: unknown): JsonObject {
  return typeof value === "object" && value !== null ? (value as JsonObject) : {};
}

function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function num(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}
