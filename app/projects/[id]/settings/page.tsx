import { notFound } from "next/navigation";
import { InstructionsSection } from "@/components/settings/InstructionsSection";
import { ModelPrices } from "@/components/settings/ModelPrices";
import { SettingsForm } from "@/components/settings/SettingsForm";
import styles from "@/components/settings/settings.module.css";
import { Page } from "@/components/ui";
import { projectProgress } from "@/lib/projects/progress";
import { getProject } from "@/lib/projects/queries";
import { DEFAULT_CONFIRM_ABOVE_USD } from "@/lib/projects/settings";
import { readProjectSettings } from "@/lib/projects/settings-edit";
import { listPrices, loadPriceOverrides, priceSource } from "@/lib/prices/overrides";
import { SANDBOX_DEFAULTS } from "@/lib/runner/sandbox/limits";
import { ProjectHeader } from "../ProjectHeader";

export const metadata = { title: "Settings" };

type Query = Promise<Record<string, string | string[] | undefined>>;

export default async function SettingsPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Query;
}) {
  const [{ id }, query] = await Promise.all([params, searchParams]);
  const [project, settings] = await Promise.all([getProject(id), readProjectSettings(id)]);
  if (!project || !settings) notFound();
  const [progress, prices] = await Promise.all([projectProgress(project.id), listPrices(), loadPriceOverrides()]);
  const pricedModels = [{ role: "Task model", model: settings.model }];
  if (settings.proposerKind !== "offline") pricedModels.push({ role: "Proposer model", model: settings.proposerModel });

  return (
    <Page>
      <ProjectHeader project={project} active="settings" />
      {progress.running && (
        <p className={styles.banner} role="note" data-running>
          An optimization is running
          {progress.optimization
            ? ` (${progress.optimization.iterationsDone} of ${progress.optimization.iterationsRequested} iterations done)`
            : ""}
          . Saving is safe: the iteration in progress keeps the settings and instructions it started with, and the next
          iteration uses what you save.
        </p>
      )}
      {!progress.modelConfigured && (
        <p className={styles.banner} role="note" data-offline>
          No model API key is set on this server: iterations started from the browser use the offline model and the
          offline proposer, and are marked simulated, whatever is chosen below. These settings apply once{" "}
          <code>ANTHROPIC_API_KEY</code> is set.
        </p>
      )}
      <SettingsForm
        projectId={project.id}
        initial={settings}
        defaultMemoryMb={SANDBOX_DEFAULTS.memoryMb}
        defaultConfirmAboveUsd={DEFAULT_CONFIRM_ABOVE_USD}
      />
      <ModelPrices
        initial={prices}
        models={pricedModels.map((entry) => ({ ...entry, source: priceSource(entry.model) }))}
      />
      <InstructionsSection projectId={project.id} query={query} />
    </Page>
  );
}
