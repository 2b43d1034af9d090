import { describe, expect, it } from "vitest";
import type { RunProgress } from "../../../lib/projects/progress.ts";
import { progressLine, progressShare } from "../../../lib/projects/progress-line.ts";

const optimization = {
  id: "o1",
  status: "running",
  iterationsDone: 3,
  iterationsRequested: 3,
  stopReason: null,
  error: null,
  simulated: true,
  stalled: false,
};
const progress = (changes: Partial<RunProgress>): RunProgress => ({
  modelConfigured: false,
  optimization,
  phase: null,
  iteration: null,
  running: true,
  revision: "r",
  ...changes,
});

describe("progressLine", () => {
  it("names the final check on the held-out test split, with the candidate once", () => {
    const line = progressLine(
      progress({ phase: { kind: "test", candidateNumber: 2, tasksDone: 0, tasksTotal: 120, tokens: 0 } }),
    );
    expect(line).toBe("Final check on the held-out test split · candidate #2 · 0 of 120 tasks");
    expect(line!.match(/#2/g)).toHaveLength(1);
    expect(line).not.toMatch(/Iteration/);
  });

  it("names the candidates an iteration evaluates at once, with their summed tasks", () => {
    expect(
      progressLine(
        progress({
          optimization: { ...optimization, iterationsDone: 0 },
          phase: { kind: "iteration", number: 2 },
          iteration: {
            number: 2,
            stage: "evaluating",
            progress: { candidateNumbers: [4, 5, 6], candidates: 3, tasksDone: 41, tasksTotal: 120, tokens: 900 },
          },
        }),
      ),
    ).toBe(
      "Iteration 2 · 1 of 3 in this run · evaluating · candidates #4, #5 and #6 at once · 41 of 120 tasks · 900 tokens",
    );
  });

  it("names the seed's scoring before the first iteration", () => {
    expect(
      progressLine(
        progress({
          optimization: { ...optimization, iterationsDone: 0 },
          phase: { kind: "seed", candidateNumber: 1, tasksDone: 5, tasksTotal: 40, tokens: 1234 },
        }),
      ),
    ).toBe("Scoring the seed on the search split · candidate #1 · 5 of 40 tasks · 1,234 tokens");
  });

  it("names the iteration by its project-wide number, counts this run's from 1, and shows the stage, candidate and tasks", () => {
    expect(
      progressLine(
        progress({
          optimization: { ...optimization, iterationsDone: 1, stalled: true },
          phase: { kind: "iteration", number: 5 },
          iteration: {
            number: 5,
            stage: "evaluating",
            progress: { candidateNumber: 7, candidate: 2, candidates: 3, tasksDone: 10, tasksTotal: 40 },
          },
        }),
      ),
    ).toBe(
      "Iteration 5 · 2 of 3 in this run · evaluating · candidate #7 (2 of 3) · 10 of 40 tasks · waiting for a job worker to resume it",
    );
  });

  it("says a queued run waits for a worker, and nothing when no run is going", () => {
    expect(
      progressLine(progress({ optimization: { ...optimization, status: "queued", iterationsDone: 0 }, phase: null })),
    ).toBe("1 of 3 in this run · waiting for a worker");
    expect(progressLine(progress({ running: false }))).toBeNull();
  });
});

describe("progressShare", () => {
  it("fills the bar's last stretch in the test check, and never passes 1", () => {
    const test = (done: number) =>
      progressShare(
        progress({ phase: { kind: "test", candidateNumber: 2, tasksDone: done, tasksTotal: 120, tokens: 0 } }),
      );
    expect(test(0)).toBeCloseTo(0.95);
    expect(test(120)).toBe(1);
    const seed = progressShare(
      progress({
        optimization: { ...optimization, iterationsDone: 0 },
        phase: { kind: "seed", candidateNumber: 1, tasksDone: 20, tasksTotal: 40, tokens: 0 },
      }),
    );
    expect(seed).toBeGreaterThan(0);
    expect(seed).toBeLessThan(0.05);
  });
});
