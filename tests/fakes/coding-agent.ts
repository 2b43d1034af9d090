// A scripted model for the real Claude Code client: the fake Anthropic server answers Claude
// Code's agent requests (those that offer its Read tool) with one step of a script per turn, the
// step chosen by how many tool results the conversation already holds. A step sees the session's
// working directory (Claude Code names it in its first message) so it can use absolute paths, as
// Claude Code's file tools require. Any other request (a title, a quota probe) gets a short text.
import type { FakeContentBlock, FakeReply, FakeRequest, Respond } from "./anthropic-server.ts";

export type AgentStep = (cwd: string) => FakeContentBlock[];

export function codingAgent(steps: AgentStep[], finalText = "Done: the candidates are written."): Respond {
  return (request: FakeRequest): FakeReply => {
    const body = request.body ?? {};
    const tools: { name?: string }[] = Array.isArray(body.tools) ? body.tools : [];
    if (!tools.some((tool) => tool.name === "Read")) return { text: "ok" };
    const messages: { content?: unknown }[] = Array.isArray(body.messages) ? body.messages : [];
    const results = messages.flatMap((message) =>
      Array.isArray(message.content) ? message.content.filter((block) => block?.type === "tool_result") : [],
    ).length;
    const cwd = /Primary working directory: ([^\s\\]+)/.exec(JSON.stringify(messages))?.[1] ?? "/";
    const step = steps[results];
    if (!step) return { text: finalText };
    return { content: step(cwd), stopReason: "tool_use" };
  };
}

/** A tool call block (ids are filled in by the fake). */
export const tool = (name: string, input: Record<string, unknown>): FakeContentBlock => ({
  type: "tool_use",
  name,
  input,
});
