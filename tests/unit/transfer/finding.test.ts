// The transfer page's sentence: what it claims follows from the cells, differences inside the 95%
// intervals are called that, and with nothing true to say it says nothing.
import { describe, expect, it } from "vitest";
import {
  compareCells,
  costWords,
  transferFinding,
  type FindingCell,
  type FindingRow,
} from "../../../lib/transfer/finding.ts";

const HAIKU = "claude-haiku-4-5";
const SONNET = "claude-sonnet-4-5";
const OPUS = "claude-opus-4-6";

const cell = (score: number, halfWidth: number, costPerTask: number | null): FindingCell => ({
  score,
  scoreLow: Math.max(0, score - halfWidth),
  scoreHigh: Math.min(1, score + halfWidth),
  costPerTask,
});
const row = (number: number, roles: { seed?: boolean; best?: boolean }, cells: FindingRow["cells"]): FindingRow => ({
  number,
  seed: roles.seed ?? false,
  best: roles.best ?? false,
  cells,
});

describe("compareCells", () => {
  it("calls a difference only when the intervals do not overlap, and refuses cells without one", () => {
    expect(compareCells(cell(0.9, 0.05, 1), cell(0.6, 0.05, 1))).toBe("above");
    expect(compareCells(cell(0.6, 0.05, 1), cell(0.9, 0.05, 1))).toBe("below");
    expect(compareCells(cell(0.7, 0.1, 1), cell(0.6, 0.1, 1))).toBe("within");
    expect(
      compareCells({ score: 0.9, scoreLow: null, scoreHigh: null, costPerTask: 1 }, cell(0.1, 0.01, 1)),
    ).toBeNull();
  });
});

describe("costWords", () => {
  it("names simple fractions and falls back to a percentage", () => {
    expect(costWords(0.1, 0.9)).toBe("at a ninth of the cost");
    expect(costWords(1, 2)).toBe("at half the cost");
    expect(costWords(1, 2.6)).toBe("at 38% of the cost");
    expect(costWords(1, 500)).toBe("at under 1% of the cost");
  });
});

describe("transferFinding", () => {
  it("says the best harness on a cheap model beats the seed on a dear one, and that it carries over", () => {
    const sentence = transferFinding({
      projectModel: SONNET,
      models: [SONNET, HAIKU, OPUS],
      rows: [
        row(
          1,
          { seed: true },
          { [SONNET]: cell(0.5, 0.05, 0.03), [HAIKU]: cell(0.4, 0.05, 0.01), [OPUS]: cell(0.7, 0.05, 0.09) },
        ),
        row(
          7,
          { best: true },
          { [SONNET]: cell(0.85, 0.05, 0.03), [HAIKU]: cell(0.8, 0.04, 0.01), [OPUS]: cell(0.95, 0.04, 0.09) },
        ),
      ],
    });
    expect(sentence).toBe(
      "The best harness (#7), found with claude-sonnet-4-5, scores above the seed on both other models. " +
        "The best harness (#7) on claude-haiku-4-5 scores above the seed on claude-opus-4-6 (80.0% against 70.0%) at a ninth of the cost.",
    );
  });

  it("says when the differences are within the intervals rather than claim a win", () => {
    const sentence = transferFinding({
      projectModel: SONNET,
      models: [SONNET, HAIKU, OPUS],
      rows: [
        row(
          1,
          { seed: true },
          { [SONNET]: cell(0.5, 0.2, 0.03), [HAIKU]: cell(0.5, 0.2, 0.01), [OPUS]: cell(0.7, 0.2, 0.05) },
        ),
        row(
          4,
          { best: true },
          { [SONNET]: cell(0.6, 0.2, 0.03), [HAIKU]: cell(0.7, 0.2, 0.01), [OPUS]: cell(0.75, 0.2, 0.05) },
        ),
      ],
    });
    expect(sentence).toBe(
      "The best harness (#4), found with claude-sonnet-4-5, is within the 95% intervals of the seed on claude-haiku-4-5 and claude-opus-4-6. " +
        "The best harness (#4) on claude-haiku-4-5 scores 70.0% against the seed's 70.0% on claude-opus-4-6, a difference within the 95% intervals, at a fifth of the cost.",
    );
  });

  it("names models where the harness does worse", () => {
    const sentence = transferFinding({
      projectModel: SONNET,
      models: [SONNET, HAIKU],
      rows: [
        row(1, { seed: true }, { [SONNET]: cell(0.5, 0.05, null), [HAIKU]: cell(0.6, 0.05, null) }),
        row(3, { best: true }, { [SONNET]: cell(0.9, 0.05, null), [HAIKU]: cell(0.3, 0.05, null) }),
      ],
    });
    // Unpriced cells: no claim about cost at all.
    expect(sentence).toBe(
      "The best harness (#3), found with claude-sonnet-4-5, scores below the seed on claude-haiku-4-5.",
    );
  });

  it("says nothing when nothing can be said truly", () => {
    // Only the project's model, and the cheap harness scores below: no sentence.
    expect(
      transferFinding({
        projectModel: SONNET,
        models: [SONNET],
        rows: [
          row(1, { seed: true }, { [SONNET]: cell(0.5, 0.05, 0.03) }),
          row(2, { best: true }, { [SONNET]: cell(0.9, 0.05, 0.03) }),
        ],
      }),
    ).toBeNull();
    // No seed row.
    expect(
      transferFinding({ projectModel: SONNET, models: [SONNET, HAIKU], rows: [row(2, { best: true }, {})] }),
    ).toBeNull();
    // Cells without intervals are left out.
    const bare = { score: 1, scoreLow: null, scoreHigh: null, costPerTask: 0.01 };
    expect(
      transferFinding({
        projectModel: SONNET,
        models: [SONNET, HAIKU],
        rows: [
          row(1, { seed: true }, { [SONNET]: bare, [HAIKU]: bare }),
          row(2, { best: true }, { [SONNET]: bare, [HAIKU]: bare }),
        ],
      }),
    ).toBeNull();
  });
});
