// Rule 4 of RULES.md: the offline model's summary of a task run's trace, for a `summary`-mode
// workspace of the feedback ablation. Deterministic, from the trace lines in the request: counts of
// events by kind, why each model call stopped, the output and the grade. Like a real summary it
// drops the prompts and replies themselves.

/** In the system prompt, this phrase asks for a trace summary (lib/iterations/summaries.ts sends it). */
export const SUMMARY_TRIGGER = "summarize the raw trace of one task run";

interface TraceLine {
  kind?: string;
  body?: Record<string, unknown> | null;
  "gen_ai.response.finish_reasons"?: string[];
}

export function summaryReply(question: string): string {
  const events: TraceLine[] = [];
  for (const line of question.split(/\r?\n/)) {
    if (!line.startsWith("{")) continue;
    try {
      events.push(JSON.parse(line) as TraceLine);
    } catch {
      // a line cut by the request's size cap: skipped
    }
  }
  const kinds = new Map<string, number>();
  for (const event of events) kinds.set(String(event.kind), (kinds.get(String(event.kind)) ?? 0) + 1);
  const stops = events
    .filter((event) => event.kind === "model_call")
    .map((event) => event["gen_ai.response.finish_reasons"]?.[0] ?? "unknown");
  const output = events.find((event) => event.kind === "output")?.body?.value;
  const grade = events.find((event) => event.kind === "grade")?.body;
  const error = events.find((event) => event.kind === "error")?.body;
  const lines = [
    `${events.length} event${events.length === 1 ? "" : "s"}: ${
      [...kinds].map(([kind, count]) => `${kind} ×${count}`).join(", ") || "none"
    }.`,
  ];
  if (stops.length) lines.push(`Model calls stopped by: ${stops.join(", ")}.`);
  if (output !== undefined) lines.push(`Output: ${clip(JSON.stringify(output))}.`);
  if (grade)
    lines.push(
      `Grade: score ${String(grade.score)}, ${grade.passed ? "passed" : "not passed"}; expected ${clip(JSON.stringify(grade.expected))}.`,
    );
  if (error) lines.push(`Error (${String(error.kind)}): ${clip(String(error.message))}.`);
  return lines.join("\n");
}

function clip(text: string, max = 120): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
