import { z } from "zod";
import { route } from "@/lib/server/route";
import { searchFiltersSchema, withoutEmpty } from "@/lib/search/filters";
import { searchTaskRuns } from "@/lib/search/task-runs";

const params = z.object({ id: z.string() });
const query = z.preprocess((value) => withoutEmpty(value as Record<string, string>), searchFiltersSchema);

/**
 * The project's task runs matching the filters of the query string (the search page's URL):
 * one page of rows with previews, and the total. Bad filters answer 400 with one message per field.
 */
export const GET = route(
  { params, query, noStore: true, invalid: "The search filters are not valid." },
  ({ params, query }) => searchTaskRuns(params.id, query),
);
