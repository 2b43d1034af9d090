"use client";

// The overview's two charts side by side. Their points (one per candidate, hundreds in a long
// project) load after the page, as the lineage tree's do, so the page's HTML stays small and
// its table comes first; a new project revision (work landed) reads them again.
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { Section, ui } from "@/components/ui";
import { chartsQuery } from "@/components/data/queries";
import { FrontierChart } from "./FrontierChart";
import { ScoreProgressChart } from "./ScoreProgressChart";
import styles from "./charts.module.css";

export function ProjectCharts({ projectId, revision }: { projectId: string; revision: string }) {
  const query = useQuery({ ...chartsQuery(projectId, revision), placeholderData: keepPreviousData });
  const pending = (what: string) =>
    query.isError ? (
      <p className={`${styles.empty} ${ui.error}`}>Could not read the chart: {query.error.message}</p>
    ) : (
      <div className={`${styles.empty} faint`} data-chart-loading>
        Loading {what}…
      </div>
    );
  return (
    <div className={styles.grid}>
      <Section title="Best search score" hint="Best so far, by iteration (0 = the seed)">
        {query.data ? <ScoreProgressChart data={query.data.progress} /> : pending("the scores by iteration")}
      </Section>
      <Section title="Score against cost" hint="Search score by cost per task; the line is the frontier">
        {query.data ? (
          <FrontierChart projectId={projectId} points={query.data.points} />
        ) : (
          pending("the candidates' scores and costs")
        )}
      </Section>
    </div>
  );
}
