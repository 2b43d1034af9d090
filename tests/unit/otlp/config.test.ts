// Where an export goes: the project's parts over the standard variables, the traces path
// added to a base endpoint, headers in the variable's own form, and a protocol it cannot
// speak refused in words.
import { describe, expect, it } from "vitest";
import { parseHeaders, resolveOtlpConfig } from "../../../lib/otlp/config.ts";
import { projectSettingsSchema } from "../../../lib/projects/settings.ts";

const settings = (otlp?: Record<string, string>) => projectSettingsSchema.parse(otlp ? { otlp } : {});

describe("resolveOtlpConfig", () => {
  it("is null when neither the project nor the environment names an endpoint", () => {
    expect(resolveOtlpConfig(settings(), {})).toBeNull();
    expect(resolveOtlpConfig(settings({ headers: "a=b" }), { OTEL_EXPORTER_OTLP_HEADERS: "c=d" })).toBeNull();
  });

  it("reads the standard variables: a base endpoint gets /v1/traces, the traces endpoint is used as is", () => {
    expect(
      resolveOtlpConfig(settings(), {
        OTEL_EXPORTER_OTLP_ENDPOINT: "https://cloud.example/api/public/otel/",
        OTEL_EXPORTER_OTLP_HEADERS: "Authorization=Basic%20cGs6c2s=, x-a = 1",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      }),
    ).toEqual({
      url: "https://cloud.example/api/public/otel/v1/traces",
      protocol: "http/json",
      headers: { Authorization: "Basic cGs6c2s=", "x-a": "1" },
      source: "environment",
    });
    expect(
      resolveOtlpConfig(settings(), {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318",
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b:4318/custom/path",
      }),
    ).toMatchObject({ url: "http://b:4318/custom/path", protocol: "http/protobuf" });
  });

  it("lets the project's parts win, headers name by name", () => {
    const config = resolveOtlpConfig(
      settings({ endpoint: "http://phoenix:6006", headers: "x-a=project", protocol: "http/protobuf" }),
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318",
        OTEL_EXPORTER_OTLP_HEADERS: "x-a=env,x-b=env",
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      },
    );
    expect(config).toEqual({
      url: "http://phoenix:6006/v1/traces",
      protocol: "http/protobuf",
      headers: { "x-a": "project", "x-b": "env" },
      source: "project",
    });
  });

  it("refuses grpc and bad headers in words", () => {
    expect(() =>
      resolveOtlpConfig(settings(), { OTEL_EXPORTER_OTLP_ENDPOINT: "http://a", OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" }),
    ).toThrow('OTEL_EXPORTER_OTLP_PROTOCOL is "grpc": the studio exports over http/protobuf or http/json, not grpc.');
    expect(() => parseHeaders("novalue")).toThrow('OTLP header "novalue" is not name=value.');
    expect(() => parseHeaders("a=%zz")).toThrow('OTLP header "a" has a bad %-escape in its value.');
  });

  it("checks the project's settings with the settings page's messages", () => {
    const parsed = projectSettingsSchema.safeParse({
      otlp: { endpoint: "localhost:4318", protocol: "grpc", headers: "x" },
    });
    expect(parsed.success).toBe(false);
    const messages = Object.fromEntries(parsed.error!.issues.map((issue) => [issue.path.join("."), issue.message]));
    expect(messages).toEqual({
      "otlp.endpoint": "must be an http:// or https:// address, such as http://localhost:4318",
      "otlp.headers": "must be name=value pairs separated by commas, such as Authorization=Basic%20abc",
      "otlp.protocol": "must be http/protobuf or http/json",
    });
  });
});
