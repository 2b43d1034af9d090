// Search and filter across all task runs of the project; the filters are the URL's query string.
import Link from "next/link";
import { notFound } from "next/navigation";
import { EmptyState, Page } from "@/components/ui";
import { SearchForm } from "@/components/search/SearchForm";
import { SearchResultsTable } from "@/components/search/SearchResultsTable";
import styles from "@/components/search/search.module.css";
import { fieldErrors } from "@/lib/server/route";
import { filtersToQuery, parseSort, searchFiltersSchema, withoutEmpty } from "@/lib/search/filters";
import { projectErrorKinds, searchTaskRuns } from "@/lib/search/task-runs";
import { StudioError } from "@/lib/errors";
import { getProject } from "@/lib/projects/queries";
import { ProjectHeader } from "../ProjectHeader";

export const metadata = { title: "Search task runs" };

type Query = Promise<Record<string, string | string[] | undefined>>;

export default async function SearchPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Query;
}) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const [project, errorKinds] = await Promise.all([getProject(id), projectErrorKinds(id)]);
  if (!project) notFound();
  const raw = withoutEmpty(query);
  const parsed = searchFiltersSchema.safeParse(raw);
  let problems: string[] = [];
  let results = null;
  if (!parsed.success) {
    problems = Object.entries(fieldErrors(parsed.error)).map(([field, message]) => `${field}: ${message}`);
  } else {
    try {
      results = await searchTaskRuns(id, parsed.data);
    } catch (error) {
      if (!(error instanceof StudioError)) throw error;
      problems = [error.message];
    }
  }
  const action = `/projects/${id}/search`;
  const filters = parsed.success ? parsed.data : {};
  const { sort, page, ...kept } = filters;
  const keptQuery = filtersToQuery(kept);
  const pageHref = (to: number) => `${action}?${filtersToQuery({ ...kept, sort, page: to || undefined })}`;
  const lastPage = results ? Math.max(0, Math.ceil(results.total / results.pageSize) - 1) : 0;

  return (
    <Page>
      <ProjectHeader project={project} active="search" />
      <SearchForm action={action} raw={raw} errorKinds={errorKinds} />
      {problems.length > 0 && (
        <p className={styles.errors} role="alert">
          {problems.join(" · ")}
        </p>
      )}
      {results && (
        <>
          <div className={styles.summary}>
            <span data-testid="search-total">
              {results.total.toLocaleString("en-US")} task run{results.total === 1 ? "" : "s"}
              {results.total > results.pageSize
                ? ` · ${(results.page * results.pageSize + 1).toLocaleString("en-US")}–${(results.page * results.pageSize + results.rows.length).toLocaleString("en-US")} shown`
                : ""}
            </span>
          </div>
          {results.rows.length === 0 ? (
            <EmptyState icon="⌕" title="No task run matches">
              <p>
                <Link href={action}>Clear the filters</Link>
              </p>
            </EmptyState>
          ) : (
            <SearchResultsTable projectId={id} rows={results.rows} sort={parseSort(sort)} query={keptQuery} />
          )}
          {lastPage > 0 && (
            <nav className={styles.pager} aria-label="Pages of results">
              {results.page > 0 && <Link href={pageHref(results.page - 1)}>← Previous</Link>}
              <span>
                Page {results.page + 1} of {lastPage + 1}
              </span>
              {results.page < lastPage && <Link href={pageHref(results.page + 1)}>Next →</Link>}
            </nav>
          )}
        </>
      )}
    </Page>
  );
}
