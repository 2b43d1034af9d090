// Which combination of fixes each candidate tries. The first candidate exploits: every fix the
// traces call for, as an edit of the best harness. The rest explore: each diagnosed fix alone
// (which of them carries the gain?), the diagnosis plus a fix the traces did not ask for but
// the suite allows, and the same fixes written as a fresh harness from a template. Plans are
// tried in this order until k distinct sources are written.
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
  const diagnosed = input.findings.map((finding) => finding.fix);
  const speculative = compatibleFixes(input).filter(
    (fix) => !diagnosed.includes(fix) && !alreadyApplied(input.baseSource, fix),
  );
  const plans: Plan[] = [];
  if (diagnosed.length > 0) {
    plans.push({
      fixes: diagnosed,
      style: "edit",
      axis: "exploit",
      why: diagnosed.length === 1 ? "the fix the traces call for" : "every fix the traces call for, together",
    });
    if (diagnosed.length > 1) {
      for (const fix of diagnosed)
        plans.push({
          fixes: [fix],
          style: "edit",
          axis: "explore",
          why: `${fix} alone, to see how much of the gain it carries`,
        });
    }
    for (const fix of speculative)
      plans.push({
        fixes: [...diagnosed, fix],
        style: "edit",
        axis: "explore",
        why: `the diagnosed fixes plus ${fix}, which no trace asked for but the suite allows`,
      });
    // With the fixes the base already has, so the fresh harness starts where the base stands.
    const kept = compatibleFixes(input).filter((fix) => alreadyApplied(input.baseSource, fix));
    plans.push({
      fixes: [...diagnosed, ...kept.filter((fix) => !diagnosed.includes(fix))],
      style: "template",
      axis: "explore",
      why: `the same fixes${kept.length ? ` (with the base's own ${kept.join(", ")})` : ""} in a fresh harness written from a template, in case the base's own code is in the way`,
    });
  } else {
    for (const fix of speculative)
      plans.push({
        fixes: [fix],
        style: "edit",
        axis: "explore",
        why: `no failure pattern was recognised; ${fix} is a cheap, general improvement for this kind of suite`,
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

function compatibleFixes(input: PlanInput): FixId[] {
  if (input.shell) return ["shell-loop"];
  const fixes: FixId[] = [];
  if (input.suite.mode === "sequential") fixes.push("learn-examples");
  if (input.answerKind === "number") fixes.push("step-by-step");
  // A numeric grader already reads the number out of a sentence; a bare answer changes nothing there.
  if (input.suite.grader !== "numeric") fixes.push("bare-answer");
  return fixes;
}
