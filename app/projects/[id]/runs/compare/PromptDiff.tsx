"use client";

// The change the harness made to what the model sees: the first model request of each side
// (system, tools, messages, rendered as text by lib/traces/prompt.ts) in Monaco's diff. Closed
// until asked for, so the traces stay above the fold; open or closed is kept in the URL (?prompt=open).
import { useEffect, useState } from "react";
import { DiffView } from "@/components/editor/DiffView";
import { editorHeight } from "@/components/editor/height";
import type { DiffViewChoice } from "@/components/editor/view";
import { ui } from "@/components/ui";
import styles from "./compare.module.css";

export interface PromptSide {
  runId: string;
  seq: number;
  text: string;
  truncated: boolean;
}

export function PromptDiff(props: {
  a: PromptSide | null;
  b: PromptSide | null;
  open: boolean;
  view: DiffViewChoice;
  defaults: DiffViewChoice;
}) {
  const { a, b } = props;
  const [open, setOpen] = useState(props.open);
  useEffect(() => {
    const url = new URL(window.location.href);
    if (open) url.searchParams.set("prompt", "open");
    else url.searchParams.delete("prompt");
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url);
  }, [open]);

  if (!a && !b) {
    return (
      <section className={`${ui.card} ${styles.prompt}`} data-prompt-diff="none">
        <div className={styles.promptHead}>
          <strong>Prompt diff</strong>
          <span className="muted">Neither task run made a model request.</span>
        </div>
      </section>
    );
  }
  const identical = a?.text === b?.text;
  const describe = (label: string, side: PromptSide | null) =>
    side
      ? `${label}: event #${side.seq}, ${side.text.split("\n").length.toLocaleString("en-US")} lines${side.truncated ? " (cut at the store's cap)" : ""}`
      : `${label}: no model request`;
  return (
    <section className={`${ui.card} ${styles.prompt}`} data-prompt-diff={identical ? "identical" : "differs"}>
      <div className={styles.promptHead}>
        <strong>Prompt diff</strong>
        <span className="muted">
          The first model request of each (system, tools, messages):{" "}
          <strong data-prompt-verdict>{identical ? "identical" : "they differ"}</strong> · {describe("A", a)} ·{" "}
          {describe("B", b)}
        </span>
        <span className={styles.spacer} />
        <button
          type="button"
          className={ui.button}
          aria-expanded={open}
          onClick={() => setOpen((value) => !value)}
          data-prompt-toggle
        >
          {open ? "Hide the prompt diff" : "Show the prompt diff"}
        </button>
      </div>
      {open && (
        <div className={styles.promptBody}>
          <DiffView
            original={a?.text ?? ""}
            modified={b?.text ?? ""}
            originalPath={`prompt/${a?.runId ?? "none"}/request.md`}
            modifiedPath={`prompt/${b?.runId ?? "none"}/request.md`}
            height={Math.max(editorHeight(a?.text ?? "", { max: 28 }), editorHeight(b?.text ?? "", { max: 28 }))}
            language="markdown"
            param="promptView"
            initial={props.view}
            defaults={props.defaults}
            label="Prompt diff"
          />
        </div>
      )}
    </section>
  );
}
