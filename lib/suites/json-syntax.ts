// Where a JSON text is broken, as a line and column a person can jump to.
// V8's JSON.parse messages name a position only for some mistakes ("Unexpected token '}', ... is
// not valid JSON" has none, and quotes the whole text), so after JSON.parse fails we scan the
// text ourselves with a small strict JSON grammar to find the first error and say what was expected.

export interface JsonSyntaxError {
  /** 1-based line of the first error. */
  line: number;
  /** 1-based column (in UTF-16 code units) of the first error. */
  column: number;
  message: string;
}

/** Parses `text` as JSON, or returns where and why it is not JSON. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: JsonSyntaxError } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, error: locateJsonError(text, err) };
  }
}

class ScanError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

/** Nesting past this depth is reported rather than recursed into, so a hostile file cannot overflow the stack. */
const MAX_DEPTH = 2000;

function locateJsonError(text: string, parseError: unknown): JsonSyntaxError {
  try {
    scanDocument(text);
  } catch (err) {
    if (err instanceof ScanError) return { ...lineAndColumn(text, err.offset), message: err.message };
    throw err;
  }
  // The scanner accepted what JSON.parse refused (should not happen): fall back to V8's own words.
  const message = parseError instanceof Error ? parseError.message : String(parseError);
  return { line: 1, column: 1, message: message.slice(0, 200) };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === "\n") {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function describeChar(ch: string | undefined): string {
  if (ch === undefined) return "end of file";
  return JSON.stringify(ch);
}

function scanDocument(text: string): void {
  let i = 0;

  const skipSpace = () => {
    while (i < text.length && (text[i] === " " || text[i] === "\t" || text[i] === "\n" || text[i] === "\r")) i++;
  };
  const fail = (message: string, at = i): never => {
    throw new ScanError(at, message);
  };

  const scanString = () => {
    const start = i;
    i++; // opening quote
    for (;;) {
      const ch = text[i];
      if (ch === undefined) fail("string is never closed (missing '\"')", start);
      if (ch === "\n") fail("string is not closed before the end of the line", start);
      if (ch === '"') {
        i++;
        return;
      }
      if (ch < " ") fail("control character in a string: write it as an escape such as \\n or \\t");
      if (ch === "\\") {
        const esc = text[i + 1];
        if (esc === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail("\\u must be followed by 4 hex digits");
          i += 6;
        } else if (esc !== undefined && '"\\/bfnrt'.includes(esc)) {
          i += 2;
        } else {
          fail(`invalid escape \\${esc ?? ""} in a string`);
        }
      } else {
        i++;
      }
    }
  };

  const numberPattern = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const scanNumber = () => {
    numberPattern.lastIndex = i;
    const match = numberPattern.exec(text);
    if (!match) fail("invalid number");
    i += match![0].length;
  };

  const scanValue = (depth: number): void => {
    if (depth > MAX_DEPTH) fail(`nested more than ${MAX_DEPTH} levels deep`);
    skipSpace();
    const ch = text[i];
    if (ch === "{") return scanObject(depth);
    if (ch === "[") return scanArray(depth);
    if (ch === '"') return scanString();
    if (ch === "-" || (ch !== undefined && ch >= "0" && ch <= "9")) return scanNumber();
    for (const word of ["true", "false", "null"]) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return;
      }
    }
    if (ch === "'") fail("strings must use double quotes");
    fail(`expected a value, found ${describeChar(ch)}`);
  };

  const scanObject = (depth: number) => {
    i++; // {
    skipSpace();
    if (text[i] === "}") {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[i] !== '"') {
        fail(
          text[i] === "}"
            ? "trailing comma before '}'"
            : `expected a property name in double quotes, found ${describeChar(text[i])}`,
        );
      }
      scanString();
      skipSpace();
      if (text[i] !== ":") fail(`expected ':' after the property name, found ${describeChar(text[i])}`);
      i++;
      scanValue(depth + 1);
      skipSpace();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "}") {
        i++;
        return;
      }
      fail(`expected ',' or '}', found ${describeChar(text[i])}`);
    }
  };

  const scanArray = (depth: number) => {
    i++; // [
    skipSpace();
    if (text[i] === "]") {
      i++;
      return;
    }
    for (;;) {
      skipSpace();
      if (text[i] === "]") fail("trailing comma before ']'");
      scanValue(depth + 1);
      skipSpace();
      if (text[i] === ",") {
        i++;
        continue;
      }
      if (text[i] === "]") {
        i++;
        return;
      }
      fail(`expected ',' or ']', found ${describeChar(text[i])}`);
    }
  };

  skipSpace();
  if (i >= text.length) fail("empty: expected a JSON value");
  scanValue(0);
  skipSpace();
  if (i < text.length) fail(`unexpected ${describeChar(text[i])} after the end of the JSON value`);
}
