"use client";

// A read-only diff with the reader's two choices: side by side or inline, and long lines
// wrapped or not. Both live in the URL (?<param>=inline,nowrap), so a link shows the same view.
import { useEffect, useState } from "react";
import { SourceDiff } from "./index";
import type { DiffViewChoice } from "./view";
import styles from "./editor.module.css";

export interface DiffViewProps {
  original: string;
  modified: string;
  originalPath: string;
  modifiedPath: string;
  height: number;
  language?: string;
  /** The URL parameter that keeps the choices; two diffs on one page need their own. */
  param: string;
  /** The choices the page opened with (the server read them from the URL with parseDiffView). */
  initial: DiffViewChoice;
  /** The choices when the URL says nothing; the URL only keeps a departure from them. */
  defaults: DiffViewChoice;
  /** Names the toolbar for assistive technology and tests ("Source diff", "Prompt diff"). */
  label: string;
}

export function DiffView(props: DiffViewProps) {
  const [inline, setInline] = useState(props.initial.inline);
  const [wrap, setWrap] = useState(props.initial.wrap);
  const { param } = props;
  const { inline: inlineByDefault, wrap: wrapByDefault } = props.defaults;
  useEffect(() => {
    const url = new URL(window.location.href);
    if (inline === inlineByDefault && wrap === wrapByDefault) url.searchParams.delete(param);
    else url.searchParams.set(param, [inline ? "inline" : "split", wrap ? "wrap" : "nowrap"].join(","));
    if (url.href !== window.location.href) window.history.replaceState(window.history.state, "", url);
  }, [inline, wrap, param, inlineByDefault, wrapByDefault]);
  return (
    <div>
      <div className={styles.toolbar} role="group" aria-label={`${props.label} view`}>
        <span className={styles.toggles}>
          <button type="button" aria-pressed={!inline} onClick={() => setInline(false)}>
            side by side
          </button>
          <button type="button" aria-pressed={inline} onClick={() => setInline(true)}>
            inline
          </button>
        </span>
        <label className={styles.check}>
          <input type="checkbox" checked={wrap} onChange={(event) => setWrap(event.target.checked)} /> wrap long lines
        </label>
      </div>
      <SourceDiff
        original={props.original}
        modified={props.modified}
        originalPath={props.originalPath}
        modifiedPath={props.modifiedPath}
        height={props.height}
        language={props.language}
        wrap={wrap}
        inline={inline}
      />
    </div>
  );
}
