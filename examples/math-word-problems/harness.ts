// Seed harness for the math word problems: put the question to the model as it is, with room
// for a short answer (80 tokens). Deliberately plain, a starting point for the proposer.
import type Anthropic from "@anthropic-ai/sdk";

export default {
  async run(task: { input: string }, ctx: { model: Anthropic }) {
    const reply = await ctx.model.messages.create({
      model: "claude-haiku-5-5",
      max_tokens: 80,
      messages: [{ role: "user", content: task.input }],
    });
    return reply.content
      .map((block) => (block.type === "text" ? block.text : ""))
      .join("")
      .trim();
  },
};
