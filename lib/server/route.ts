// Every JSON route goes through route(): its input (path params, query, JSON body) parsed with
// the route's zod schemas, one lib/ call, and the studio's errors answered with one status per
// kind, the same in every route. The token and origin checks ran before (guard.ts).
import { z } from "zod";
import { StudioError, type StudioErrorCode } from "../errors.ts";

/** The one table from a kind of refusal to its HTTP status. */
export const ERROR_STATUS: Record<StudioErrorCode, number> = {
  invalid: 400,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  uncompilable: 422,
};

export interface RouteSpec<
  P extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  B extends z.ZodType | undefined,
> {
  params?: P;
  query?: Q;
  body?: B;
  /** What a refused input answers with, beside one message per field (`fields`). */
  invalid?: string;
  /** On success: 200 unless said (201 created, 202 queued for the worker). */
  status?: number;
  /** For answers a page polls: never served from a cache. */
  noStore?: boolean;
}

type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<P, Q, B> {
  params: Parsed<P>;
  query: Parsed<Q>;
  body: Parsed<B>;
}

/** Next.js's second argument to a route handler: the path's params, checked by `spec.params`. */
export interface RouteContext {
  params: Promise<object>;
}

export function route<
  P extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(
  spec: RouteSpec<P, Q, B>,
  run: (input: RouteInput<P, Q, B>, request: Request) => Promise<unknown>,
): (request: Request, context: RouteContext) => Promise<Response> {
  const invalid = spec.invalid ?? "The request is not valid.";
  return async (request, context) => {
    try {
      const input = {
        params: parse(spec.params, await context.params, invalid),
        query: parse(spec.query, Object.fromEntries(new URL(request.url).searchParams), invalid),
        body: spec.body ? parse(spec.body, await readJson(request, invalid), invalid) : undefined,
      } as RouteInput<P, Q, B>;
      const result = await run(input, request);
      return Response.json(result, {
        status: spec.status ?? 200,
        headers: spec.noStore ? { "cache-control": "no-store" } : undefined,
      });
    } catch (error) {
      if (!(error instanceof StudioError)) throw error;
      return Response.json(
        { error: error.message, ...(error.hint ? { hint: error.hint } : {}), ...error.details },
        { status: ERROR_STATUS[error.code] },
      );
    }
  };
}

function parse(schema: z.ZodType | undefined, value: unknown, invalid: string): unknown {
  if (!schema) return undefined;
  const parsed = schema.safeParse(value);
  if (!parsed.success)
    throw new StudioError(invalid, { code: "invalid", details: { fields: fieldErrors(parsed.error) } });
  return parsed.data;
}

async function readJson(request: Request, invalid: string): Promise<unknown> {
  const text = await request.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new StudioError(invalid, { code: "invalid", details: { fields: { body: "must be JSON" } } });
  }
}

/** "settings.budgets.task.tokens" → "must be more than 0 tokens": one message per field. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) fields[[...issue.path, key].join(".")] ??= "is not a setting the studio knows";
      continue;
    }
    fields[issue.path.join(".") || "body"] ??= issue.message;
  }
  return fields;
}
