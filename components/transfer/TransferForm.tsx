"use client";

// Starts transfer evaluations: the chosen candidates, each with each chosen model, on the page's
// split. Each one goes through the candidate's own evaluation route (recorded, queued for the job
// worker); the estimate is read first and, above the project's confirmation setting, asks.
// While any of them runs, the page re-renders every few seconds so the matrix fills in.
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { EstimateLine, useSpendConfirmation } from "@/components/SpendConfirm";
import { ui } from "@/components/ui";
import styles from "./transfer.module.css";

const REFRESH_MS = 3000;

interface Choice {
  id: string;
  number: number;
  label: string;
}

export function TransferForm(props: {
  projectId: string;
  split: "search" | "test";
  projectModel: string;
  candidates: Choice[];
  /** Models with a known price, offered as suggestions. */
  pricedModels: string[];
  /** The models the matrix already shows besides the project's. */
  initialModels: string[];
  /** Some evaluation of the matrix is queued or running. */
  pending: boolean;
}) {
  const router = useRouter();
  const [chosen, setChosen] = useState<Set<string>>(() => new Set(props.candidates.map((c) => c.id)));
  const [models, setModels] = useState<string[]>(props.initialModels);
  const [draft, setDraft] = useState("");
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [errors, setErrors] = useState<string[]>([]);
  const spend = useSpendConfirmation(props.projectId);

  useEffect(() => {
    if (!props.pending) return;
    const timer = setInterval(() => router.refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [props.pending, router]);

  function addModel() {
    const name = draft.trim();
    if (!name) return;
    if (!models.includes(name)) setModels([...models, name]);
    setDraft("");
  }

  const picked = props.candidates.filter((candidate) => chosen.has(candidate.id));
  const run = { split: props.split, models, candidates: picked.length };

  async function start() {
    setBusy(true);
    const started: string[] = [];
    const refused: string[] = [];
    for (const candidate of picked)
      for (const model of models) {
        try {
          const response = await fetch(`/api/candidates/${candidate.id}/evaluations`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ projectId: props.projectId, split: props.split, model }),
          });
          if (response.ok) started.push(`#${candidate.number} with ${model}`);
          else {
            const body = (await response.json().catch(() => ({}))) as { error?: string };
            refused.push(
              `#${candidate.number} with ${model}: ${body.error ?? `the studio answered ${response.status}`}`,
            );
          }
        } catch {
          refused.push(`#${candidate.number} with ${model}: the studio could not be reached`);
        }
      }
    setMessage(
      started.length
        ? `Queued ${started.length} evaluation${started.length === 1 ? "" : "s"}; the matrix fills in as they finish.`
        : "Nothing was queued.",
    );
    setErrors(refused);
    setBusy(false);
    router.refresh();
  }

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setMessage(null);
    setErrors([]);
    if (!picked.length || !models.length) {
      setMessage("Choose at least one candidate and one model.");
      return;
    }
    await spend.guard(run, "Start the transfer evaluations", start);
  }

  return (
    <form className={styles.form} onSubmit={submit} aria-label="Evaluate on other models">
      <fieldset>
        <legend>Candidates</legend>
        {props.candidates.map((candidate) => (
          <label key={candidate.id}>
            <input
              type="checkbox"
              checked={chosen.has(candidate.id)}
              onChange={(event) => {
                const next = new Set(chosen);
                if (event.target.checked) next.add(candidate.id);
                else next.delete(candidate.id);
                setChosen(next);
              }}
            />{" "}
            #{candidate.number} <span className="faint">{candidate.label}</span>
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Models</legend>
        {models.map((model) => (
          <span key={model} className={styles.chip} data-model-chip={model}>
            {model}
            <button
              type="button"
              aria-label={`Remove ${model}`}
              onClick={() => setModels(models.filter((m) => m !== model))}
            >
              ×
            </button>
          </span>
        ))}
        <input
          className={ui.input}
          list="transfer-models"
          value={draft}
          placeholder="claude-haiku-4-5"
          aria-label="Model to add"
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === "Enter") {
              event.preventDefault();
              addModel();
            }
          }}
        />
        <datalist id="transfer-models">
          {props.pricedModels
            .filter((model) => !models.includes(model))
            .map((model) => (
              <option key={model} value={model} />
            ))}
        </datalist>
        <button type="button" className={ui.button} onClick={addModel}>
          Add model
        </button>
        <span className="faint">
          Any model name; the ones offered have a price. The project&apos;s model is {props.projectModel}.
        </span>
      </fieldset>
      <div className={styles.actions}>
        <button
          type="submit"
          className={`${ui.button} ${ui.buttonPrimary}`}
          disabled={busy || spend.confirming || !picked.length || !models.length}
        >
          {busy ? "Queueing…" : `Evaluate on ${props.split}`}
        </button>
        {picked.length > 0 && models.length > 0 && (
          <EstimateLine projectId={props.projectId} run={run} label="Estimated cost" />
        )}
      </div>
      {spend.confirmation}
      {message && <p role="status">{message}</p>}
      {errors.length > 0 && (
        <ul role="alert" className={ui.error}>
          {errors.map((error) => (
            <li key={error}>{error}</li>
          ))}
        </ul>
      )}
    </form>
  );
}
