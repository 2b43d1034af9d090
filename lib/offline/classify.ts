// Rule 1 of RULES.md: classification by the nearest labelled example the harness shows, else by
// label names. This is the rule that makes memory pay: a harness that keeps the labels it was
// told (learn()) and shows the closest ones gets the right label; one that shows nothing can
// only match words of label names.
import { overlap, words } from "./prompt.ts";

export interface LabelledExample {
  text: string;
  label: string;
}

export interface Classification {
  label: string;
  /** Which bullet of Rule 1 decided, for tests and for people reading the code. */
  by: "example" | "label-name" | "first-label" | "none";
}

const TEXT_LINE = /^\s*text:\s*(.*)$/i;
const LABEL_LINE = /^\s*label:\s*(.*)$/i;
const LABELS_LINE = /^\s*labels:\s*(.*)$/i;
const ARROW = "=>";

/** Quotes and backticks around a label are presentation, not part of it. */
function cleanLabel(label: string): string {
  return label
    .trim()
    .replace(/^["'`]+|["'`]+$/g, "")
    .trim();
}

/**
 * Labelled examples, in prompt order: `<text> => <label>` lines and `Text:` lines directly
 * followed by a `Label:` line.
 */
export function findExamples(prompt: string): LabelledExample[] {
  const lines = prompt.split(/\r?\n/);
  const examples: LabelledExample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const textLine = TEXT_LINE.exec(lines[i]);
    const labelLine = i + 1 < lines.length ? LABEL_LINE.exec(lines[i + 1]) : null;
    if (textLine && labelLine) {
      const label = cleanLabel(labelLine[1]);
      if (label !== "") examples.push({ text: textLine[1], label });
      i++; // the Label: line is used up
      continue;
    }
    const arrow = lines[i].lastIndexOf(ARROW);
    if (arrow > 0) {
      const text = lines[i].slice(0, arrow).trim();
      const label = cleanLabel(lines[i].slice(arrow + ARROW.length));
      if (text !== "" && label !== "") examples.push({ text, label });
    }
  }
  return examples;
}

/**
 * The text to classify: the last `Text:` line of the question that is not an example (not
 * followed by a `Label:` line); the whole question when it has no such line.
 */
export function findTextToClassify(question: string): string {
  const lines = question.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const textLine = TEXT_LINE.exec(lines[i]);
    if (textLine && !(i + 1 < lines.length && LABEL_LINE.test(lines[i + 1]))) return textLine[1];
  }
  return question;
}

/** The allowed labels: the last `Labels:` line of the prompt, comma-separated. */
export function findLabels(prompt: string): string[] {
  let labels: string[] = [];
  for (const line of prompt.split(/\r?\n/)) {
    const match = LABELS_LINE.exec(line);
    if (match)
      labels = match[1]
        .split(",")
        .map(cleanLabel)
        .filter((label) => label !== "");
  }
  return labels;
}

export function classify(prompt: string, question: string): Classification {
  const target = words(findTextToClassify(question));

  // Nearest example; `>=` lets a later example with the same overlap win (ties go to the last).
  let best: LabelledExample | null = null;
  let bestOverlap = 0;
  for (const example of findExamples(prompt)) {
    const shared = overlap(words(example.text), target);
    if (shared > 0 && shared >= bestOverlap) {
      best = example;
      bestOverlap = shared;
    }
  }
  if (best) return { label: best.label, by: "example" };

  const labels = findLabels(prompt);
  if (labels.length === 0) return { label: "unknown", by: "none" };
  // `>` keeps the first listed label on ties.
  let byName = labels[0];
  let nameOverlap = 0;
  for (const label of labels) {
    const shared = overlap(words(label), target);
    if (shared > nameOverlap) {
      byName = label;
      nameOverlap = shared;
    }
  }
  return nameOverlap > 0 ? { label: byName, by: "label-name" } : { label: labels[0], by: "first-label" };
}
