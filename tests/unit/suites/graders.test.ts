import { describe, expect, it } from "vitest";
import type { GraderConfigInput } from "../../../lib/suites/format.ts";
import { checkExpected, gradeBuiltin } from "../../../lib/suites/graders.ts";

const exact: GraderConfigInput = { type: "exact" };
const normalized: GraderConfigInput = { type: "normalized" };
const numeric: GraderConfigInput = { type: "numeric" };
const json: GraderConfigInput = { type: "json" };

describe("exact", () => {
  it("passes deep-equal JSON regardless of key order", () => {
    expect(gradeBuiltin(exact, { a: [1, { b: "x" }], c: null }, { c: null, a: [1, { b: "x" }] })).toEqual({
      score: 1,
      explanation: 'exact match: {"c":null,"a":[1,{"b":"x"}]}',
    });
  });

  it("fails with the first difference and its path", () => {
    expect(gradeBuiltin(exact, 42, "42")).toEqual({ score: 0, explanation: 'expected 42, got "42"' });
    expect(gradeBuiltin(exact, "Paris", "paris").score).toBe(0);
    expect(gradeBuiltin(exact, { a: [1, 2, { b: "x" }] }, { a: [1, 2, { b: "y" }] }).explanation).toBe(
      'at a[2].b: expected "x", got "y"',
    );
    expect(gradeBuiltin(exact, { a: 1 }, { a: 1, b: 2 }).explanation).toBe('unexpected key "b"');
    expect(gradeBuiltin(exact, { "my key": 1 }, { "my key": 2 }).explanation).toBe('at ["my key"]: expected 1, got 2');
    expect(gradeBuiltin(exact, [1, 2], [1, 2, 3]).explanation).toBe("expected 2 items, got 3");
  });
});

describe("normalized", () => {
  it("ignores case, whitespace and punctuation", () => {
    expect(gradeBuiltin(normalized, "New York", "  new-york!! ")).toEqual({
      score: 1,
      explanation: 'matches after ignoring case, whitespace and punctuation: "newyork"',
    });
    expect(gradeBuiltin(normalized, "Don't stop", "dont STOP.").score).toBe(1);
  });

  it("compares numbers and other values through their string form", () => {
    expect(gradeBuiltin(normalized, 1000, "1,000.").score).toBe(1);
    expect(gradeBuiltin(normalized, true, "True").score).toBe(1);
  });

  it("fails on different words and shows both normalized forms", () => {
    expect(gradeBuiltin(normalized, "New York", "Boston")).toEqual({
      score: 0,
      explanation: 'expected "New York", got "Boston" (normalized: "newyork" vs "boston")',
    });
  });
});

describe("regex", () => {
  it("uses expected as the pattern and coerces the output to a string", () => {
    expect(gradeBuiltin({ type: "regex" }, "^4\\d$", 42)).toEqual({ score: 1, explanation: 'matched /^4\\d$/: "42"' });
    expect(gradeBuiltin({ type: "regex" }, "^4\\d$", 52)).toEqual({
      score: 0,
      explanation: 'no match for /^4\\d$/ in "52"',
    });
  });

  it("prefers grader.pattern and applies flags", () => {
    const grader: GraderConfigInput = { type: "regex", pattern: "\\bparis\\b", flags: "i" };
    expect(gradeBuiltin(grader, "ignored", "It is PARIS.")).toEqual({
      score: 1,
      explanation: 'matched /\\bparis\\b/i: "PARIS"',
    });
    expect(gradeBuiltin(grader, "ignored", "Comparison").score).toBe(0);
  });

  it("grades, not throws, when a task has no usable pattern", () => {
    expect(gradeBuiltin({ type: "regex" }, 42, "42").explanation).toBe(
      "the regex grader has no pattern: grader.pattern is unset and expected is 42, not a string",
    );
    expect(gradeBuiltin({ type: "regex" }, "(", "x").score).toBe(0);
  });
});

describe("numeric", () => {
  it("passes within the absolute tolerance and says by how much", () => {
    expect(gradeBuiltin(numeric, 42, 42)).toEqual({
      score: 1,
      explanation: "expected 42, got 42 (|diff| 0 <= tolerance 1e-6)",
    });
    expect(gradeBuiltin(numeric, 0.3, 0.1 + 0.2).score).toBe(1);
    expect(gradeBuiltin({ type: "numeric", tolerance: 0.5 }, 10, 10.4).score).toBe(1);
    // The boundary counts as inside.
    expect(gradeBuiltin({ type: "numeric", tolerance: 0.5 }, 10, 10.5)).toEqual({
      score: 1,
      explanation: "expected 10, got 10.5 (|diff| 0.5 <= tolerance 0.5)",
    });
    expect(gradeBuiltin({ type: "numeric", tolerance: 0 }, 7, "7").score).toBe(1);
  });

  it("fails outside the tolerance", () => {
    expect(gradeBuiltin(numeric, 42, 41)).toEqual({
      score: 0,
      explanation: "expected 42, got 41 (|diff| 1 > tolerance 1e-6)",
    });
    expect(gradeBuiltin({ type: "numeric", tolerance: 0.5 }, 10, 10.6).score).toBe(0);
  });

  it("supports a relative tolerance", () => {
    const relative: GraderConfigInput = { type: "numeric", tolerance: 0.01, relative: true };
    expect(gradeBuiltin(relative, 200, 201)).toEqual({
      score: 1,
      explanation: "expected 200, got 201 (|diff| 1 <= tolerance 0.01 × |200| = 2)",
    });
    expect(gradeBuiltin(relative, 200, 203).score).toBe(0);
  });

  it("extracts the last number from a string output", () => {
    expect(gradeBuiltin(numeric, 42, "The answer is 42.")).toEqual({
      score: 1,
      explanation: 'expected 42, got 42 (last number in "The answer is 42.") (|diff| 0 <= tolerance 1e-6)',
    });
    const cases: [string, number][] = [
      ["First 7, then 12, finally 42", 42],
      ["Total: $1,234.50", 1234.5],
      ["x = -3", -3],
      ["x = \u22123", -3], // Unicode minus sign
      ["between 3-4", 4], // a dash, not a minus
      ["about 1.5e3 units", 1500],
      ["version 1.2.3", 1.2],
      ["0.5", 0.5],
      ["H2O costs 7", 7],
    ];
    for (const [text, value] of cases) {
      expect(gradeBuiltin(numeric, value, text), text).toMatchObject({ score: 1 });
    }
    expect(gradeBuiltin(numeric, 42, "The answer is 41.").explanation).toBe(
      'expected 42, got 41 (last number in "The answer is 41.") (|diff| 1 > tolerance 1e-6)',
    );
  });

  it("accepts a numeric string as expected", () => {
    expect(gradeBuiltin(numeric, "21", "21 apples").score).toBe(1);
  });

  it("reports when no number is found", () => {
    expect(gradeBuiltin(numeric, 42, "I don't know")).toEqual({
      score: 0,
      explanation: 'expected 42, but found no number in the output "I don\'t know"',
    });
    expect(gradeBuiltin(numeric, 42, Number.NaN).explanation).toBe(
      "expected 42, got NaN, which is not a finite number",
    );
  });
});

describe("json", () => {
  it("passes when expected is a subset of the output, parsing a JSON string first", () => {
    expect(gradeBuiltin(json, { a: 1 }, '{"a": 1, "b": 2}')).toEqual({
      score: 1,
      explanation: 'output contains the expected JSON {"a":1}',
    });
    expect(
      gradeBuiltin(
        json,
        { user: { name: "Ada" }, tags: [{ id: 1 }, { id: 2 }] },
        {
          user: { name: "Ada", age: 36 },
          tags: [{ id: 1, label: "x" }, { id: 2 }],
          extra: true,
        },
      ).score,
    ).toBe(1);
  });

  it("fails on missing keys, different values and different array lengths", () => {
    expect(gradeBuiltin(json, { user: { email: "x" } }, { user: {} }).explanation).toBe('at user: missing key "email"');
    expect(gradeBuiltin(json, { items: [{ n: 1 }, { n: 2 }] }, { items: [{ n: 1 }] }).explanation).toBe(
      "at items: expected 2 items, got 1",
    );
    expect(gradeBuiltin(json, { items: [{ n: 1 }, { n: 2 }] }, { items: [{ n: 1 }, { n: 3 }] }).explanation).toBe(
      "at items[1].n: expected 2, got 3",
    );
    expect(gradeBuiltin(json, { a: {} }, { a: [] }).explanation).toBe("at a: expected an object, got an array []");
  });

  it("explains output that is not valid JSON", () => {
    expect(gradeBuiltin(json, { a: 1 }, '{"a": 1,')).toEqual({
      score: 0,
      explanation:
        'output is not valid JSON (line 1, column 9: expected a property name in double quotes, found end of file): "{\\"a\\": 1,"',
    });
  });

  it("compares a string output to a string expected as text", () => {
    expect(gradeBuiltin(json, "hi", "hi").score).toBe(1);
    expect(gradeBuiltin(json, "42", "42").score).toBe(1);
  });
});

describe("weird outputs never throw", () => {
  const graders: GraderConfigInput[] = [exact, normalized, { type: "regex" }, numeric, json];
  const circular: Record<string, unknown> = { a: 1 };
  circular.self = circular;
  let deep: unknown = 1;
  for (let i = 0; i < 100_000; i++) deep = [deep];
  const outputs: unknown[] = [
    undefined,
    null,
    {},
    [],
    circular,
    deep,
    "x".repeat(5_000_000),
    10n,
    Symbol("s"),
    () => 1,
    Number.NaN,
  ];

  it("grades each with a short explanation", () => {
    for (const grader of graders) {
      for (const output of outputs) {
        const grade = gradeBuiltin(
          grader,
          grader.type === "numeric" ? 1 : grader.type === "regex" ? "^x" : { a: 1 },
          output,
        );
        expect(grade.score === 0 || grade.score === 1).toBe(true);
        expect(grade.explanation.length).toBeLessThan(700);
      }
    }
  });

  it("says when there is no output at all", () => {
    expect(gradeBuiltin(exact, 1, undefined)).toEqual({
      score: 0,
      explanation: "no output: the harness returned undefined",
    });
  });

  it("cuts long values in explanations and gives their length", () => {
    const { explanation } = gradeBuiltin(exact, "a", "x".repeat(1_000_000));
    expect(explanation).toMatch(/^expected "a", got "x{199}… \(1000000 chars\)$/);
  });

  it("reports absurd nesting instead of overflowing the stack", () => {
    let expected: unknown = 1;
    for (let i = 0; i < 100_000; i++) expected = [expected];
    expect(gradeBuiltin(exact, expected, deep).explanation).toBe(
      "could not grade this output: values are nested more than 500 levels deep",
    );
  });
});

describe("grader configs", () => {
  it("refuse module graders, which run in the sandbox", () => {
    expect(() => gradeBuiltin({ type: "module" }, 1, 1)).toThrow(/cannot run a "module" grader/);
  });

  it("refuse invalid configs with a readable error", () => {
    expect(() => gradeBuiltin({ type: "numeric", tolerance: -1 }, 1, 1)).toThrow(
      "invalid grader config: tolerance must be >= 0",
    );
    expect(() => gradeBuiltin({ type: "fuzzy" } as unknown as GraderConfigInput, 1, 1)).toThrow(/type must be one of/);
  });

  it("check expected answers before grading", () => {
    expect(checkExpected({ type: "numeric", tolerance: 0, relative: false }, "4.5")).toBeNull();
    expect(checkExpected({ type: "numeric", tolerance: 0, relative: false }, "four")).toMatch(/must be a number/);
    expect(checkExpected({ type: "regex" }, "^a$")).toBeNull();
    expect(checkExpected({ type: "regex", pattern: "x" }, 42)).toBeNull();
    expect(checkExpected({ type: "regex" }, 42)).toMatch(/must be a regex pattern string/);
    expect(checkExpected({ type: "exact" }, { anything: [1] })).toBeNull();
  });
});
