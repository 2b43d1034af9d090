// How a page says which candidates an iteration is on. Apart from progress.ts, whose schema
// brings zod (about 100 KB) into every client bundle that imports it: the overview's run line
// and the iteration page need only these words.
import type { IterationProgress } from "./progress.ts";

/** " · candidate #4 (1 of 3)", or " · candidates #4, #5 and #6 at once"; "" before any. */
export function candidateWords(progress: IterationProgress): string {
  const numbers = progress.candidateNumbers;
  if (numbers && numbers.length > 1) {
    const named = numbers.map((number) => `#${number}`);
    return ` · candidates ${named.slice(0, -1).join(", ")} and ${named.at(-1)} at once`;
  }
  const number = progress.candidateNumber ?? numbers?.[0];
  if (!number) return "";
  const place =
    progress.candidate && progress.candidates && progress.candidates > 1
      ? ` (${progress.candidate} of ${progress.candidates})`
      : "";
  return ` · candidate #${number}${place}`;
}
