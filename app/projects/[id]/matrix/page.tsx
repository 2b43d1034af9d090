// The task × candidate matrix: which candidate passes which task, to see what to combine.
import Link from "next/link";
import { notFound } from "next/navigation";
import { EmptyState, Page, ui } from "@/components/ui";
import { TaskMatrix } from "@/components/tasks/TaskMatrix";
import styles from "@/components/tasks/matrix.module.css";
import { parseMatrixCandidates, taskMatrix } from "@/lib/tasks/matrix";
import { MATRIX_SORTS, type MatrixSort } from "@/lib/tasks/matrix-order";
import { getProject } from "@/lib/projects/queries";
import { ProjectHeader } from "../ProjectHeader";

export const metadata = { title: "Task × candidate matrix" };

type Query = Promise<Record<string, string | string[] | undefined>>;
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

export default async function MatrixPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Query;
}) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const project = await getProject(id);
  if (!project || !project.suite) notFound();
  const split = one(query.split) === "test" ? "test" : "search";
  const asked = one(query.candidates);
  const candidates = parseMatrixCandidates(asked);
  const sort = (MATRIX_SORTS as readonly string[]).includes(one(query.sort) ?? "")
    ? (one(query.sort) as MatrixSort)
    : "suite";
  const matrix = candidates ? await taskMatrix(id, { split, candidates }) : null;
  const base = `/projects/${id}/matrix`;
  const href = (change: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    const next = { split, candidates: asked, sort: sort === "suite" ? undefined : sort, ...change };
    for (const [key, value] of Object.entries(next))
      if (value && !(key === "split" && value === "search")) params.set(key, value);
    const search = params.toString();
    return search ? `${base}?${search}` : base;
  };
  const chosen = matrix?.chosen ?? "list";

  return (
    <Page>
      <ProjectHeader project={project} active="matrix" />
      <div className={styles.controls}>
        <span>Split</span>
        <span className={ui.segmented}>
          <Link href={href({ split: "search" })} aria-current={split === "search" ? "page" : undefined}>
            search
          </Link>
          <Link href={href({ split: "test" })} aria-current={split === "test" ? "page" : undefined}>
            test
          </Link>
        </span>
        <span>Candidates</span>
        <span className={ui.segmented}>
          <Link href={href({ candidates: undefined })} aria-current={chosen === "frontier" ? "page" : undefined}>
            Frontier
          </Link>
          <Link href={href({ candidates: "all" })} aria-current={chosen === "all" ? "page" : undefined}>
            All
          </Link>
        </span>
        <form method="get" action={base}>
          {split === "test" && <input type="hidden" name="split" value="test" />}
          {sort !== "suite" && <input type="hidden" name="sort" value={sort} />}
          <input
            className={ui.input}
            type="text"
            name="candidates"
            placeholder="#3, 7, 12"
            defaultValue={chosen === "list" ? asked : ""}
            aria-label="Candidate numbers"
          />
          <button className={ui.button} type="submit">
            Show
          </button>
        </form>
      </div>
      {!matrix ? (
        <p role="alert">
          “{asked}” is not a list of candidate numbers: write them as <code>3, 7, 12</code>, or choose Frontier or All.
        </p>
      ) : matrix.columns.length === 0 || matrix.tasks.length === 0 ? (
        <EmptyState icon="▦" title={matrix.tasks.length === 0 ? `No ${split} tasks` : "No candidates to show"}>
          <p>
            {matrix.tasks.length === 0
              ? "The suite has no task on this split."
              : chosen === "frontier"
                ? "No candidate has a finished search evaluation yet, so there is no frontier."
                : "None of these candidates exists in this project."}
          </p>
        </EmptyState>
      ) : (
        <TaskMatrix key={`${split}:${asked ?? ""}`} projectId={id} matrix={matrix} initialSort={sort} />
      )}
    </Page>
  );
}
