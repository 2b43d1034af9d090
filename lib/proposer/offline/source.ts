// Just enough of a TypeScript reader to edit a harness safely without a parser dependency (the
// studio ships esbuild, which gives no syntax tree). `maskSource` blanks out every comment,
// string, template text and regex literal with spaces, keeping offsets: searches and brace
// matching on the masked text never trip over a `{` inside a prompt or a `//` inside a URL, and
// every offset found there is an offset into the original source.
//
// The finders below return null when the shape they look for is not there; callers then write
// a harness from a template instead of guessing (see fixes.ts).

export interface Literal {
  /** Offset of the opening quote. */
  start: number;
  /** Offset just past the closing quote. */
  end: number;
  quote: '"' | "'" | "`";
  /** The raw text between the quotes (escapes as written; a template's `${…}` included). */
  raw: string;
}

export interface MaskedSource {
  source: string;
  /** Same length as source: code kept, everything inside literals and comments turned to spaces. */
  code: string;
  literals: Literal[];
}

/** Tokens after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER = new Set([
  "(",
  ",",
  "=",
  ":",
  "[",
  "!",
  "&",
  "|",
  "?",
  "{",
  "}",
  ";",
  "+",
  "-",
  "*",
  "%",
  "<",
  ">",
  "~",
  "^",
  "",
]);
const REGEX_AFTER_WORDS = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "yield",
  "await",
]);

export function maskSource(source: string): MaskedSource {
  const out = source.split("");
  const literals: Literal[] = [];
  const blank = (from: number, to: number) => {
    for (let i = from; i < to; i++) if (out[i] !== "\n") out[i] = " ";
  };
  // Each entry is a template literal waiting for the `}` that closes one of its `${`, with the
  // brace depth of code inside that substitution.
  const templates: { start: number; depth: number }[] = [];
  let i = 0;
  let lastSignificant = "";
  let lastWord = "";

  /** Scans template text from i (just inside a backtick or after a `}`) to its end or next `${`. */
  const templateText = (literalStart: number): void => {
    const from = i;
    while (i < source.length) {
      const c = source[i];
      if (c === "\\") {
        i += 2;
        continue;
      }
      if (c === "`") {
        blank(from, i);
        i++;
        literals.push({ start: literalStart, end: i, quote: "`", raw: source.slice(literalStart + 1, i - 1) });
        lastSignificant = "`";
        return;
      }
      if (c === "$" && source[i + 1] === "{") {
        blank(from, i);
        i += 2;
        templates.push({ start: literalStart, depth: 0 });
        lastSignificant = "{";
        return;
      }
      i++;
    }
    blank(from, i); // unterminated: mask to the end
  };

  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === "/" && next === "/") {
      const end = source.indexOf("\n", i);
      const stop = end === -1 ? source.length : end;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === "/" && next === "*") {
      const end = source.indexOf("*/", i + 2);
      const stop = end === -1 ? source.length : end + 2;
      blank(i, stop);
      i = stop;
      continue;
    }
    if (c === '"' || c === "'") {
      const start = i;
      i++;
      while (i < source.length && source[i] !== c && source[i] !== "\n") i += source[i] === "\\" ? 2 : 1;
      i = Math.min(i + 1, source.length);
      blank(start + 1, i - 1);
      literals.push({ start, end: i, quote: c, raw: source.slice(start + 1, i - 1) });
      lastSignificant = c;
      lastWord = "";
      continue;
    }
    if (c === "`") {
      const start = i;
      i++;
      templateText(start);
      lastWord = "";
      continue;
    }
    if (c === "/" && (REGEX_AFTER.has(lastSignificant) || REGEX_AFTER_WORDS.has(lastWord))) {
      const start = i;
      i++;
      let inClass = false;
      while (i < source.length && source[i] !== "\n") {
        const r = source[i];
        if (r === "\\") {
          i += 2;
          continue;
        }
        if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < source.length && /[a-z]/i.test(source[i])) i++;
      blank(start + 1, i);
      lastSignificant = "/regex";
      lastWord = "";
      continue;
    }
    if (templates.length > 0) {
      const open = templates[templates.length - 1];
      if (c === "{") open.depth++;
      else if (c === "}") {
        if (open.depth === 0) {
          templates.pop();
          i++;
          templateText(open.start);
          continue;
        }
        open.depth--;
      }
    }
    if (/[A-Za-z_$0-9]/.test(c)) {
      const start = i;
      while (i < source.length && /[A-Za-z_$0-9]/.test(source[i])) i++;
      lastWord = source.slice(start, i);
      lastSignificant = "word";
      continue;
    }
    if (!/\s/.test(c)) {
      lastSignificant = c;
      lastWord = "";
    }
    i++;
  }
  // A template literal's `${…}` code was visited after its start; keep the list in source order.
  literals.sort((a, b) => a.start - b.start);
  return { source, code: out.join(""), literals };
}

/** The offset of the bracket closing the one at `open` (one of `({[`), or -1. */
export function matchingClose(code: string, open: number): number {
  const pairs: Record<string, string> = { "(": ")", "{": "}", "[": "]" };
  const stack: string[] = [];
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c in pairs) stack.push(pairs[c]);
    else if (c === ")" || c === "}" || c === "]") {
      if (stack.pop() !== c) return -1;
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

export interface RunFunction {
  /** Where the method or function starts (`async run(` or `async function run(`). */
  start: number;
  /** The `(` and `)` of its parameter list. */
  paramsOpen: number;
  paramsClose: number;
  /** Parameter names, or null for a parameter that is not a plain identifier (a destructuring). */
  params: (string | null)[];
  /** The `{` and `}` of its body. */
  bodyOpen: number;
  bodyClose: number;
  /** "method" inside an object literal (ends with the body); "function" a declaration. */
  form: "method" | "function";
}

/**
 * The harness's `run`: a method `async run(task, ctx) {…}` or a declaration `async function
 * run(…) {…}`. A method inside `export default { … }` wins over any other `run` (a helper
 * object may have one of its own); then a declaration; then the first method found.
 */
export function findRun(masked: MaskedSource): RunFunction | null {
  const all = allRuns(masked);
  const exported = defaultExportObject(masked);
  const exportedClose = exported === -1 ? -1 : matchingClose(masked.code, exported);
  return (
    all.find((run) => run.form === "method" && run.start > exported && run.bodyClose < exportedClose) ??
    all.find((run) => run.form === "function") ??
    all[0] ??
    null
  );
}

function allRuns(masked: MaskedSource): RunFunction[] {
  const runs: RunFunction[] = [];
  const pattern = /(?:\basync\s+)?(?:\bfunction\s+)?\brun\s*\(/g;
  for (let match = pattern.exec(masked.code); match; match = pattern.exec(masked.code)) {
    const before = masked.code.slice(0, match.index).trimEnd();
    // `.run(` is a call, `run:` an arrow property; a method sits after `{` or `,` (or `async`).
    if (before.endsWith(".")) continue;
    const isFunction = /\bfunction\s+run\s*\($/.test(match[0]);
    if (!isFunction && !/[{,]$/.test(before) && !/\basync$/.test(before)) continue;
    const paramsOpen = match.index + match[0].length - 1;
    const paramsClose = matchingClose(masked.code, paramsOpen);
    if (paramsClose === -1) continue;
    const bodyOpen = bodyBraceAfter(masked.code, paramsClose + 1);
    if (bodyOpen === -1) continue;
    const bodyClose = matchingClose(masked.code, bodyOpen);
    if (bodyClose === -1) continue;
    runs.push({
      start: match.index,
      paramsOpen,
      paramsClose,
      params: splitTopLevel(masked.code, paramsOpen + 1, paramsClose).map(({ from, to }) =>
        paramName(masked.code.slice(from, to)),
      ),
      bodyOpen,
      bodyClose,
      form: isFunction ? "function" : "method",
    });
  }
  return runs;
}

/** The `{` opening a body after a parameter list, skipping a return type annotation. */
function bodyBraceAfter(code: string, from: number): number {
  let i = from;
  while (/\s/.test(code[i] ?? "")) i++;
  if (code[i] === "{") return i;
  if (code[i] !== ":") return -1;
  // A return type such as `: Promise<{ a: string }>`: skip balanced brackets up to the body's `{`.
  i++;
  let angle = 0;
  for (; i < code.length; i++) {
    const c = code[i];
    if (c === "<") angle++;
    else if (c === ">" && code[i - 1] !== "=") angle--;
    else if (c === "(" || c === "[") i = matchingClose(code, i);
    else if (c === "{") {
      if (angle > 0) i = matchingClose(code, i);
      else return i;
    }
    if (i === -1) return -1;
  }
  return -1;
}

/** Ranges of the comma-separated parts between from and to, at bracket depth 0. */
export function splitTopLevel(code: string, from: number, to: number): { from: number; to: number }[] {
  const parts: { from: number; to: number }[] = [];
  let depth = 0;
  let start = from;
  for (let i = from; i < to; i++) {
    const c = code[i];
    if (c === "(" || c === "{" || c === "[" || c === "<") depth++;
    else if (c === ")" || c === "}" || c === "]" || (c === ">" && code[i - 1] !== "=")) depth--;
    else if (c === "," && depth === 0) {
      parts.push({ from: start, to: i });
      start = i + 1;
    }
  }
  if (code.slice(start, to).trim()) parts.push({ from: start, to });
  return parts;
}

function paramName(text: string): string | null {
  const match = /^\s*([A-Za-z_$][\w$]*)\s*(?:[:?=]|$)/.exec(text);
  return match ? match[1] : null;
}

/** The `{` of `export default {`, or -1 (a default export of an identifier or a call is not edited). */
export function defaultExportObject(masked: MaskedSource): number {
  const match = /\bexport\s+default\s+\{/.exec(masked.code);
  return match ? match.index + match[0].length - 1 : -1;
}

export interface ModelCall {
  /** `create` or `stream`. */
  method: string;
  /** The `{` and `}` of the request object (its first argument). */
  objectOpen: number;
  objectClose: number;
}

/** Every `messages.create({…})` / `messages.stream({…})` whose first argument is an object literal, in order. */
export function findModelCalls(masked: MaskedSource, within?: { from: number; to: number }): ModelCall[] {
  const calls: ModelCall[] = [];
  const pattern = /\.messages\s*\.\s*(create|stream)\s*\(\s*\{/g;
  for (let match = pattern.exec(masked.code); match; match = pattern.exec(masked.code)) {
    const objectOpen = match.index + match[0].length - 1;
    if (within && (objectOpen < within.from || objectOpen > within.to)) continue;
    const objectClose = matchingClose(masked.code, objectOpen);
    if (objectClose !== -1) calls.push({ method: match[1], objectOpen, objectClose });
  }
  return calls;
}

export interface Property {
  /** Where the key starts. */
  start: number;
  /** The value's range, trimmed. */
  valueFrom: number;
  valueTo: number;
}

/** A top-level `key: value` of the object literal between open and close, or null. */
export function findProperty(masked: MaskedSource, open: number, close: number, key: string): Property | null {
  for (const part of splitTopLevel(masked.code, open + 1, close)) {
    const text = masked.code.slice(part.from, part.to);
    const match = new RegExp(`^\\s*${key}\\s*:`).exec(text);
    if (!match) continue;
    let valueFrom = part.from + match[0].length;
    let valueTo = part.to;
    while (/\s/.test(masked.source[valueFrom] ?? "")) valueFrom++;
    while (valueTo > valueFrom && /\s/.test(masked.source[valueTo - 1])) valueTo--;
    return { start: part.from + match[0].length - match[0].trimStart().length, valueFrom, valueTo };
  }
  return null;
}

/** Whether the module declares `name` at top level (const/let/var/function/class), so code anywhere may use it. */
export function declaresTopLevel(masked: MaskedSource, name: string): boolean {
  const pattern = new RegExp(
    `(^|\\n)\\s*(?:export\\s+)?(?:const|let|var|function|async\\s+function|class)\\s+${escapeRegExp(name)}\\b`,
  );
  return pattern.test(masked.code);
}

/** A name for new top-level code that the source does not use yet. */
export function freshName(source: string, wanted: string): string {
  if (!new RegExp(`\\b${escapeRegExp(wanted)}\\b`).test(source)) return wanted;
  for (let n = 2; ; n++) if (!new RegExp(`\\b${escapeRegExp(wanted)}${n}\\b`).test(source)) return `${wanted}${n}`;
}

export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** Text as it may be written inside a literal with this quote: escapes, with a `\n` escape for each newline. */
export function literalText(text: string, quote: Literal["quote"]): string {
  let escaped = text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
  escaped =
    quote === "`" ? escaped.replace(/`/g, "\\`").replace(/\$\{/g, "\\${") : escaped.split(quote).join(`\\${quote}`);
  return escaped;
}

/** Applies insertions and replacements (non-overlapping) to the source, last first so offsets hold. */
export function applyEdits(source: string, edits: { from: number; to: number; text: string }[]): string {
  let result = source;
  for (const edit of [...edits].sort((a, b) => b.from - a.from || b.to - a.to))
    result = result.slice(0, edit.from) + edit.text + result.slice(edit.to);
  return result;
}
