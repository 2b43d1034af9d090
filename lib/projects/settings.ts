// A project's budgets and limits, stored as JSON on the project and read through one schema
// so every page, the CLI and the runner agree on names and defaults. Messages read after the
// field's label ("Tokens must be more than 0"): the settings page shows them next to the field.
import { z } from "zod";
import { MAX_TRIALS } from "../evaluations/trials.ts";

const number = { error: "must be a number" };

/**
 * A limit in tokens, dollars, or both: whichever is reached first. Tokens are every token of a
 * model call: input, output, cache writes and cache reads (as the stored figures count them);
 * dollars price each call at its model's rates. The recording proxy refuses the next call once
 * a limit is reached.
 */
const limit = z
  .object({
    tokens: z
      .number(number)
      .int({ error: "must be a whole number of tokens" })
      .positive({ error: "must be more than 0 tokens" })
      .optional(),
    usd: z.number(number).positive({ error: "must be more than $0" }).optional(),
  })
  .strict();
/**
 * An OTLP/HTTP destination: the base endpoint (as OTEL_EXPORTER_OTLP_ENDPOINT: `/v1/traces` is
 * added), headers in the variable's own `name=value,name=value` form, and the protocol.
 */
const otlpSchema = z
  .object({
    endpoint: z
      .string({ error: "must be text" })
      .refine((text) => /^https?:\/\/[^\s]+$/.test(text) && URL.canParse(text), {
        error: "must be an http:// or https:// address, such as http://localhost:4318",
      })
      .optional(),
    headers: z
      .string({ error: "must be text" })
      .max(8000, { error: "must be at most 8000 characters" })
      .refine((text) => text.split(",").every((pair) => !pair.trim() || /^\s*[^=\s]+\s*=/.test(pair)), {
        error: "must be name=value pairs separated by commas, such as Authorization=Basic%20abc",
      })
      .optional(),
    protocol: z.enum(["http/protobuf", "http/json"], { error: "must be http/protobuf or http/json" }).optional(),
  })
  .strict();

/** The proposer's and the evaluations' spending, limited separately. */
const split = z.object({ proposer: limit.optional(), evaluation: limit.optional() }).strict();

export const projectSettingsSchema = z
  .object({
    budgets: z
      .object({
        /** One task run's model calls. */
        task: limit.optional(),
        /** One evaluation's model calls (all its task runs). */
        evaluation: limit.optional(),
        /** Each iteration: its proposer run, and the evaluations of its candidates. */
        iteration: split.optional(),
        /** The whole project, over all iterations and evaluations. */
        project: split.optional(),
      })
      .strict()
      .default({}),
    /** Task runs at once for independent suites; default: the number of cores. */
    concurrency: z
      .number(number)
      .int({ error: "must be a whole number from 1 to 64" })
      .positive({ error: "must be a whole number from 1 to 64" })
      .max(64, { error: "must be a whole number from 1 to 64" })
      .optional(),
    /** Task runs per task in an evaluation (each with its own trace); a task scores its mean. Default 1. */
    trials: z
      .number(number)
      .int({ error: "must be a whole number from 1 to 20" })
      .min(1, { error: "must be a whole number from 1 to 20" })
      .max(MAX_TRIALS, { error: "must be a whole number from 1 to 20" })
      .optional(),
    /** Trials of the end-of-run evaluations of the frontier on the test split; default: `trials`. */
    testTrials: z
      .number(number)
      .int({ error: "must be a whole number from 1 to 20" })
      .min(1, { error: "must be a whole number from 1 to 20" })
      .max(MAX_TRIALS, { error: "must be a whole number from 1 to 20" })
      .optional(),
    /** Memory limit of one sandbox worker, in MiB. */
    memoryMb: z
      .number(number)
      .int({ error: "must be a whole number of MiB from 128 to 65536" })
      .min(128, { error: "must be at least 128 MiB" })
      .max(65536, { error: "must be at most 65536 MiB" })
      .optional(),
    /**
     * The built-in proposer's context window in tokens: each request is kept under it (old tool
     * results cleared to stubs). Default: the proposer model's window (200K for Claude models).
     * At least 32K: the answer's max_tokens (16K) comes out of it.
     */
    proposerContextWindow: z
      .number(number)
      .int({ error: "must be a whole number of tokens from 32,000 to 10,000,000" })
      .min(32_000, { error: "must be at least 32,000 tokens" })
      .max(10_000_000, { error: "must be at most 10,000,000 tokens" })
      .optional(),
    /**
     * An evaluation or optimization estimated above this many dollars asks for confirmation
     * before it starts (the CLI's prompt or --yes, the run controls' confirm step); default $1.
     */
    confirmAboveUsd: z.number(number).min(0, { error: "must be $0 or more" }).optional(),
    /** Where this project's traces go over OTLP/HTTP (lib/otlp); each part, when set, wins over OTEL_EXPORTER_OTLP_*. */
    otlp: otlpSchema.optional(),
  })
  .strict();

/** Trials per task of an evaluation: the one asked for, else the setting for its split, else 1. */
export function trialsFor(settings: ProjectSettings, split: "search" | "test", asked?: number): number {
  return asked ?? (split === "test" ? (settings.testTrials ?? settings.trials) : settings.trials) ?? 1;
}

/** What confirmAboveUsd is when not set. */
export const DEFAULT_CONFIRM_ABOVE_USD = 1;

export type ProjectSettings = z.infer<typeof projectSettingsSchema>;
export type Limit = z.infer<typeof limit>;

/** Reads stored settings; unknown or invalid content falls back to defaults rather than breaking a run. */
export function readSettings(json: unknown): ProjectSettings {
  const parsed = projectSettingsSchema.safeParse(json ?? {});
  return parsed.success ? parsed.data : projectSettingsSchema.parse({});
}
