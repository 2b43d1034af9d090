// Failure patterns about limits, read from raw traces: a reply cut off at max_tokens, and a
// command loop that stopped the model while it was still at work (and had spent its first
// command on a listing). Each evidence line quotes the events it rests on.
import { maxTurnsOf } from "./budget-fixes.ts";
import { quote, type TraceFacts } from "./trace-facts.ts";

export interface LimitEvidence {
  path: string;
  text: string;
}

/** A failed task whose last model reply stopped at max_tokens. */
export function cutOff(trace: TraceFacts): LimitEvidence[] {
  const call = trace.modelCalls.at(-1);
  if (trace.grade?.passed || !call || call.stopReason !== "max_tokens") return [];
  const tail = call.reply.trimEnd().slice(-60);
  return [
    {
      path: trace.path,
      text: `the reply stopped at max_tokens (${call.maxTokens ?? "?"}) before it was done: it ends \`…${quote(tail, 60)}\`${trace.grade ? `; the grader wanted \`${quote(trace.grade.expected, 40)}\`` : ""}`,
    },
  ];
}

/**
 * A failed task where the command loop used every command it allows and the model's last reply
 * was a command, not DONE: the loop, not the model, ended the task.
 */
export function loopCutShort(trace: TraceFacts, baseSource: string): LimitEvidence[] {
  const limit = maxTurnsOf(baseSource);
  if (limit === null || trace.grade?.passed || trace.execs.length === 0) return [];
  const replies = trace.modelCalls.map((call) => call.reply.trim());
  if (replies.length < limit || /^DONE\b/i.test(replies.at(-1) ?? "")) return [];
  const commands = trace.execs.map((exec) => `\`${quote(exec.command, 50)}\``).join(", ");
  return [
    {
      path: trace.path,
      text: `the loop stopped after ${replies.length} model call${replies.length === 1 ? "" : "s"} (its limit is ${limit}) while the model was still at work: it ran ${commands}${trace.grade ? `; the grader said \`${quote(trace.grade.explanation, 90)}\`` : ""}`,
    },
  ];
}

/** A loop cut short whose first command was a listing: a command spent on looking at the folder. */
export function listingSpent(trace: TraceFacts, baseSource: string): LimitEvidence[] {
  if (loopCutShort(trace, baseSource).length === 0) return [];
  const first = trace.execs[0];
  if (!first || !/^ls(\s|$)/.test(first.command.trim())) return [];
  return [
    {
      path: trace.path,
      text: `the first of its commands was \`${quote(first.command, 40)}\`, spent on seeing which files the folder holds`,
    },
  ];
}
