// The filters of a search across a project's task runs, read from a URL's query string: the one
// schema the search page and GET /api/projects/[id]/search share, so a link and a request say
// the same thing. Lists are comma-separated (`status=failed,error`); ranges are `…Min`/`…Max`.
import { z } from "zod";

/** Task runs per page of results. */
export const SEARCH_PAGE_SIZE = 100;
/** Where `q` looks: the model's output (the task run's), the task's expected answer, its input. */
export const TEXT_FIELDS = ["output", "expected", "input"] as const;
export const RUN_STATUSES = ["passed", "failed", "error", "pending", "running"] as const;
export const SORT_KEYS = ["candidate", "task", "score", "tokens", "latency", "cost"] as const;

export type TextField = (typeof TEXT_FIELDS)[number];
export type SortKey = (typeof SORT_KEYS)[number];

const list = <T extends z.ZodType<unknown, string>>(item: T, max: number) =>
  z
    .string()
    .transform((raw) => [
      ...new Set(
        raw
          .split(",")
          .map((part) => part.trim())
          .filter(Boolean),
      ),
    ])
    .pipe(z.array(item).max(max, `at most ${max} values`));

const bound = (max: number) => z.coerce.number().min(0, "must be 0 or more").max(max);

export const searchFiltersSchema = z
  .object({
    q: z.string().trim().max(200, "at most 200 characters").optional(),
    in: list(z.enum(TEXT_FIELDS), TEXT_FIELDS.length).optional(),
    status: list(z.enum(RUN_STATUSES), RUN_STATUSES.length).optional(),
    errorKind: list(z.string().regex(/^[a-z_]{1,40}$/, "is not an error kind"), 20).optional(),
    scoreMin: bound(1).optional(),
    scoreMax: bound(1).optional(),
    tokensMin: bound(1e12).optional(),
    tokensMax: bound(1e12).optional(),
    latencyMin: bound(1e10).optional(),
    latencyMax: bound(1e10).optional(),
    costMin: bound(1e6).optional(),
    costMax: bound(1e6).optional(),
    tool: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_.:-]{1,64}$/, "is not a tool name")
      .optional(),
    candidate: list(
      z
        .string()
        .regex(/^#?\d{1,9}$/, "is not a candidate number")
        .transform((value) => Number(value.replace("#", ""))),
      500,
    ).optional(),
    split: z.enum(["search", "test"]).optional(),
    sort: z
      .string()
      .regex(new RegExp(`^(${SORT_KEYS.join("|")})\\.(asc|desc)$`), "is not a sort")
      .optional(),
    page: z.coerce.number().int().min(0).max(100_000).optional(),
  })
  // Unknown parameters (a stray `?event=`) are not filters: ignored, never an error.
  .strip();

export type SearchFilters = z.output<typeof searchFiltersSchema>;

/** Empty parameters (`?q=&status=`) mean "no filter", as an empty form field does. */
export function withoutEmpty(query: Record<string, string | string[] | undefined>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    const one = Array.isArray(value) ? value.join(",") : value;
    if (one != null && one.trim() !== "") kept[key] = one;
  }
  return kept;
}

/** Filters as a query string, in a stable order: the URL a page links to. */
export function filtersToQuery(filters: SearchFilters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) {
    if (value == null || value === "" || (Array.isArray(value) && !value.length)) continue;
    params.set(key, Array.isArray(value) ? value.join(",") : String(value));
  }
  return params.toString();
}

/** The sort as key and direction; newest candidate first when none is asked for. */
export function parseSort(sort: string | undefined): { key: SortKey; desc: boolean } {
  const [key, dir] = (sort ?? "candidate.desc").split(".");
  return { key: key as SortKey, desc: dir !== "asc" };
}
