// The offline proposer's edits of a harness's limits and of the command loop it wrote: more room
// for an answer (more-tokens), one more command per task (more-turns), and the folder's listing
// shown up front (listing-first). Each is a small step, taken only when the traces show the
// limit was hit, so a run climbs the way a careful person tunes a harness: one change at a time.
import { applyEdits, findModelCalls, findProperty, findRun, maskSource } from "./source.ts";

export type BudgetEdit = { source: string; change: string } | { missing: string };

/** `maxTurns: N` in the command loop's helpers (shell-loop writes it), or null. */
const MAX_TURNS = /\bmaxTurns:\s*(\d+)/;

/** The loop's first message, as shell-loop writes it: `<helpers>.firstMessage(task.input)`. */
const FIRST_MESSAGE = /\b([A-Za-z_$][\w$]*)\.firstMessage\(task\.input\)/;

/** The marker listing-first leaves, so it is not proposed twice. */
const LISTING_MARKER = "offline proposer: listing-first";

/** The command loop's turn limit, when the harness has the loop shell-loop writes. */
export function maxTurnsOf(source: string): number | null {
  const match = MAX_TURNS.exec(source);
  return match ? Number(match[1]) : null;
}

/** The max_tokens of the first model call in run() that sets it as a number, or null. */
export function maxTokensOf(source: string): number | null {
  const located = maxTokensLiteral(source);
  return located ? located.value : null;
}

export function hasListingFirst(source: string): boolean {
  return source.includes(LISTING_MARKER);
}

function maxTokensLiteral(source: string): { from: number; to: number; value: number } | null {
  const masked = maskSource(source);
  const run = findRun(masked);
  const calls = findModelCalls(masked, run ? { from: run.bodyOpen, to: run.bodyClose } : undefined);
  for (const call of calls) {
    const property = findProperty(masked, call.objectOpen, call.objectClose, "max_tokens");
    if (!property) continue;
    const text = source.slice(property.valueFrom, property.valueTo).replace(/_/g, "");
    if (/^\d+$/.test(text)) return { from: property.valueFrom, to: property.valueTo, value: Number(text) };
  }
  return null;
}

/** What more-tokens raises a limit to: twice the room the answers ran out of. */
export function moreTokens(current: number): number {
  return current * 2;
}

/** more-tokens: the model call's max_tokens doubled. */
export function raiseMaxTokens(source: string): BudgetEdit {
  const located = maxTokensLiteral(source);
  if (!located) return { missing: "found no max_tokens written as a number in run()'s model call to raise" };
  const raised = moreTokens(located.value);
  return {
    source: applyEdits(source, [{ from: located.from, to: located.to, text: String(raised) }]),
    change: `max_tokens is now ${raised} (was ${located.value}): the answers the traces show cut off at the limit get twice the room`,
  };
}

/** more-turns: the command loop allows one command more. */
export function raiseMaxTurns(source: string): BudgetEdit {
  const match = MAX_TURNS.exec(source);
  if (!match || [...source.matchAll(new RegExp(MAX_TURNS.source, "g"))].length !== 1)
    return { missing: "found no single `maxTurns: N` of a command loop written by shell-loop to raise" };
  const turns = Number(match[1]);
  const from = match.index + match[0].length - match[1].length;
  return {
    source: applyEdits(source, [{ from, to: from + match[1].length, text: String(turns + 1) }]),
    change: `the command loop allows ${turns + 1} commands per task (was ${turns}): the traces show the model cut off after ${turns} while it was still at work`,
  };
}

/**
 * listing-first: the loop runs `ls -la` itself before the first model call and shows it as a
 * `$ ls -la` block in the first message, so the model's first command can act rather than look.
 */
export function listFirst(source: string): BudgetEdit {
  const first = FIRST_MESSAGE.exec(source);
  const anchor = "const transcript: string[] = [];";
  if (!first || source.split(anchor).length !== 2)
    return {
      missing: "found no command loop written by shell-loop (its firstMessage and transcript) to show the folder in",
    };
  const shell = first[1];
  const at = source.indexOf(anchor);
  const indent = /[ \t]*$/.exec(source.slice(0, at))![0];
  const lines = [
    `// Show the folder up front (${LISTING_MARKER}), so the model's first command can act instead of look.`,
    `const listing = await ctx.exec("ls -la", { timeoutMs: ${shell}.commandTimeoutMs });`,
    `messages[0].content += \`\\n\\n$ ls -la\\n\${${shell}.shown(listing)}\\n\`;`,
    `transcript.push("$ ls -la", ${shell}.shown(listing));`,
  ];
  const text = `${anchor}\n${lines.map((line) => indent + line).join("\n")}`;
  return {
    source: applyEdits(source, [{ from: at, to: at + anchor.length, text }]),
    change:
      "the loop runs `ls -la` before the first model call and shows its output in the first message, so the model's first command acts on files it has seen",
  };
}
