// Seed harness for the support-ticket stream: ask the model which label fits the ticket.
// Deliberately plain, a starting point for the proposer: it uses nothing the stream teaches.
import type Anthropic from "@anthropic-ai/sdk";

interface Ticket {
  text: string;
  labels: string[];
}

export default {
  async run(task: { input: Ticket }, ctx: { model: Anthropic }) {
    const prompt = [
      "Classify this customer support ticket into one of the categories below.",
      `Labels: ${task.input.labels.join(", ")}`,
      `Text: ${task.input.text}`,
    ].join("\n");
    const reply = await ctx.model.messages.create({
      model: "claude-haiku-5-5",
      max_tokens: 100,
      messages: [{ role: "user", content: prompt }],
    });
    return reply.content
      .map((block) => (block.type === "text" ? block.text : ""))
      .join("")
      .trim();
  },
};
