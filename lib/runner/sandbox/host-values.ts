// Inside the sandbox: what the host says about the harness's values. Errors and logged values are
// turned into JSON-safe descriptions for the trace (never throwing), and an output is checked for
// what JSON.stringify would lose. Part of the host program (host.ts): bundled, so it must stay free
// of Node-only imports beyond what a bundle can hold.
import { OUTPUT_LIMITS } from "./limits.ts";

export function describeError(error: unknown): { name?: string; message: string; stack?: string } {
  try {
    if (error instanceof Error || (typeof error === "object" && error !== null && "message" in error)) {
      const { name, message, stack } = error as Error;
      return { name: String(name), message: String(message), ...(typeof stack === "string" ? { stack } : {}) };
    }
    return { message: `a non-Error value was thrown: ${preview(error)}` };
  } catch {
    return { message: "an undescribable value was thrown" };
  }
}

/** A JSON-safe copy of anything a harness may log; logging never throws. */
export function toLogValue(value: unknown): unknown {
  let safe: unknown;
  try {
    safe = jsonSafe(value, 0, new Set());
  } catch {
    safe = "[unloggable value]";
  }
  const json = JSON.stringify(safe) ?? "null";
  if (Buffer.byteLength(json) <= OUTPUT_LIMITS.logValueBytes) return safe;
  const keep = Buffer.from(json).subarray(0, OUTPUT_LIMITS.logValueBytes).toString("utf8");
  return { "[studio: log value cut]": { bytes: Buffer.byteLength(json), preview: keep } };
}

function jsonSafe(value: unknown, depth: number, ancestors: Set<object>): unknown {
  switch (typeof value) {
    case "undefined":
      return null;
    case "bigint":
      return `${value}n`;
    case "symbol":
      return value.toString();
    case "function":
      return `[Function ${value.name || "anonymous"}]`;
    case "number":
      return Number.isFinite(value) ? value : String(value);
    case "object":
      break;
    default:
      return value;
  }
  if (value === null) return null;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (ancestors.has(value)) return "[Circular]";
  if (depth > 24) return "[too deep]";
  ancestors.add(value);
  try {
    if (typeof (value as { toJSON?: unknown }).toJSON === "function") {
      return jsonSafe((value as { toJSON: () => unknown }).toJSON(), depth + 1, ancestors);
    }
    if (value instanceof Map) return jsonSafe(Object.fromEntries(value), depth + 1, ancestors);
    if (value instanceof Set) return jsonSafe([...value], depth + 1, ancestors);
    if (Array.isArray(value)) return value.map((item) => jsonSafe(item, depth + 1, ancestors));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = jsonSafe(item, depth + 1, ancestors);
    return out;
  } finally {
    ancestors.delete(value);
  }
}

export function preview(value: unknown): string {
  const json = JSON.stringify(jsonSafe(value, 0, new Set())) ?? String(value);
  return json.length > 200 ? `${json.slice(0, 200)}…` : json;
}

export function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}

/** Why JSON.stringify would lose or reject part of `value`, with the path to it; null when it is fine. */
export function unserializable(value: unknown, path: string, ancestors = new Set<object>()): string | null {
  if (value !== null && typeof value === "object" && typeof (value as { toJSON?: unknown }).toJSON === "function") {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  switch (typeof value) {
    case "function":
      return `${path} is a function`;
    case "bigint":
      return `${path} is a BigInt (${String(value)}n); convert it to a string or number`;
    case "symbol":
      return `${path} is a symbol`;
    case "undefined":
      return `${path} is undefined`;
    case "number":
      return Number.isFinite(value) ? null : `${path} is ${value}, which JSON turns into null`;
    case "object":
      break;
    default:
      return null;
  }
  if (value === null) return null;
  const object = value as object;
  if (ancestors.has(object)) return `${path} refers back to one of its parents (a cycle)`;
  if (object instanceof Map || object instanceof Set) {
    return `${path} is a ${object.constructor.name}, which JSON turns into {}; convert it to an object or array`;
  }
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      for (let i = 0; i < object.length; i++) {
        const problem = unserializable(object[i], `${path}[${i}]`, ancestors);
        if (problem) return problem;
      }
      return null;
    }
    for (const [key, item] of Object.entries(object)) {
      if (item === undefined) continue; // JSON drops undefined properties, as optional fields expect
      const problem = unserializable(item, `${path}.${key}`, ancestors);
      if (problem) return problem;
    }
    return null;
  } finally {
    ancestors.delete(object);
  }
}
