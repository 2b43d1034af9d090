"use client";

// The current instructions, editable. "Save as new version" makes version N+1 (saved versions
// never change, so every iteration's record stays true); unchanged text is not saved.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { SourceEditor } from "@/components/editor";
import { Badge, ui } from "@/components/ui";
import styles from "./settings.module.css";

export function InstructionsEditor(props: { projectId: string; version: number; text: string; height: number }) {
  const router = useRouter();
  const [draft, setDraft] = useState(props.text);
  /** The editor keeps its own text: discarding opens a fresh one. */
  const [opened, setOpened] = useState(0);
  const [note, setNote] = useState("");
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const changed = draft !== props.text;

  async function save() {
    setSaving(true);
    setError(null);
    try {
      const response = await fetch(`/api/projects/${props.projectId}/instructions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ text: draft, ...(note.trim() ? { note: note.trim() } : {}) }),
      });
      const body = (await response.json().catch(() => ({}))) as {
        version?: number;
        error?: string;
        fields?: Record<string, string>;
      };
      if (response.status === 201 && body.version) {
        // The URL carries the confirmation, so it survives the refresh that shows the new version.
        router.replace(`/projects/${props.projectId}/settings?saved=${body.version}#instructions`, { scroll: false });
        return;
      }
      const field = body.fields && Object.entries(body.fields)[0];
      setError(
        field
          ? `The ${field[0] === "note" ? "note" : "text"} ${field[1]}; nothing was saved.`
          : (body.error ?? `The studio answered ${response.status}; nothing was saved.`),
      );
    } catch {
      setError("The studio could not be reached; nothing was saved.");
    } finally {
      setSaving(false);
    }
  }

  const reason = saving
    ? "Saving…"
    : !changed
      ? `The text is the same as version ${props.version}: edit it first.`
      : !draft.trim()
        ? "The instructions must not be empty."
        : null;

  return (
    <div data-view="edit">
      <div className={styles.paneBar}>
        <span>
          <strong>Version {props.version}</strong> <Badge tone="accent">current</Badge>{" "}
          <span className="faint">
            · {changed ? "edited, not saved" : "editable"} · saving makes version {props.version + 1}
          </span>
        </span>
        {changed && (
          <span className={styles.paneActions}>
            <button
              type="button"
              className={ui.button}
              disabled={saving}
              onClick={() => {
                setDraft(props.text);
                setOpened((count) => count + 1);
              }}
            >
              Discard edits
            </button>
          </span>
        )}
      </div>
      <SourceEditor
        key={opened}
        value={props.text}
        path={`instructions/${props.projectId}/edit-v${props.version}-${opened}.md`}
        language="markdown"
        wrap
        focusOnMount={false}
        height={props.height}
        onChange={setDraft}
        ariaLabel={`Edit the proposer's instructions (version ${props.version})`}
      />
      <div className={styles.editBar}>
        <input
          className={ui.input}
          aria-label="Note for the new version"
          placeholder="What changed, and why? (optional note)"
          value={note}
          maxLength={500}
          onChange={(event) => setNote(event.target.value)}
        />
        <button
          type="button"
          className={`${ui.button} ${ui.buttonPrimary}`}
          disabled={Boolean(reason)}
          title={reason ?? undefined}
          onClick={() => void save()}
        >
          {saving ? "Saving…" : "Save as new version"}
        </button>
      </div>
      {reason && !saving && <p className={styles.editHint}>{reason}</p>}
      {error && (
        <p className={`${ui.error} ${styles.problem}`} role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
