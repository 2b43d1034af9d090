// The task set: the suite's tasks with input, expected answer and split, and how the candidates
// did on each. The test split is shown: it is sealed from proposers, not from the project's people.
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge, EmptyState, Page, ui } from "@/components/ui";
import styles from "@/components/tasks/tasks.module.css";
import { listTasks } from "@/lib/tasks/queries";
import { getProject } from "@/lib/projects/queries";
import { ProjectHeader } from "../ProjectHeader";

export const metadata = { title: "Tasks" };

type Query = Promise<Record<string, string | string[] | undefined>>;

export default async function TasksPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Query;
}) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const project = await getProject(id);
  if (!project) notFound();
  const split = query.split === "search" || query.split === "test" ? query.split : undefined;
  const page = typeof query.page === "string" && /^\d{1,6}$/.test(query.page) ? Number(query.page) : 0;
  const list = await listTasks(id, { split, page });
  if (!list) notFound();
  const base = `/projects/${id}/tasks`;
  const href = (change: { split?: string; page?: number }) => {
    const params = new URLSearchParams();
    const next = { split, page: undefined as number | undefined, ...change };
    if (next.split) params.set("split", next.split);
    if (next.page) params.set("page", String(next.page));
    const search = params.toString();
    return search ? `${base}?${search}` : base;
  };
  const lastPage = Math.max(0, Math.ceil(list.total / list.pageSize) - 1);

  return (
    <Page>
      <ProjectHeader project={project} active="tasks" />
      <div className={styles.controls}>
        <span>Split</span>
        <span className={ui.segmented}>
          <Link href={href({ split: undefined })} aria-current={!split ? "page" : undefined}>
            both
          </Link>
          <Link href={href({ split: "search" })} aria-current={split === "search" ? "page" : undefined}>
            search
          </Link>
          <Link href={href({ split: "test" })} aria-current={split === "test" ? "page" : undefined}>
            test
          </Link>
        </span>
        <span>
          {list.total.toLocaleString("en-US")} task{list.total === 1 ? "" : "s"}
        </span>
      </div>
      {list.rows.length === 0 ? (
        <EmptyState icon="☰" title="No tasks">
          <p>{split ? `The suite has no ${split} task.` : "The suite has no task."}</p>
        </EmptyState>
      ) : (
        <div className={styles.scroll}>
          <table className={ui.table} data-table="tasks">
            <thead>
              <tr>
                <th>Task</th>
                <th>Split</th>
                <th>Input</th>
                <th>Expected</th>
                <th title="Task runs of this task over every evaluation">Passed · failed · error</th>
              </tr>
            </thead>
            <tbody>
              {list.rows.map((row) => (
                <tr key={row.id} data-task={row.key}>
                  <td>
                    <Link href={`${base}/${row.id}`} className={ui.rowTitle} prefetch={false}>
                      {row.key}
                    </Link>
                  </td>
                  <td>
                    <Badge tone={row.split === "test" ? "accent" : "neutral"}>{row.split}</Badge>
                  </td>
                  <td>
                    <div className={styles.preview} title={row.inputPreview}>
                      {row.inputPreview}
                    </div>
                  </td>
                  <td>
                    <div className={styles.preview} title={row.expectedPreview}>
                      {row.expectedPreview}
                    </div>
                  </td>
                  <td className="num">
                    <span className={styles.counts}>
                      <span className={styles.pass}>{row.passed}</span>·
                      <span className={styles.fail}>{row.failed}</span>·
                      <span className={styles.warn}>{row.errors}</span>
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {lastPage > 0 && (
        <nav className={styles.pager} aria-label="Pages of tasks">
          {page > 0 && <Link href={href({ page: page - 1 })}>← Previous</Link>}
          <span>
            Page {page + 1} of {lastPage + 1}
          </span>
          {page < lastPage && <Link href={href({ page: page + 1 })}>Next →</Link>}
        </nav>
      )}
    </Page>
  );
}
