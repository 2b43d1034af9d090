"use client";

// The Monaco editors themselves; import them through ./index.tsx (dynamic, client only).
import { DiffEditor, Editor, type Monaco } from "@monaco-editor/react";
import type { editor } from "monaco-editor";
import { useEffect, useMemo, useRef, useState } from "react";
import { monaco, studioTheme } from "./monaco-local";
import styles from "./editor.module.css";

export interface EditorMarker {
  line: number;
  column: number;
  message: string;
}

/** The editor theme that matches the page: light or dark, following the system. */
function useStudioTheme(): string {
  const dark = usePrefersDark();
  return useMemo(() => studioTheme(dark), [dark]);
}

function usePrefersDark(): boolean {
  const [dark, setDark] = useState(() => window.matchMedia("(prefers-color-scheme: dark)").matches);
  useEffect(() => {
    const query = window.matchMedia("(prefers-color-scheme: dark)");
    const update = () => setDark(query.matches);
    query.addEventListener("change", update);
    return () => query.removeEventListener("change", update);
  }, []);
  return dark;
}

const baseOptions: editor.IEditorOptions = {
  fontSize: 13,
  lineHeight: 19,
  fontFamily: 'ui-monospace, "SFMono-Regular", "JetBrains Mono", "DejaVu Sans Mono", Menlo, monospace',
  minimap: { enabled: false },
  scrollBeyondLastLine: false,
  automaticLayout: true,
  renderLineHighlight: "line",
  padding: { top: 8, bottom: 8 },
  wordWrap: "off",
  stickyScroll: { enabled: false },
  overviewRulerLanes: 0,
  hideCursorInOverviewRuler: true,
  // Let the page scroll when the wheel reaches the editor's end: a long page stays scrollable.
  scrollbar: { alwaysConsumeMouseWheel: false, verticalScrollbarSize: 10, horizontalScrollbarSize: 10 },
};

export function SourceEditorImpl(props: {
  value: string;
  /** A stable name for the model, e.g. `candidates/<id>/harness.ts`. */
  path: string;
  readOnly?: boolean;
  height: number | string;
  onChange?: (value: string) => void;
  markers?: EditorMarker[];
  ariaLabel?: string;
  /** Default typescript (harness sources); "markdown" for prose such as instructions. */
  language?: string;
  /** Wrap long lines: right for prose, wrong for code. */
  wrap?: boolean;
  /** Editable editors take the focus when they open; not when the page opens with one. */
  focusOnMount?: boolean;
}) {
  const theme = useStudioTheme();
  const editorRef = useRef<editor.IStandaloneCodeEditor | null>(null);
  const [ready, setReady] = useState(false);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    monaco.editor.setModelMarkers(
      model,
      "compile",
      (props.markers ?? []).map((marker) => {
        const line = Math.max(1, Math.min(marker.line || 1, model.getLineCount()));
        const column = Math.max(1, marker.column || 1);
        return {
          startLineNumber: line,
          startColumn: column,
          endLineNumber: line,
          endColumn: Math.max(column + 1, model.getLineMaxColumn(line)),
          message: marker.message,
          severity: monaco.MarkerSeverity.Error,
        };
      }),
    );
  }, [props.markers, ready]);

  return (
    <div className={styles.frame} data-editor={props.readOnly ? "read-only" : "editable"}>
      <Editor
        // Editable editors are uncontrolled: feeding each keystroke back as `value` races fast
        // typing (a stale value replaces the text and throws the cursor to the end).
        {...(props.readOnly ? { value: props.value } : { defaultValue: props.value })}
        path={props.path}
        language={props.language ?? "typescript"}
        height={props.height}
        theme={theme}
        loading={<EditorPlaceholder />}
        options={{
          ...baseOptions,
          wordWrap: props.wrap ? "on" : "off",
          readOnly: props.readOnly ?? false,
          domReadOnly: props.readOnly ?? false,
          renderLineHighlight: props.readOnly ? "none" : "line",
          ariaLabel: props.ariaLabel,
        }}
        onChange={(value) => props.onChange?.(value ?? "")}
        onMount={(instance: editor.IStandaloneCodeEditor, _monaco: Monaco) => {
          editorRef.current = instance;
          setReady(true);
          if (!props.readOnly && props.focusOnMount !== false) instance.focus();
        }}
      />
    </div>
  );
}

export function SourceDiffImpl(props: {
  original: string;
  modified: string;
  originalPath: string;
  modifiedPath: string;
  height: number | string;
  language?: string;
  wrap?: boolean;
  /** One column, deletions above insertions, instead of two sides. */
  inline?: boolean;
}) {
  const theme = useStudioTheme();
  // Monaco turns wrapping off on the original (left) side while the diff shows inline (as it
  // does for a moment before its first layout) and never turns it back on for side by side:
  // undo that after every layout, so "wrap" wraps both sides.
  const [diffEditor, setDiffEditor] = useState<editor.IStandaloneDiffEditor | null>(null);
  useEffect(() => {
    if (!diffEditor || props.inline) return; // (inline: the original side is hidden)
    const original = diffEditor.getOriginalEditor();
    const inherit = () => original.updateOptions({ wordWrapOverride2: "inherit" });
    inherit();
    const listener = original.onDidLayoutChange(inherit);
    return () => listener.dispose();
  }, [diffEditor, props.inline]);
  return (
    <div className={styles.frame} data-editor="diff" data-diff-view={props.inline ? "inline" : "side-by-side"}>
      <DiffEditor
        original={props.original}
        modified={props.modified}
        originalModelPath={props.originalPath}
        modifiedModelPath={props.modifiedPath}
        language={props.language ?? "typescript"}
        height={props.height}
        theme={theme}
        loading={<EditorPlaceholder />}
        // Sources never change under an id; keeping the models avoids Monaco's
        // "TextModel got disposed before DiffEditorWidget model got reset" on unmount.
        keepCurrentOriginalModel
        keepCurrentModifiedModel
        onMount={setDiffEditor}
        options={{
          ...baseOptions,
          readOnly: true,
          originalEditable: false,
          renderSideBySide: !props.inline,
          useInlineViewWhenSpaceIsLimited: true,
          renderOverviewRuler: false,
          wordWrap: props.wrap ? "on" : "off",
          diffWordWrap: props.wrap ? "on" : "off",
        }}
      />
    </div>
  );
}

export function EditorPlaceholder() {
  return <div className={styles.placeholder}>Loading the editor…</div>;
}
