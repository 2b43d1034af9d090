import { describe, expect, it } from "vitest";
import { combineTrials } from "../../../lib/tasks/matrix.ts";

describe("combineTrials", () => {
  it("keeps one trial as it is", () => {
    expect(combineTrials([{ status: "failed", score: 0.4 }])).toEqual({ status: "failed", score: 0.4 });
  });

  it("passes when every trial passed, errors when every trial errored, else fails, with the mean score", () => {
    const passed = { status: "passed", score: 1 };
    const failed = { status: "failed", score: 0 };
    const error = { status: "error", score: null };
    expect(combineTrials([passed, passed])).toEqual({ status: "passed", score: 1 });
    expect(combineTrials([error, error])).toEqual({ status: "error", score: 0 });
    expect(combineTrials([passed, failed, error, passed])).toEqual({ status: "failed", score: 0.5 });
  });

  it("is not finished while a trial is pending or running", () => {
    expect(
      combineTrials([
        { status: "passed", score: 1 },
        { status: "running", score: null },
      ]).status,
    ).toBe("running");
    expect(
      combineTrials([
        { status: "running", score: null },
        { status: "pending", score: null },
      ]).status,
    ).toBe("pending");
  });
});
