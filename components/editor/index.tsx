"use client";

// Code views for harness sources: Monaco, loaded on the client only, from the local package.
import dynamic from "next/dynamic";
import styles from "./editor.module.css";

export type { EditorMarker } from "./MonacoEditors";

function Loading() {
  return <div className={styles.placeholder}>Loading the editor…</div>;
}

/** Monaco with TypeScript highlighting; read-only or editable. */
export const SourceEditor = dynamic(() => import("./MonacoEditors").then((module) => module.SourceEditorImpl), {
  ssr: false,
  loading: Loading,
});

/** Monaco's side-by-side diff of two sources, read-only. */
export const SourceDiff = dynamic(() => import("./MonacoEditors").then((module) => module.SourceDiffImpl), {
  ssr: false,
  loading: Loading,
});
