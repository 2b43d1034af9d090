// Span attributes for each kind of span, in both vocabularies: the OpenTelemetry GenAI
// semantic conventions (`gen_ai.*`, read by Langfuse and most backends; message content as the
// conventions' opt-in attributes) and OpenInference (`openinference.span.kind`, `llm.*`,
// `input.value`/`output.value`, read by Phoenix). The studio's own ids go under `studio.*`.
import type { Attributes } from "@opentelemetry/api";
import type { CutBody, ExecBody, ModelCallBody } from "../traces/events.ts";
import { genAiInputMessages, openInferenceMessages, parts, systemText, type ApiMessage } from "./messages.ts";

/** The stored columns of a model call (TraceEvent's gen_ai_* columns). */
export interface ModelCallColumns {
  genAiSystem: string | null;
  genAiOperationName: string | null;
  genAiRequestModel: string | null;
  genAiResponseModel: string | null;
  genAiResponseId: string | null;
  genAiResponseFinishReasons: string[];
  genAiUsageInputTokens: number | null;
  genAiUsageOutputTokens: number | null;
  costUsd: number | null;
}

interface RequestBody {
  model?: string;
  system?: unknown;
  messages?: ApiMessage[];
  tools?: unknown[];
  max_tokens?: number;
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
}
interface ResponseBody {
  role?: string;
  content?: ApiMessage["content"];
  stop_reason?: string;
}

export function isCut(body: unknown): body is CutBody {
  return Boolean(body && typeof body === "object" && (body as CutBody).truncated === true);
}

/** Drops unset values: an attribute is never null. */
function defined(attributes: Record<string, Attributes[string] | null | undefined>): Attributes {
  return Object.fromEntries(
    Object.entries(attributes).filter(([, value]) => value !== null && value !== undefined),
  ) as Attributes;
}

/** The span name the GenAI conventions ask for: `{operation} {model}`. */
export function modelCallName(columns: ModelCallColumns): string {
  return [columns.genAiOperationName ?? "chat", columns.genAiRequestModel].filter(Boolean).join(" ");
}

/** A model call: usage and models from the stored columns, messages from the body (when it was not cut). */
export function modelCallAttributes(columns: ModelCallColumns, body: ModelCallBody | CutBody | null): Attributes {
  const provider = columns.genAiSystem ?? "anthropic";
  const input = columns.genAiUsageInputTokens;
  const output = columns.genAiUsageOutputTokens;
  const base = defined({
    "gen_ai.operation.name": columns.genAiOperationName ?? "chat",
    "gen_ai.provider.name": provider,
    "gen_ai.system": provider,
    "gen_ai.request.model": columns.genAiRequestModel,
    "gen_ai.response.model": columns.genAiResponseModel,
    "gen_ai.response.id": columns.genAiResponseId,
    "gen_ai.response.finish_reasons": columns.genAiResponseFinishReasons.length
      ? columns.genAiResponseFinishReasons
      : null,
    "gen_ai.usage.input_tokens": input,
    "gen_ai.usage.output_tokens": output,
    "openinference.span.kind": "LLM",
    "llm.system": provider,
    "llm.provider": provider,
    "llm.model_name": columns.genAiResponseModel ?? columns.genAiRequestModel,
    "llm.token_count.prompt": input,
    "llm.token_count.completion": output,
    "llm.token_count.total": input !== null || output !== null ? (input ?? 0) + (output ?? 0) : null,
    "studio.cost_usd": columns.costUsd,
  });
  if (!body || isCut(body)) return { ...base, "studio.body_cut": Boolean(body) };
  const request = (body.request.body ?? {}) as RequestBody;
  const response = (body.response.body ?? {}) as ResponseBody;
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const system = systemText(request.system);
  const { messages: _messages, system: _system, tools, ...parameters } = request;
  const answer: ApiMessage = { role: response.role ?? "assistant", content: response.content };
  const answered = Array.isArray(response.content) || typeof response.content === "string";
  return {
    ...base,
    ...defined({
      "gen_ai.request.max_tokens": request.max_tokens,
      "gen_ai.request.temperature": request.temperature,
      "gen_ai.request.top_p": request.top_p,
      "gen_ai.request.top_k": request.top_k,
      "gen_ai.request.stop_sequences": request.stop_sequences,
      "gen_ai.system_instructions": system ? JSON.stringify([{ type: "text", content: system }]) : null,
      "gen_ai.input.messages": JSON.stringify(genAiInputMessages(messages)),
      "gen_ai.output.messages": answered
        ? JSON.stringify([
            { role: answer.role, parts: parts(answer.content), finish_reason: response.stop_reason ?? null },
          ])
        : null,
      "studio.error": body.error,
      "http.response.status_code": body.response.status,
      "input.value": JSON.stringify(request),
      "input.mime_type": "application/json",
      "output.value": JSON.stringify(body.response.body ?? null),
      "output.mime_type": "application/json",
      "llm.invocation_parameters": JSON.stringify(parameters),
    }),
    ...openInferenceMessages("llm.input_messages", [
      ...(system ? [{ role: "system", content: system }] : []),
      ...messages,
    ]),
    ...(answered ? openInferenceMessages("llm.output_messages", [answer]) : {}),
    ...toolSchemas(tools),
  };
}

function toolSchemas(tools: unknown[] | undefined): Attributes {
  const attributes: Attributes = {};
  (Array.isArray(tools) ? tools : []).forEach((tool, i) => {
    attributes[`llm.tools.${i}.tool.json_schema`] = JSON.stringify(tool);
  });
  return attributes;
}

/** A `ctx.exec` command, as a tool the harness called. */
export function execAttributes(body: ExecBody | CutBody | null, command: string): Attributes {
  const exec = body && !isCut(body) ? body : null;
  return defined({
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": "exec",
    "gen_ai.tool.type": "function",
    "openinference.span.kind": "TOOL",
    "tool.name": "exec",
    "process.command_line": exec?.command ?? command,
    "process.exit.code": exec?.exitCode,
    "studio.exec.signal": exec?.signal,
    "studio.exec.timed_out": exec?.timedOut,
    "studio.exec.cwd": exec?.cwd,
    "input.value": exec?.command ?? command,
    "input.mime_type": "text/plain",
    "output.value": exec ? JSON.stringify({ exitCode: exec.exitCode, stdout: exec.stdout, stderr: exec.stderr }) : null,
    "output.mime_type": exec ? "application/json" : null,
  });
}

/** A proposer's tool call, with what the tool answered. */
export function toolCallAttributes(
  name: string,
  call: { id?: string; input?: unknown } | null,
  result: { isError?: boolean; text?: string } | null,
): Attributes {
  return defined({
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": name,
    "gen_ai.tool.call.id": call?.id,
    "gen_ai.tool.type": "function",
    "openinference.span.kind": "TOOL",
    "tool.name": name,
    "input.value": call ? JSON.stringify(call.input ?? null) : null,
    "input.mime_type": call ? "application/json" : null,
    "output.value": result?.text,
    "output.mime_type": result ? "text/plain" : null,
    "studio.tool.is_error": result?.isError,
  });
}

/** A task run's root span: the agent invocation, with the task's input and the run's output and grade. */
export function taskRunAttributes(run: {
  id: string;
  taskKey: string;
  /** Which of its evaluation's trials of the task: 1, 2, … */
  trial: number;
  status: string;
  input: unknown;
  output: unknown;
  score: number | null;
  errorKind: string | null;
  errorMessage: string | null;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
  evaluationId: string;
  candidateId: string;
  candidateName: string;
  projectId: string;
  split: string;
}): Attributes {
  return defined({
    "gen_ai.operation.name": "invoke_agent",
    "gen_ai.agent.name": run.candidateName,
    "gen_ai.agent.id": run.candidateId,
    "gen_ai.conversation.id": run.id,
    "gen_ai.usage.input_tokens": run.inputTokens,
    "gen_ai.usage.output_tokens": run.outputTokens,
    "openinference.span.kind": "AGENT",
    "session.id": run.evaluationId,
    "input.value": JSON.stringify(run.input ?? null),
    "input.mime_type": "application/json",
    "output.value": run.output === undefined ? null : JSON.stringify(run.output),
    "output.mime_type": "application/json",
    "llm.token_count.prompt": run.inputTokens,
    "llm.token_count.completion": run.outputTokens,
    "llm.token_count.total": run.inputTokens + run.outputTokens,
    "studio.project.id": run.projectId,
    "studio.evaluation.id": run.evaluationId,
    "studio.candidate.id": run.candidateId,
    "studio.split": run.split,
    "studio.task.key": run.taskKey,
    "studio.task_run.trial": run.trial,
    "studio.task_run.id": run.id,
    "studio.task_run.status": run.status,
    "studio.task_run.score": run.score,
    "studio.task_run.error_kind": run.errorKind,
    "studio.task_run.error_message": run.errorMessage,
    "studio.cost_usd": run.costUsd,
  });
}
