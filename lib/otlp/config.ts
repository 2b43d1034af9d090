// Where an OTLP export goes: the project's settings (settings.otlp) part by part over the
// standard OTEL_EXPORTER_OTLP_* variables. Null when neither names an endpoint: then nothing
// is exported after an evaluation, and an export asked for by hand says how to configure one.
import { StudioError } from "../errors.ts";
import type { ProjectSettings } from "../projects/settings.ts";

export type OtlpProtocol = "http/protobuf" | "http/json";

export interface OtlpConfig {
  /** The traces URL itself (`…/v1/traces`). */
  url: string;
  protocol: OtlpProtocol;
  /** OTEL_EXPORTER_OTLP_HEADERS, then `_TRACES_HEADERS`, then the project's: a later one wins on a name. */
  headers: Record<string, string>;
  /** Where the endpoint came from, for messages. */
  source: "project" | "environment";
}

type Env = Record<string, string | undefined>;

/** The project's OTLP destination, or null when none is configured. Throws on a protocol it cannot speak. */
export function resolveOtlpConfig(settings: ProjectSettings, env: Env = process.env): OtlpConfig | null {
  const project = settings.otlp ?? {};
  const url = project.endpoint
    ? tracesUrl(project.endpoint)
    : env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim() ||
      (env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim() ? tracesUrl(env.OTEL_EXPORTER_OTLP_ENDPOINT.trim()) : null);
  if (!url) return null;
  const protocol =
    project.protocol ??
    readProtocol(env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL, "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL") ??
    readProtocol(env.OTEL_EXPORTER_OTLP_PROTOCOL, "OTEL_EXPORTER_OTLP_PROTOCOL") ??
    "http/protobuf";
  return {
    url,
    protocol,
    headers: {
      ...parseHeaders(env.OTEL_EXPORTER_OTLP_HEADERS ?? ""),
      ...parseHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS ?? ""),
      ...parseHeaders(project.headers ?? ""),
    },
    source: project.endpoint ? "project" : "environment",
  };
}

/** What to tell someone who asked for an export with nothing configured. */
export const NOT_CONFIGURED =
  "No OTLP endpoint is configured: set OTEL_EXPORTER_OTLP_ENDPOINT, or the project's otlp.endpoint setting (studio settings --set otlp.endpoint=http://localhost:4318).";

/** A base endpoint, as OTEL_EXPORTER_OTLP_ENDPOINT is, with the traces path added. */
export function tracesUrl(base: string): string {
  return `${base.replace(/\/+$/, "")}/v1/traces`;
}

/** `name=value,name=value`, values URL-encoded: the OTEL_EXPORTER_OTLP_HEADERS form. */
export function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of text.split(",")) {
    if (!pair.trim()) continue;
    const at = pair.indexOf("=");
    if (at <= 0) throw new StudioError(`OTLP header "${pair.trim()}" is not name=value.`);
    try {
      headers[pair.slice(0, at).trim()] = decodeURIComponent(pair.slice(at + 1).trim());
    } catch {
      throw new StudioError(`OTLP header "${pair.slice(0, at).trim()}" has a bad %-escape in its value.`);
    }
  }
  return headers;
}

function readProtocol(value: string | undefined, name: string): OtlpProtocol | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (text === "http/protobuf" || text === "http/json") return text;
  throw new StudioError(`${name} is "${text}": the studio exports over http/protobuf or http/json, not ${text}.`);
}
