import { describe, expect, it } from "vitest";
import { parseJson } from "../../../lib/suites/json-syntax.ts";

describe("parseJson", () => {
  it("returns the value of valid JSON", () => {
    expect(parseJson('{"a": [1, 2.5e3, "x", true, null]}')).toEqual({
      ok: true,
      value: { a: [1, 2500, "x", true, null] },
    });
  });

  it("locates the first error by line and column, including ones V8 gives no position for", () => {
    const cases: [string, number, number, string][] = [
      ['{\n  "a": 1,\n}', 3, 1, "trailing comma before '}'"],
      ["[1, 2,]", 1, 7, "trailing comma before ']'"],
      ['{"a": tru}', 1, 7, 'expected a value, found "t"'],
      ["{'a': 1}", 1, 2, 'expected a property name in double quotes, found "\'"'],
      ['{"a" 1}', 1, 6, "expected ':' after the property name, found \"1\""],
      ['{"a": 1 "b": 2}', 1, 9, "expected ',' or '}', found \"\\\"\""],
      ['["abc', 1, 2, "string is never closed (missing '\"')"],
      ['{"a": "x\\q"}', 1, 9, "invalid escape \\q in a string"],
      ["[01]", 1, 3, "expected ',' or ']', found \"1\""],
      ["[-]", 1, 2, "invalid number"],
      ["{} {}", 1, 4, 'unexpected "{" after the end of the JSON value'],
      ["  \n ", 2, 2, "empty: expected a JSON value"],
      ["[NaN]", 1, 2, 'expected a value, found "N"'],
    ];
    for (const [text, line, column, message] of cases) {
      expect(parseJson(text), text).toEqual({ ok: false, error: { line, column, message } });
    }
  });
});
