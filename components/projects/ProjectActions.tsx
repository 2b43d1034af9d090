"use client";
// Rename and delete, on a row of the projects list. Delete asks first, inline, naming what goes
// with the project; nothing happens until the person confirms. The list refreshes after either.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ui } from "@/components/ui";
import styles from "./projects.module.css";

type Mode = { kind: "idle" } | { kind: "renaming"; name: string } | { kind: "deleting" };

export function ProjectActions(props: { id: string; name: string; candidates: number }) {
  const router = useRouter();
  const [mode, setMode] = useState<Mode>({ kind: "idle" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function send(method: "PATCH" | "DELETE", body?: object): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      const response = await fetch(`/api/projects/${props.id}`, {
        method,
        headers: body ? { "content-type": "application/json" } : undefined,
        body: body ? JSON.stringify(body) : undefined,
      });
      if (response.ok) return true;
      const answer = (await response.json().catch(() => ({}))) as { error?: string; hint?: string };
      setError([answer.error ?? `The studio answered ${response.status}.`, answer.hint].filter(Boolean).join(" "));
      return false;
    } catch {
      setError("The studio could not be reached; nothing changed.");
      return false;
    } finally {
      setBusy(false);
    }
  }

  if (mode.kind === "renaming") {
    return (
      <form
        className={styles.inline}
        onSubmit={async (event) => {
          event.preventDefault();
          if (await send("PATCH", { name: mode.name })) {
            setMode({ kind: "idle" });
            router.refresh();
          }
        }}
      >
        <input
          className={ui.input}
          value={mode.name}
          onChange={(event) => setMode({ kind: "renaming", name: event.target.value })}
          aria-label={`New name for ${props.name}`}
          maxLength={200}
          autoFocus
        />
        <button type="submit" className={`${ui.button} ${ui.buttonPrimary}`} disabled={busy || !mode.name.trim()}>
          Save
        </button>
        <button type="button" className={ui.button} onClick={() => setMode({ kind: "idle" })} disabled={busy}>
          Cancel
        </button>
        {error && (
          <span className={`${ui.error} ${styles.message}`} role="alert">
            {error}
          </span>
        )}
      </form>
    );
  }

  if (mode.kind === "deleting") {
    return (
      <div className={styles.confirm} role="alertdialog" aria-label={`Delete ${props.name}?`}>
        <span>
          Delete <strong>{props.name}</strong> with its {props.candidates} candidate{props.candidates === 1 ? "" : "s"},
          evaluations and traces? This cannot be undone.
        </span>
        <span className={styles.inline}>
          <button
            type="button"
            className={`${ui.button} ${styles.danger}`}
            disabled={busy}
            onClick={async () => {
              if (await send("DELETE")) router.refresh();
            }}
          >
            {busy ? "Deleting…" : "Delete for good"}
          </button>
          <button type="button" className={ui.button} onClick={() => setMode({ kind: "idle" })} disabled={busy}>
            Keep it
          </button>
        </span>
        {error && (
          <span className={`${ui.error} ${styles.message}`} role="alert">
            {error}
          </span>
        )}
      </div>
    );
  }

  return (
    <span className={`${styles.inline} ${styles.nowrap}`}>
      <button type="button" className={ui.button} onClick={() => setMode({ kind: "renaming", name: props.name })}>
        Rename
      </button>
      <button type="button" className={ui.button} onClick={() => setMode({ kind: "deleting" })}>
        Delete
      </button>
    </span>
  );
}
