// Seed harness for the terminal chores. Deliberately plain: it asks the model for one command,
// runs it, and returns what it printed. It never shows that output back to the model, so a
// model that looks around before it acts (as a careful one does, and as the offline model's
// Rule 3 does: `ls -la` first) never gets to the command that does the chore.
import type Anthropic from "@anthropic-ai/sdk";

interface TerminalContext {
  model: Anthropic;
  exec(command: string): Promise<{ stdout: string; stderr: string; exitCode: number | null }>;
}

export default {
  async run(task: { input: string }, ctx: TerminalContext) {
    const reply = await ctx.model.messages.create({
      model: "claude-haiku-5-5",
      max_tokens: 200,
      messages: [{ role: "user", content: `Task: ${task.input}\nReply with one shell command and nothing else.` }],
    });
    const command = reply.content
      .map((block) => (block.type === "text" ? block.text : ""))
      .join("")
      .trim();
    const result = await ctx.exec(command);
    return result.stdout.trim();
  },
};
