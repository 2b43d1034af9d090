"use client";

// A candidate's source in Monaco, read-only; "Edit" opens it editable, and "Save as new
// candidate" sends it to the studio, which compiles it first: compile errors come back with
// line and column (shown here and in the editor), and nothing is saved until it compiles.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { SourceEditor, type EditorMarker } from "@/components/editor";
import { editorHeight } from "@/components/editor/height";
import { ui } from "@/components/ui";
import styles from "./candidate.module.css";

export function CandidateSource(props: {
  projectId: string;
  candidateId: string;
  number: number;
  source: string;
  editable: boolean;
}) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState(props.source);
  const [rationale, setRationale] = useState("");
  const [saving, setSaving] = useState(false);
  const [errors, setErrors] = useState<EditorMarker[]>([]);
  const [message, setMessage] = useState<string | null>(null);
  const changed = draft !== props.source;

  async function save() {
    setSaving(true);
    setMessage(null);
    setErrors([]);
    try {
      const response = await fetch("/api/candidates", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          projectId: props.projectId,
          parentId: props.candidateId,
          source: draft,
          ...(rationale.trim() ? { rationale: rationale.trim() } : {}),
        }),
      });
      const body = (await response.json().catch(() => ({}))) as {
        id?: string;
        number?: number;
        error?: string;
        errors?: EditorMarker[];
      };
      if (response.status === 201 && body.id) {
        router.push(`/projects/${props.projectId}/candidates/${body.id}?created=1`);
        return;
      }
      setErrors(body.errors ?? []);
      setMessage(body.error ?? `The studio answered ${response.status}.`);
    } catch {
      setMessage("The studio could not be reached; nothing was saved.");
    } finally {
      setSaving(false);
    }
  }

  if (!editing) {
    return (
      <div>
        <div className={styles.sourceBar}>
          <span className="faint">harness.ts · {props.source.split("\n").length} lines · read-only</span>
          <span className={styles.sourceActions}>
            {props.editable && (
              <button type="button" className={ui.button} onClick={() => setEditing(true)}>
                Edit
              </button>
            )}
          </span>
        </div>
        <SourceEditor
          value={props.source}
          path={`candidates/${props.candidateId}/harness.ts`}
          readOnly
          height={editorHeight(props.source)}
          ariaLabel={`Source of candidate #${props.number}`}
        />
      </div>
    );
  }

  return (
    <div data-editing>
      <div className={styles.sourceBar}>
        <span className="faint">
          Editing a copy of #{props.number}. Saving makes a new candidate (origin: person, parent: #{props.number}); #
          {props.number} stays as it is.
        </span>
      </div>
      <SourceEditor
        value={draft}
        path={`candidates/${props.candidateId}/edit.ts`}
        height={Math.max(editorHeight(props.source, { max: 36 }), 420)}
        // Errors stay until the next save: they are the list to work through. Monaco moves
        // their markers along with the edits.
        onChange={setDraft}
        markers={errors}
        ariaLabel={`Edit a copy of candidate #${props.number}`}
      />
      {message && (
        <div className={`${ui.error} ${styles.compileErrors}`} role="alert" data-compile-errors>
          <strong>{message}</strong>
          {errors.length > 0 && (
            <ul>
              {errors.map((error, index) => (
                <li key={index}>
                  <code>
                    harness.ts:{error.line}:{error.column}
                  </code>{" "}
                  {error.message}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
      <div className={styles.editBar}>
        <input
          className={ui.input}
          placeholder="What did you change, and why? (optional; becomes the rationale)"
          aria-label="Rationale"
          value={rationale}
          maxLength={4000}
          onChange={(event) => setRationale(event.target.value)}
        />
        <button
          type="button"
          className={`${ui.button} ${ui.buttonPrimary}`}
          disabled={saving || !changed}
          title={!changed ? "Change the source first" : undefined}
          onClick={() => void save()}
        >
          {saving ? "Compiling…" : "Save as new candidate"}
        </button>
        <button
          type="button"
          className={ui.button}
          disabled={saving}
          onClick={() => {
            setEditing(false);
            setDraft(props.source);
            setErrors([]);
            setMessage(null);
          }}
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
