// Which combination of fixes each candidate tries. One change at a time, as a careful person
// tunes a harness, so every gain can be read off and the run climbs in steps: the first
// candidate exploits the fix the most traces call for, alone, as an edit of the best harness.
// The rest explore: each other diagnosed fix alone (does it carry a gain of its own?), the lead
// fix plus one the traces did not ask for but the suite allows, and the lead fix written as a
// fresh harness from a template. Plans are tried in this order until k distinct sources are
// written; the next iteration starts from whichever scored best.
import type { Axis } from "../types.ts";
import { alreadyApplied, FIX_ORDER, type FixId } from "./fixes.ts";
import type { Finding, SuiteFacts } from "./patterns.ts";

export interface Plan {
  fixes: FixId[];
  style: "edit" | "template";
  axis: Axis;
  /** Why this combination, for the rationale. */
  why: string;
}

export interface PlanInput {
  findings: Finding[];
  suite: SuiteFacts;
  baseSource: string;
  /** Shell tasks (commands in the traces) take only the command loop; question tasks take the prompt fixes. */
  shell: boolean;
  answerKind: "label" | "number";
}

export function planCandidates(input: PlanInput): Plan[] {
  // Findings come strongest first (most traces), so the lead fix is the best-supported one.
  const diagnosed = input.findings.map((finding) => finding.fix);
  const speculative = compatibleFixes(input).filter(
    (fix) => !diagnosed.includes(fix) && !alreadyApplied(input.baseSource, fix),
  );
  const plans: Plan[] = [];
  const [lead, ...others] = diagnosed;
  if (lead) {
    const traces = input.findings[0].evidence.filter((item) => item.path.endsWith(".jsonl")).length;
    plans.push({
      fixes: [lead],
      style: "edit",
      axis: "exploit",
      why: `the fix the most traces call for (${traces}), alone, so its effect can be read off${others.length ? `; ${others.join(", ")} wait for their own candidates` : ""}`,
    });
    for (const fix of others)
      plans.push({
        fixes: [fix],
        style: "edit",
        axis: "explore",
        why: `${fix} alone, another fix the traces call for, to see whether it carries a gain of its own`,
      });
    for (const fix of speculative)
      plans.push({
        fixes: [lead, fix],
        style: "edit",
        axis: "explore",
        why: `${lead} plus ${fix}, which no trace asked for but the suite allows`,
      });
    // With the fixes the base already has, so the fresh harness starts where the base stands.
    const kept = FIX_ORDER.filter((fix) => fix !== lead && alreadyApplied(input.baseSource, fix));
    plans.push({
      fixes: [lead, ...kept],
      style: "template",
      axis: "explore",
      why: `${lead}${kept.length ? ` (with the base's own ${kept.join(", ")})` : ""} in a fresh harness written from a template, in case the base's own code is in the way`,
    });
  } else {
    for (const fix of speculative)
      plans.push({
        fixes: [fix],
        style: "edit",
        axis: "explore",
        why: `no failure pattern was recognised; ${fix} is a cheap, general change for this kind of suite, tried as exploration`,
      });
  }
  return plans.map((plan) => ({ ...plan, fixes: FIX_ORDER.filter((fix) => plan.fixes.includes(fix)) }));
}

/** The fixes this suite allows (and any other the base has), and which of them the base already has. */
export function fixesFor(input: PlanInput): { fix: FixId; applied: boolean }[] {
  const compatible = compatibleFixes(input);
  return FIX_ORDER.filter((fix) => compatible.includes(fix) || alreadyApplied(input.baseSource, fix)).map((fix) => ({
    fix,
    applied: alreadyApplied(input.baseSource, fix),
  }));
}

/**
 * The fixes this kind of suite allows without a trace asking for them. The refinements
 * (check-steps, more-tokens, more-turns, listing-first, content-words) are proposed only on
 * evidence: each answers a failure the traces show.
 */
function compatibleFixes(input: PlanInput): FixId[] {
  if (input.shell) return ["shell-loop"];
  const fixes: FixId[] = [];
  if (input.suite.mode === "sequential") fixes.push("learn-examples");
  if (input.answerKind === "number") fixes.push("step-by-step");
  // Under a numeric grader a sentence already passes; a bare number is tried for its shorter answers.
  fixes.push("bare-answer");
  return fixes;
}
