// Where a matrix cell leads: the task run of one task in one evaluation, opened as its trace.
import { notFound, redirect } from "next/navigation";
import { isId } from "@/lib/traces/queries";
import { findTaskRun } from "@/lib/tasks/queries";

type Query = Promise<Record<string, string | string[] | undefined>>;

export default async function OpenTaskRun({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Query;
}) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const evaluation = typeof query.evaluation === "string" ? query.evaluation : "";
  const task = typeof query.task === "string" ? query.task : "";
  if (!isId(id) || !isId(evaluation) || !isId(task)) notFound();
  const runId = await findTaskRun(id, evaluation, task);
  if (!runId) notFound();
  redirect(`/projects/${id}/runs/${runId}`);
}
