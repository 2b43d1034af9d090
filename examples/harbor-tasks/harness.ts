// Seed harness for Harbor tasks: a shell loop. It shows the model the task and every command it
// ran so far with its output, asks for the next command, runs it with ctx.exec (in the task's
// container, working directory /app) and stops when the model says DONE or the turns run out.
// What it returns is not graded: the task's tests check the container afterwards.
import type Anthropic from "@anthropic-ai/sdk";

interface ShellContext {
  model: Anthropic;
  exec(command: string): Promise<{ stdout: string; stderr: string; exitCode: number | null }>;
  log(value: unknown): void;
}

const MAX_TURNS = 8;

export default {
  async run(task: { input: string }, ctx: ShellContext) {
    const history: string[] = [];
    for (let turn = 0; turn < MAX_TURNS; turn++) {
      const reply = await ctx.model.messages.create({
        model: "claude-haiku-5-5",
        max_tokens: 300,
        messages: [
          {
            role: "user",
            content: [
              `Task: ${task.input.trim()}`,
              "Reply with one shell command and nothing else, or DONE when the task is done.",
              "",
              ...history,
            ].join("\n"),
          },
        ],
      });
      const command = reply.content
        .map((block) => (block.type === "text" ? block.text : ""))
        .join("")
        .trim();
      if (!command || command === "DONE") return `done after ${turn} commands`;
      const result = await ctx.exec(command);
      history.push(`$ ${command}`, (result.stdout + result.stderr).trim() || `(exit ${result.exitCode})`, "");
    }
    return `stopped after ${MAX_TURNS} commands`;
  },
};
