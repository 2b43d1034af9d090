// Transfer across models: does a harness found with the project's model carry over to other
// models, and does a cheaper model with a better harness beat a dearer one?
import Link from "next/link";
import { notFound } from "next/navigation";
import { EmptyState, Page, SimulatedBadge, ui } from "@/components/ui";
import { TransferForm } from "@/components/transfer/TransferForm";
import { TransferTable } from "@/components/transfer/TransferTable";
import styles from "@/components/transfer/transfer.module.css";
import matrixStyles from "@/components/tasks/matrix.module.css";
import { listPrices } from "@/lib/prices/overrides";
import { getProject } from "@/lib/projects/queries";
import { parseTransferCandidates, transferMatrix } from "@/lib/transfer/matrix";
import { ProjectHeader } from "../ProjectHeader";

export const metadata = { title: "Transfer across models" };

type Query = Promise<Record<string, string | string[] | undefined>>;
const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value)?.trim() || undefined;

export default async function TransferPage({
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
  const numbers = parseTransferCandidates(asked);
  const [matrix, prices] = await Promise.all([
    numbers === "invalid" ? null : transferMatrix(id, split, numbers),
    listPrices(),
  ]);
  const base = `/projects/${id}/transfer`;
  const href = (change: Record<string, string | undefined>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries({ split, candidates: asked, ...change }))
      if (value && !(key === "split" && value === "search")) params.set(key, value);
    const search = params.toString();
    return search ? `${base}?${search}` : base;
  };
  const priced = [...new Set([...prices.overrides.map((row) => row.model), ...prices.builtIn])].filter(
    (model) => model !== matrix?.projectModel,
  );

  return (
    <Page>
      <ProjectHeader project={project} active="transfer" />
      <div className={matrixStyles.controls}>
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
        <form method="get" action={base}>
          {split === "test" && <input type="hidden" name="split" value="test" />}
          <input
            className={ui.input}
            type="text"
            name="candidates"
            placeholder="seed, best, frontier"
            defaultValue={asked ?? ""}
            aria-label="Candidate numbers"
          />
          <button className={ui.button} type="submit">
            Show
          </button>
        </form>
        {matrix?.simulated && <SimulatedBadge />}
      </div>
      {!matrix ? (
        <p role="alert">
          “{asked}” is not a list of candidate numbers: write them as <code>3, 7, 12</code>, or leave it empty for the
          seed, the best and the frontier.
        </p>
      ) : matrix.rows.length === 0 ? (
        <EmptyState icon="⇄" title="No candidates to show">
          <p>None of these candidates exists in this project, or none is valid.</p>
        </EmptyState>
      ) : (
        <>
          <p className={styles.finding} data-testid="transfer-finding">
            {matrix.finding ??
              (matrix.models.length > 1
                ? "Nothing can be said yet: the seed and another candidate need finished evaluations with the same models, with intervals (and prices, for cost)."
                : "Evaluate these candidates with other models below to see whether the harness carries over.")}
          </p>
          <TransferTable projectId={id} matrix={matrix} />
          <p className="faint">
            Scores with models other than the project&apos;s ({matrix.projectModel}) stay out of the search: the best
            candidate, the frontier, the charts and the proposer&apos;s workspace use the project&apos;s model only.
            Gains are over the seed with the same model; differences smaller than the 95% intervals may be noise.
          </p>
        </>
      )}
      {matrix && matrix.rows.length > 0 && (
        <TransferForm
          projectId={id}
          split={split}
          projectModel={matrix.projectModel}
          candidates={matrix.rows.map((row) => ({
            id: row.candidateId,
            number: row.number,
            label: [row.seed && "seed", row.best && "best", row.frontier && "frontier"].filter(Boolean).join(", "),
          }))}
          pricedModels={priced}
          initialModels={matrix.models.filter((model) => model !== matrix.projectModel)}
          pending={matrix.rows.some((row) => row.pending.length > 0)}
        />
      )}
    </Page>
  );
}
